"""The real pipeline on seeds/: build, query, routes, places, path, central, viz, rebuild."""

import json
import re
import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS
from rdflib.compare import to_isomorphic

import kg
from kg.cli import app
from kg.rdf import SHARED_GRAPH
from kg.sparql import named_queries


def test_build_summary_counts(seed_store):
    from kg.store import open_store

    with open_store(seed_store, read_only=True) as st:
        counts = st.count()
        assert counts["documents"] == 5
        assert counts["trains"] >= 8  # one per train: the Jinhua train to three countries is one
        names = st.graph_names()
        assert len([n for n in names if "/doc/" in n]) == 5  # one named graph per article
        assert str(SHARED_GRAPH) in names and len(names) == 7  # plus the shared place facts and the summary


def test_every_train_has_provenance(seed_store):
    rows = kg.query(
        "SELECT ?t ?doc ?ev WHERE { ?t a kgo:Train . OPTIONAL { ?t kgo:sourceDocument/kgo:fileName ?doc } "
        "OPTIONAL { ?t kgo:evidenceSentence/kgo:text ?ev } }", store=seed_store).rows
    assert rows
    for _, doc, evidence in rows:
        assert doc in {p.name for p in SEEDS.glob("*.txt")}
        assert evidence and evidence in (SEEDS / doc).read_text(encoding="utf-8").replace("\n", " ") or \
            evidence.split(".")[0] in (SEEDS / doc).read_text(encoding="utf-8")


def test_path_nantong_hairatan(runner, seed_store):
    result = runner.invoke(app, ["path", "Nantong", "Hairatan", "--store", seed_store])
    assert result.exit_code == 0, result.output
    assert "Nantong -> Hairatan, crossing Kazakhstan, Uzbekistan" in result.output
    assert "003_e283aa0ea1696988.txt" in result.output
    assert "links China's Nantong to Afghanistan's Hairatan through Kazakhstan and Uzbekistan" in result.output
    answers = kg.find_paths("Nantong", "Hairatan", store=seed_store)
    assert answers[0].places == ["Nantong", "Hairatan"]
    assert answers[0].legs[0].crosses == ["Kazakhstan", "Uzbekistan"]
    assert all(leg.evidence for leg in answers[0].legs)
    assert answers[0].single_train is not None


def test_chongqing_duisburg_transit_order(seed_store):
    routes = [r for r in kg.routes(store=seed_store) if (r["origin"], r["destination"]) == ("Chongqing", "Duisburg")]
    assert len(routes) == 1
    assert routes[0]["via"] == ["Kazakhstan", "Russia", "Belarus", "Poland"]


def test_routes_json_keys(runner, seed_store):
    result = runner.invoke(app, ["routes", "--json", "--store", seed_store])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows
    for r in rows:
        assert {"origin", "destination", "via", "cargo", "source", "evidence"} <= set(r)
        assert isinstance(r["via"], list) and isinstance(r["cargo"], list)
    assert any(r["destination"] is None and r["origin"] == "Zhengzhou" for r in rows)


def test_places_json_keys(runner, seed_store):
    result = runner.invoke(app, ["places", "--json", "--store", seed_store])
    rows = json.loads(result.output)
    for r in rows:
        assert {"label", "type", "country", "aliases", "iri"} <= set(r)
        assert r["type"] in {"City", "Port", "Country"}
        assert len(r["country"]) == 2
    by_label = {r["label"]: r for r in rows}
    assert by_label["Horgos"]["type"] == "Port"
    assert {"Horgos Port", "Khorgas port"} <= set(by_label["Horgos"]["aliases"])
    assert "URUMQI" in by_label["Ürümqi"]["aliases"]
    assert len({r["iri"] for r in rows}) == len(rows)


def test_bind_sets_a_term(runner, seed_store):
    result = runner.invoke(app, ["query", "routes_from", "--bind", "place=zhengzhou", "--format", "records",
                                 "--store", seed_store])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and {r["origin"] for r in rows} == {"Zhengzhou"}
    hostile = runner.invoke(app, ["query", "routes_from", "--bind", 'place=x" } UNION { ?a ?b ?c',
                                  "--format", "records", "--store", seed_store])
    assert hostile.exit_code == 0, hostile.output
    assert json.loads(hostile.output) == []


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_shipped_query_runs(runner, seed_store, name):
    path = named_queries()[name]
    assert path.read_text(encoding="utf-8").startswith("#"), "each query starts with a comment saying what it answers"
    result = runner.invoke(app, ["query", name, "--format", "json", "--store", seed_store])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)  # SPARQL 1.1 results JSON
    assert isinstance(data["head"]["vars"], list) and isinstance(data["results"]["bindings"], list)


