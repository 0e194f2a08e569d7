"""The build's faster paths give what the plain ones give (speed itself is measured in benchmarks/)."""

from __future__ import annotations

import base64
import random
import subprocess
import sys
from pathlib import Path

import pytest

from kg.dedup import shingles, signature

ROOT = Path(__file__).resolve().parent.parent


def _datasketch_signature(text: str) -> str:
    from datasketch import MinHash

    mh = MinHash(num_perm=128, seed=1, scheme="affine32")
    mh.update_batch([s.encode("utf-8") for s in sorted(shingles(text))])
    return base64.b64encode(mh.hashvalues.astype("<u8").tobytes()).decode("ascii")


def test_signature_equals_datasketch_minhash():
    pytest.importorskip("datasketch", minversion="2.0")
    rng = random.Random(7)
    words = ["train", "Chengdu", "Łódź", "北京", "containers", "left", "for", "the", "x", "Ünïcode", "2024"]
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    texts += ["", "one", "two words", "a b c", "!!! ???"]
    texts += [" ".join(rng.choices(words, k=rng.randint(1, 300))) for _ in range(40)]
    for text in texts:
        assert signature(text) == _datasketch_signature(text), text[:60]


def test_a_build_imports_neither_datasketch_nor_scipy(tmp_path):
    """Nor rdflib's SPARQL engine: the shapes' SPARQL constraints run in Oxigraph."""
    article = tmp_path / "a.txt"
    text = "A freight train left Chengdu for Lodz on Sunday with 50 containers.\n"
    article.write_text(text, encoding="utf-8")
    code = ("import sys, kg\n"
            f"kg.build([{str(article)!r}], store={str(tmp_path / 'store')!r})\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'datasketch', 'scipy'}\n"
            "             or m.startswith('rdflib.plugins.sparql')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _graphs(articles, *, nlp, gazetteer, batch_size):
    from rdflib.namespace import PROV

    from kg.dedup import signature as sig
    from kg.extract import iter_extract
    from kg.extract.reading import clean_text
    from kg.rdf import article_graph, shared_graph

    out = []
    for article in iter_extract(articles, nlp=nlp, gazetteer=gazetteer, batch_size=batch_size):
        graph = article_graph(article, version="test", signature=sig(clean_text(article.text)))
        graph.remove((None, PROV.generatedAtTime, None))  # the build's clock, not a fact of the text
        out.append((article.name, graph, shared_graph(article, countries=gazetteer.countries)))
    return out


@pytest.mark.parametrize("folder", ["seeds", "tests/data/fresh2"])
def test_batched_parsing_gives_the_facts_of_one_article_at_a_time(nlp, gazetteer, folder):
    """Whole batches through the parser and recogniser (the build's default) and each piece on
    its own give isomorphic graphs, article by article."""
    from rdflib.compare import isomorphic

    from kg.extract.reading import read_article

    paths = sorted((ROOT / folder).glob("*.txt"))
    batched = _graphs([read_article(p) for p in paths], nlp=nlp, gazetteer=gazetteer, batch_size=64)
    alone = _graphs([read_article(p) for p in paths], nlp=nlp, gazetteer=gazetteer, batch_size=1)
    assert [name for name, _, _ in batched] == [p.name for p in paths]
    for (name, graph, shared), (_, graph1, shared1) in zip(batched, alone, strict=True):
        assert len(graph) > 10
        assert isomorphic(graph, graph1), name
        assert isomorphic(shared, shared1), name


LEMMA_TRICKY = ("The trains were leaving; it's been loaded, they'd gone. Running, ran, runs, better, best, "
                "worse. Mice, geese, data, analyses. Chongqing's Xinjiang-bound services re-routed.\n\n  \n"
                "I ain't gonna go, y'all. Whether it leaves or not, it can't, won't, shan't.")


def test_cached_lemmatizer_sets_spacys_lemmas(nlp):
    """The build's lemmatizer (one look-up per word, POS and morphology) writes the lemmas of
    spaCy's own, on whole articles, twice over (the second time from its memo)."""
    from spacy.attrs import LEMMA

    from kg.extract.fastlemma import CachedLemmatizer
    from kg.extract.reading import clean_text

    cached = nlp.get_pipe("lemmatizer")
    assert isinstance(cached, CachedLemmatizer)
    texts = [clean_text(p.read_text(encoding="utf-8")) for folder in ("seeds", "tests/data/fresh2")
             for p in sorted((ROOT / folder).glob("*.txt"))] + [LEMMA_TRICKY]
    before = nlp.pipe_names[:nlp.pipe_names.index("lemmatizer")]
    with nlp.select_pipes(enable=before):
        docs = list(nlp.pipe(texts))
    tokens = 0
    for doc in docs:
        theirs = cached.lemmatizer(doc.copy()).to_array([LEMMA]).tolist()
        assert cached(doc.copy()).to_array([LEMMA]).tolist() == theirs, doc.text[:80]
        assert cached(doc.copy()).to_array([LEMMA]).tolist() == theirs, doc.text[:80]
        tokens += len(doc)
    assert tokens > 3000 and len(cached.memo) > 500
    lemmas = {t.text: t.lemma_ for t in cached(docs[-1].copy())}
    assert lemmas["leaving"] == "leave" and lemmas["Mice"] == "mouse" and lemmas["ran"] == "run"
    assert cached(nlp.make_doc("")).text == ""


def test_cached_lemmas_survive_memory_zones(nlp):
    """A lemma first met inside a memory zone is still readable from the memo after the zone."""
    from kg.extract.fastlemma import CachedLemmatizer

    cached = nlp.get_pipe("lemmatizer")
    assert isinstance(cached, CachedLemmatizer)
    text = "The zorbifications were glimbering past Qwertyville."
    with nlp.memory_zone():
        inside = [t.lemma_ for t in nlp(text)]
    after = [t.lemma_ for t in nlp(text)]
    assert after == inside and "zorbification" in after


def test_the_build_pipeline_leaves_out_what_its_package_disables(nlp):
    """``en_core_web_sm`` ships ``senter`` disabled (the parser sets sentences): not loaded."""
    from kg.nlp import off_by_default, pick_model

    assert "senter" in off_by_default(pick_model())
    assert "senter" not in nlp.component_names
    assert {"tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"} <= set(nlp.pipe_names)
    assert off_by_default("not_a_package_xyz") == []


def test_sentence_copies_equal_span_as_doc(nlp):
    """Sentence copies equal ``Span.as_doc``'s, token by token and attribute by attribute (norms and sentence starts too)."""
    from kg.extract.extractor import _Copier

    doc = nlp.make_doc("We don't know. The train left Chengdu for Łódź.  It carried 41 TEUs!\n"
                       "Officials said they'd return in May. Ok")
    spans = [(0, 4), (4, 12), (12, 18), (18, len(doc)), (5, 6), (len(doc) - 1, len(doc)), (0, len(doc))]
    copy = _Copier(doc)
    attrs = doc._get_array_attrs()
    for a, b in spans:
        got, want = copy(a, b), doc[a:b].as_doc()
        assert [t.text_with_ws for t in got] == [t.text_with_ws for t in want]
        assert [t.norm_ for t in got] == [t.norm_ for t in want]
        assert (got.to_array(attrs) == want.to_array(attrs)).all(), (a, b)
    assert [t.norm_ for t in copy(0, 4)][1:3] == ["do", "not"]
