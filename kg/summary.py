"""The summary graph: facts about places, countries, legs and trains kept once, with their counts.

The default graph of a query is the union of the article graphs, and Oxigraph does not
deduplicate it: a fact told by three articles matches three times, and a count over a join has
to meet every repetition before ``COUNT(DISTINCT ...)`` folds them.  At a million quads that is
seconds per shipped query.  The summary graph :data:`SUMMARY_GRAPH` holds what the shipped
queries aggregate, once, as plain triples (so the queries stay plain SPARQL on any endpoint):

- ``?place kgo:nameKey "lower-case name"``: each label and alias of a place in lower case
  (SPARQL ``LCASE``), so a bound name is matched by scanning these few keys instead of every
  label in every article graph;
- ``?place kgo:transitTrains N ; kgo:transitArticles M``: trains passing through it, and the
  articles telling of them;
- ``?country kgo:crossingLegs N ; kgo:crossingTrains N ; kgo:crossingArticles N``: place pairs
  whose legs cross it, trains and articles;
- a ``kgo:CargoFlow`` per destination country and cargo kind, with its ``kgo:trainCount``;
- ``?document kgo:trainCount N``;
- ``?leg kgo:crossingNames "Kazakhstan, Uzbekistan"``: the countries it crosses, in order;
- ``?train kgo:destinationNames "A, B"``: its destinations' labels, sorted; and
  ``kgo:originName``, ``kgo:destinationName`` (one per destination): the labels themselves
  (an ``OPTIONAL`` over one pattern is looked up row by row, over a path it is not);
- ``?train kgo:documentName "a.txt"``: its source documents' file names (``routes_from``
  joins them by hashing).

Counts are kept right on every write: :meth:`kg.store.GraphStore.replace_graph` and
``remove_graph`` mark every node of the graphs they drop and add (and the countries of marked
places) in a scratch graph, then recompute the summary facts of the marked nodes from the
store, all in the same SPARQL update, so one transaction.  :func:`rebuild_update` recomputes
everything (after a bulk ``kg import``, or on a store written before the summary existed).
A build into an empty store marks nothing per node: one :func:`whole_mark` says the whole
summary is pending, and :func:`rebuild_operations` compute it at the end.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import XSD, URIRef

from .rdf import KGO, KGR

SUMMARY_GRAPH = KGR["graph/summary"]
PENDING_GRAPH = KGR["graph/summary-pending"]
_S = f"<{SUMMARY_GRAPH}>"
_P = f"<{PENDING_GRAPH}>"
_MARK = f"<{KGO.summaryPending}>"
_PLACES = "kgo:City, kgo:Port, kgo:Country"

def _scan(variables: str, pattern: str) -> str:
    """A subquery over one pattern in any graph: Oxigraph joins such subqueries by hashing,
    one pass over each predicate, where a plain group would look each row up in turn.

    Its rows are distinct: a fact told by k articles would give k rows, and a join of six such
    scans k**6 (the crossings of 10,000 articles retelling stories filled 23 GiB, where the
    distinct rows take 70 MiB at 3,000 articles); every full SELECT counts distinct rows anyway.
    """
    return f"{{ SELECT DISTINCT {variables} WHERE {{ GRAPH ?g {{ {pattern} }} }} }}"


# Each kind of summary fact: the node it describes, the predicates it writes (deleted before
# being written again), the triples, and two SELECTs computing them: for the marked nodes only
# ({R}, first in the pattern, so that Oxigraph's planner starts from the few marked nodes) and
# for the whole store (hash joins of one-pattern scans).  tests/test_summary.py checks that the
# two give the same facts.
_KINDS: list[tuple[str, tuple[str, ...], str, str, str]] = [
    ("p", ("kgo:nameKey",), "?p kgo:nameKey ?k .",
     f"SELECT DISTINCT ?p ?k WHERE {{ {{R}} GRAPH ?g1 {{ ?p a ?cls }} FILTER(?cls IN ({_PLACES})) "
     "GRAPH ?g2 { ?p rdfs:label|skos:altLabel ?n } BIND(LCASE(STR(?n)) AS ?k) }",
     f"SELECT DISTINCT ?p ?k WHERE {{ {_scan('?p ?cls', '?p a ?cls')} FILTER(?cls IN ({_PLACES})) "
     f"{_scan('?p ?n', '?p rdfs:label|skos:altLabel ?n')} BIND(LCASE(STR(?n)) AS ?k) }}"),
    ("p", ("kgo:transitTrains", "kgo:transitArticles"), "?p kgo:transitTrains ?n ; kgo:transitArticles ?m .",
     "SELECT ?p (COUNT(DISTINCT ?t) AS ?n) (COUNT(DISTINCT ?g) AS ?m) WHERE { {R} "
     "GRAPH ?g { ?t kgo:passesThrough ?p } } GROUP BY ?p",
     "SELECT ?p (COUNT(DISTINCT ?t) AS ?n) (COUNT(DISTINCT ?g) AS ?m) WHERE { "
     "GRAPH ?g { ?t kgo:passesThrough ?p } } GROUP BY ?p"),
    ("c", ("kgo:crossingLegs", "kgo:crossingTrains", "kgo:crossingArticles"),
     "?c kgo:crossingLegs ?legs ; kgo:crossingTrains ?trains ; kgo:crossingArticles ?docs .",
     "SELECT ?c (COUNT(DISTINCT ?pair) AS ?legs) (COUNT(DISTINCT ?t) AS ?trains) (COUNT(DISTINCT ?doc) AS ?docs) "
     "WHERE { {R} GRAPH ?g { ?leg kgo:crosses ?c ; a kgo:Leg ; kgo:legOf ?t ; kgo:fromPlace ?a ; kgo:toPlace ?b } "
     "GRAPH ?h { ?t kgo:sourceDocument ?doc } BIND(CONCAT(STR(?a), \" \", STR(?b)) AS ?pair) } GROUP BY ?c",
     "SELECT ?c ?legs ?trains ?docs WHERE { "
     "{ SELECT ?c (COUNT(*) AS ?legs) WHERE { SELECT DISTINCT ?c ?a ?b WHERE { "
     f"{_scan('?leg ?c', '?leg kgo:crosses ?c')} {_scan('?leg ?t', '?leg kgo:legOf ?t')} "
     f"{_scan('?t', '?t kgo:sourceDocument ?doc')} {_scan('?leg ?a', '?leg kgo:fromPlace ?a')} "
     f"{_scan('?leg ?b', '?leg kgo:toPlace ?b')} {_scan('?leg', '?leg a kgo:Leg')} }} }} GROUP BY ?c }} "
     "{ SELECT ?c (COUNT(DISTINCT ?t) AS ?trains) (COUNT(DISTINCT ?doc) AS ?docs) WHERE { "
     f"{_scan('?leg ?c', '?leg kgo:crosses ?c')} {_scan('?leg ?t', '?leg kgo:legOf ?t')} "
     f"{_scan('?t ?doc', '?t kgo:sourceDocument ?doc')} {_scan('?leg', '?leg kgo:fromPlace ?a ; kgo:toPlace ?b')} "
     f"{_scan('?leg', '?leg a kgo:Leg')} }} GROUP BY ?c }} }}"),
    ("d", ("kgo:trainCount",), "?d kgo:trainCount ?n .",
     "SELECT ?d (COUNT(DISTINCT ?t) AS ?n) WHERE { {R} GRAPH ?g { ?d a kgo:Document } "
     "OPTIONAL { GRAPH ?h { ?t kgo:sourceDocument ?d ; a kgo:Train } } } GROUP BY ?d",
     f"SELECT ?d (COUNT(DISTINCT ?t) AS ?n) WHERE {{ {_scan('?d', '?d a kgo:Document')} "
     f"OPTIONAL {{ {_scan('?t ?d', '?t kgo:sourceDocument ?d')} {_scan('?t', '?t a kgo:Train')} }} }} GROUP BY ?d"),
    ("leg", ("kgo:crossingNames",), "?leg kgo:crossingNames ?names .",
     "SELECT ?leg (GROUP_CONCAT(?country; separator=\", \") AS ?names0) WHERE { "
     "SELECT DISTINCT ?leg ?seq ?country WHERE { {R} GRAPH ?g { ?leg a kgo:Leg } "
     "OPTIONAL { GRAPH ?h { ?leg kgo:crossing ?x . ?x kgo:sequence ?seq ; kgo:country ?c } "
     "GRAPH ?i { ?c rdfs:label ?country } } } ORDER BY ?seq } GROUP BY ?leg",
     "SELECT ?leg (GROUP_CONCAT(?country; separator=\", \") AS ?names0) WHERE { "
     f"SELECT DISTINCT ?leg ?seq ?country WHERE {{ {_scan('?leg', '?leg a kgo:Leg')} "
     f"OPTIONAL {{ {_scan('?leg ?x', '?leg kgo:crossing ?x')} {_scan('?x ?c', '?x kgo:country ?c')} "
     f"{_scan('?x ?seq', '?x kgo:sequence ?seq')} {_scan('?c ?country', '?c rdfs:label ?country')} }} }} "
     "ORDER BY ?seq } GROUP BY ?leg"),
    ("t", ("kgo:destinationNames",), "?t kgo:destinationNames ?names .",
     "SELECT ?t (GROUP_CONCAT(DISTINCT ?l; separator=\", \") AS ?names0) WHERE { "
     "SELECT ?t ?l WHERE { {R} GRAPH ?g { ?t a kgo:Train } "
     "OPTIONAL { GRAPH ?h { ?t kgo:destination ?d } GRAPH ?i { ?d rdfs:label ?l } } } ORDER BY ?l } GROUP BY ?t",
     "SELECT ?t (GROUP_CONCAT(DISTINCT ?l; separator=\", \") AS ?names0) WHERE { "
     f"SELECT ?t ?l WHERE {{ {_scan('?t', '?t a kgo:Train')} "
     f"OPTIONAL {{ {_scan('?t ?d', '?t kgo:destination ?d')} {_scan('?d ?l', '?d rdfs:label ?l')} }} }} ORDER BY ?l }} "
     "GROUP BY ?t"),
]

_KINDS += [
    ("t", (f"kgo:{name}",), f"?t kgo:{name} ?name .",
     f"SELECT DISTINCT ?t ?name WHERE {{ {{R}} GRAPH ?g {{ ?t kgo:{prop} ?x }} GRAPH ?h {{ ?x rdfs:label ?name }} }}",
     f"SELECT DISTINCT ?t ?name WHERE {{ {_scan('?t ?x', f'?t kgo:{prop} ?x')} {_scan('?x ?name', '?x rdfs:label ?name')} }}")
    for name, prop in (("originName", "origin"), ("destinationName", "destination"))
]

# a train's document file names, kept on the train (sentences name their document too: only
# trains get them); routes_from lists them through one-pattern subqueries, hash joins, instead of
# a path looked up row by row; evidence texts are not copied: a sentence's text is stored once
# (tests/test_sentences.py), and its two patterns hash as well
_KINDS += [
    ("t", (f"kgo:{name}",), f"?t kgo:{name} ?v .",
     f"SELECT DISTINCT ?t ?v WHERE {{ {{R}} GRAPH ?g {{ ?t a kgo:Train ; kgo:{link} ?x }} "
     f"GRAPH ?h {{ ?x kgo:{prop} ?v }} }}",
     f"SELECT DISTINCT ?t ?v WHERE {{ {_scan('?t', '?t a kgo:Train')} {_scan('?t ?x', f'?t kgo:{link} ?x')} "
     f"{_scan('?x ?v', f'?x kgo:{prop} ?v')} }}")
    for name, link, prop in (("documentName", "sourceDocument", "fileName"),)
]

# one kgo:CargoFlow per (destination country, cargo kind); its IRI is a hash of the two
_FLOWS = (
    "SELECT ?c ?k (COUNT(DISTINCT ?t) AS ?n) WHERE { {R} GRAPH ?g1 { ?c a kgo:Country ; kgo:countryCode ?code } "
    "GRAPH ?g2 { ?d kgo:countryCode ?code } GRAPH ?g3 { ?t kgo:destination ?d ; a kgo:Train ; kgo:cargo ?k } } "
    "GROUP BY ?c ?k"
)
_FLOWS_FULL = (
    f"SELECT ?c ?k (COUNT(DISTINCT ?t) AS ?n) WHERE {{ {_scan('?c ?code', '?c a kgo:Country ; kgo:countryCode ?code')} "
    f"{_scan('?d ?code', '?d kgo:countryCode ?code')} {_scan('?t ?d', '?t kgo:destination ?d')} "
    f"{_scan('?t', '?t a kgo:Train')} {_scan('?t ?k', '?t kgo:cargo ?k')} }} GROUP BY ?c ?k"
)
_FLOW_IRI = f'IRI(CONCAT("{KGR}flow/", MD5(CONCAT(STR(?c), " ", STR(?k)))))'


def _restrict(var: str, pending: bool) -> str:
    return f"GRAPH {_P} {{ ?{var} {_MARK} true }}" if pending else ""


def recompute_operations(*, pending: bool) -> list[str]:
    """SPARQL update operations writing the summary facts (of the marked nodes, if ``pending``).

    With ``pending`` each kind's facts about a marked node are deleted and computed again from
    the store; without, they are only inserted (the caller drops the summary graph first).
    """
    ops: list[str] = []
    for var, predicates, template, marked, full in _KINDS:
        where = marked.replace("{R}", _restrict(var, True)) if pending else full
        if "?names0" in where:  # an empty GROUP_CONCAT is unbound in Oxigraph: write ""
            where = f'{{ {where} }} BIND(COALESCE(?names0, "") AS ?names)'
        if pending:
            ops += [f"DELETE {{ GRAPH {_S} {{ ?{var} {p} ?old }} }} WHERE {{ {_restrict(var, True)} "
                    f"GRAPH {_S} {{ ?{var} {p} ?old }} }}" for p in predicates]
        ops.append(f"INSERT {{ GRAPH {_S} {{ {template} }} }} WHERE {{ {where} }}")
    if pending:
        ops.append(f"DELETE {{ GRAPH {_S} {{ ?f ?pp ?old }} }} WHERE {{ {_restrict('c', True)} "
                   f"GRAPH {_S} {{ ?f kgo:toCountry ?c ; ?pp ?old }} }}")
    ops.append(f"INSERT {{ GRAPH {_S} {{ ?f a kgo:CargoFlow ; kgo:toCountry ?c ; kgo:cargoKind ?k ; "
               f"kgo:trainCount ?n }} }} WHERE {{ {{ {_FLOWS.replace('{R}', _restrict('c', True)) if pending else _FLOWS_FULL} }} "
               f"BIND({_FLOW_IRI} AS ?f) }}")
    return ops


def mark_stored(graph: str) -> list[str]:
    """Operations marking every node of a stored graph (subjects and IRI objects) as pending."""
    g = ox.NamedNode(graph)
    return [f"INSERT {{ GRAPH {_P} {{ ?x {_MARK} true }} }} WHERE {{ GRAPH {g} {{ ?x ?p ?o }} }}",
            f"INSERT {{ GRAPH {_P} {{ ?x {_MARK} true }} }} WHERE {{ GRAPH {g} {{ ?s ?p ?x }} FILTER(isIRI(?x)) }}"]


def mark_document_trains(doc: str) -> str:
    """An operation marking the trains told by document ``doc`` (their ``kgo:documentName`` facts)."""
    d = ox.NamedNode(doc)
    return (f"INSERT {{ GRAPH {_P} {{ ?t {_MARK} true }} }} WHERE {{ GRAPH ?g {{ ?t kgo:sourceDocument {d} }} }}")


def marks_of(triples: Iterable[tuple[object, object, object]]) -> str:
    """Triples (for an ``INSERT DATA``) marking the nodes of graphs about to be written."""
    nodes = {str(t) for s, _, o in triples for t in (s, o) if isinstance(t, URIRef)}
    body = " ".join(f"{ox.NamedNode(n)} {_MARK} true ." for n in sorted(nodes))
    return f"GRAPH {_P} {{ {body} }}" if nodes else ""


def mark_quads(triples: Iterable[tuple[object, object, object]]) -> list[ox.Quad]:
    """The quads :func:`marks_of` writes, for ``Store.extend``."""
    nodes = {str(t) for s, _, o in triples for t in (s, o) if isinstance(t, URIRef)}
    mark, pending = ox.NamedNode(str(KGO.summaryPending)), ox.NamedNode(str(PENDING_GRAPH))
    true = ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean)))
    return [ox.Quad(ox.NamedNode(n), mark, true, pending) for n in sorted(nodes)]


def whole_mark() -> ox.Quad:
    """The one quad saying that the whole summary is pending: the pending graph marks itself.

    A build into an empty store writes it instead of a mark per node (every node would be
    marked, and the marks were most of such a build's writes); :func:`rebuild_operations`
    then computes the summary from the whole store and drops it last.
    """
    pending = ox.NamedNode(str(PENDING_GRAPH))
    true = ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean)))
    return ox.Quad(pending, ox.NamedNode(str(KGO.summaryPending)), true, pending)


def finish_operations() -> list[str]:
    """Operations marking the countries of marked places, recomputing the marked nodes' facts,
    and dropping the marks."""
    countries = (f"INSERT {{ GRAPH {_P} {{ ?c {_MARK} true }} }} WHERE {{ GRAPH {_P} {{ ?x {_MARK} true }} "
                 "GRAPH ?g { ?x kgo:locatedIn ?c } }")
    return [countries, *recompute_operations(pending=True), f"DROP SILENT GRAPH {_P}"]


def rebuild_operations() -> list[str]:
    """Operations dropping the summary graph, computing it again, and dropping the marks last.

    Run one by one, a rebuild cut off half way leaves the marks (the :func:`whole_mark` among
    them), and running them all again finishes it.
    """
    return [f"DROP SILENT GRAPH {_S}", *recompute_operations(pending=False), f"DROP SILENT GRAPH {_P}"]


def rebuild_update() -> str:
    """One update dropping the summary graph and computing it again from the whole store."""
    return " ;\n".join(rebuild_operations())


__all__ = ["PENDING_GRAPH", "SUMMARY_GRAPH", "finish_operations", "mark_document_trains", "mark_quads", "mark_stored", "marks_of",
           "rebuild_operations", "rebuild_update", "recompute_operations", "whole_mark"]