def test_viz_html_holds_the_nodes_and_no_remote_resources(runner, seed_store, tmp_path):
    out = tmp_path / "routes.html"
    result = runner.invoke(app, ["viz", "-o", str(out), "--store", seed_store])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    for label in ("Nantong", "Hairatan", "Alashankou", "Horgos", "Duisburg"):
        assert f'"label": "{label}"' in html
    assert "<script src" not in html and "<link" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "the page must not load anything remote"


def test_rebuild_is_idempotent(tmp_path):
    store = tmp_path / "s"
    first = kg.build([SEEDS], store=store)
    snapshot1 = _graphs(store)
    second = kg.build([SEEDS], store=store, force=True)
    assert second.extracted == 5
    assert (second.trains, second.places, second.triples) == (first.trains, first.places, first.triples)
    snapshot2 = _graphs(store)
    assert snapshot1.keys() == snapshot2.keys() and len(snapshot1) == 7  # 5 articles + shared facts + summary
    for name in snapshot1:
        assert snapshot1[name] == snapshot2[name], name
    third = kg.build([SEEDS], store=store)
    assert third.unchanged == 5 and third.extracted == 0


def _graphs(store):
    """Each named graph as an isomorphic rdflib graph, ingestion timestamps left out."""
    from rdflib import Graph
    from rdflib.namespace import PROV

    from kg.store import open_store

    out = {}
    with open_store(store, read_only=True) as st:
        for name in st.graph_names():
            g = Graph()
            for q in st.ox.quads_for_pattern(None, None, None, __import__("pyoxigraph").NamedNode(name)):
                g.parse(data=f"{q.triple} .", format="nt")
            g.remove((None, PROV.generatedAtTime, None))
            out[name] = to_isomorphic(g)
    return out


def test_edited_article_replaces_its_facts(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    art = articles / "a.txt"
    art.write_text("A freight train left Chengdu for Lodz on Monday.", encoding="utf-8")
    store = tmp_path / "s"
    kg.build([articles], store=store)
    assert [(r["origin"], r["destination"]) for r in kg.routes(store=store)] == [("Chengdu", "Łódź")]
    art.write_text("A freight train left Xi'an for Duisburg on Monday.", encoding="utf-8")
    kg.build([articles], store=store)
    assert [(r["origin"], r["destination"]) for r in kg.routes(store=store)] == [("Xi'an", "Duisburg")]
    places = {p["label"] for p in kg.places(store=store)}
    assert "Chengdu" not in places


def test_read_commands_do_not_import_spacy(seed_store, tmp_path):
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from kg.cli import app\n"
        f"store = {seed_store!r}\n"
        "r = CliRunner()\n"
        "for args in (['query', 'documents'], ['routes'], ['places'], ['path', 'Nantong', 'Hairatan'],\n"
        f"             ['central'], ['viz', '-o', {str(tmp_path / 'x.html')!r}]):\n"
        "    res = r.invoke(app, args + ['--store', store])\n"
        "    assert res.exit_code == 0, (args, res.output)\n"
        "print('spacy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_python_m_kg_runs():
    out = subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0
    assert "build" in out.stdout and "path" in out.stdout


def test_central_puts_crossings_near_the_top(seed_store):
    rows = kg.central(metric="degree", top=10, store=seed_store)
    assert {"Kazakhstan", "Horgos"} & {r["label"] for r in rows}
    ports = kg.central(metric="betweenness", types=["Port"], store=seed_store)
    assert ports and all(r["type"] == "Port" for r in ports)
    assert ports[0]["label"] == "Horgos"


def test_seed_gold_targets(runner):
    from kg.evaluation import evaluate

    report = evaluate(ROOT / "tests" / "data" / "seeds-gold.json", SEEDS)
    s = report.scores()
    assert s["routes_f1"] >= 0.95, report.lines(verbose=True)
    assert s["transit_order_exact"] >= 0.9
    assert s["place_type_accuracy"] >= 0.95
    assert s["aliases_merged"] == 1.0


def test_kg_store_environment_variable(tmp_path, monkeypatch):
    import subprocess as sp

    art = tmp_path / "a.txt"
    art.write_text("A freight train left Chengdu for Lodz on Monday.", encoding="utf-8")
    env = dict(__import__("os").environ, KG_STORE=str(tmp_path / "envstore"))
    sp.run([sys.executable, "-m", "kg", "build", str(art), "-q"], check=True, env=env, cwd=tmp_path,
           capture_output=True)
    assert (tmp_path / "envstore").is_dir()
    out = sp.run([sys.executable, "-m", "kg", "routes", "--json"], env=env, cwd=tmp_path, capture_output=True,
                 text=True, check=True)
    assert json.loads(out.stdout)[0]["destination"] == "Łódź"
