"""A build gives the same facts whoever extracts: this process, a process pool, a Dask cluster;
only candidate sentences are parsed; progress is a bar on a terminal and plain lines elsewhere."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import to_isomorphic
from rdflib.namespace import PROV

import kg
from kg.extract import parse_articles
from kg.extract.candidates import plan
from kg.extract.reading import clean_text
from kg.model import Article
from kg.progress import progress_reporter
from kg.validate import union_graph

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def _facts(store: str) -> Graph:
    """The store's triples without the build time stamps (they differ between any two builds)."""
    g = union_graph(store)
    g.remove((None, PROV.generatedAtTime, None))
    return g


@pytest.fixture(scope="module")
def local_facts(seed_store) -> Graph:
    return to_isomorphic(_facts(seed_store))


def test_a_process_pool_build_gives_the_same_facts(tmp_path, local_facts):
    store = tmp_path / "pool"
    summary = kg.build([SEEDS], store=store, workers=2)
    assert summary.extracted == 5 and not summary.refused
    assert to_isomorphic(_facts(str(store))) == local_facts


def test_a_dask_cluster_build_gives_the_same_facts(tmp_path, local_facts):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        store = tmp_path / "dask"
        summary = kg.build([SEEDS], store=store, dask=cluster.scheduler_address)
    assert summary.extracted == 5 and not summary.refused
    assert to_isomorphic(_facts(str(store))) == local_facts


def test_an_unreachable_scheduler_is_one_clear_error(runner, tmp_path):
    pytest.importorskip("distributed")
    from kg.cli import app

    result = runner.invoke(app, ["build", str(SEEDS), "--store", str(tmp_path / "s"), "--dask",
                                 "tcp://127.0.0.1:9", "-q"])
    assert result.exit_code == 2 and "cannot reach a Dask scheduler" in result.output
    assert "Traceback" not in result.output


TEXT = ("The weather in the region was mild all week. Officials praised the new school. "
        "A freight train left Chengdu for Lodz on Monday. It carried laptops.\n\n"
        "Shares rose by two percent. The company hired more staff.")


def test_only_candidate_sentences_are_parsed_and_the_text_survives(nlp, gazetteer):
    doc = nlp.make_doc(clean_text(TEXT))
    stretches = plan(doc, gazetteer, limit=20_000)
    parsed = " ".join(doc[s.start:s.end].text for s in stretches if s.parse)
    assert "Chengdu" in parsed and "It carried laptops." in parsed  # a pronoun continues the train
    assert "weather" not in parsed and "Shares" not in parsed
    article = Article(name="a.txt", text=TEXT, sha256="0" * 64)
    ((_, whole),) = parse_articles([article], nlp=nlp, gazetteer=gazetteer)
    assert whole.text == clean_text(TEXT)
    sentences = [s.text.strip() for s in whole.sents]
    assert "Officials praised the new school." in sentences and "Shares rose by two percent." in sentences
    school = next(t for t in whole if t.text == "school")
    chengdu = next(t for t in whole if t.text == "Chengdu")
    assert school.pos_ == "" and not school.ent_type_  # not parsed
    assert chengdu.pos_ == "PROPN" and chengdu.dep_ != "dep"  # parsed


def test_progress_is_plain_lines_when_piped_and_a_bar_on_a_terminal(monkeypatch):
    lines: list[str] = []
    with progress_reporter(lines.append, tty=False) as report:
        report("a.txt", 1, 2)
        report("b\x1b[2J.txt", 2, 2)
    assert lines == ["  [1/2] a.txt", "  [2/2] b\x1b[2J.txt"]  # the CLI's _echo cleans these
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    with progress_reporter(lines.append, tty=True) as report:
        for i in range(1, 4):
            report(f"x{i}\x1b]0;owned\x07.txt", i, 3)
    shown = err.getvalue()
    assert "3/3" in shown and "art/s" in shown and "x3" in shown and "owned" not in shown
    assert len(lines) == 2  # no plain lines on a terminal


def test_pool_workers_start_with_one_numeric_thread_each(monkeypatch):
    from kg import runners

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")  # a number the user chose stays
    with runners._one_thread_each():
        assert os.environ["OMP_NUM_THREADS"] == "1"
        assert os.environ["OPENBLAS_NUM_THREADS"] == "3"
    assert "OMP_NUM_THREADS" not in os.environ
