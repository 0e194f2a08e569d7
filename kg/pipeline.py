"""Building the graph: articles on disk -> extraction -> one named graph per article in the store."""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from rdflib import Graph, URIRef

from . import __version__
from ._errors import InputError, StoreError
from .model import Article
from .rdf import article_graph, document_iri, is_legacy_document, shared_graph, train_groups, train_iri
from .store import GraphStore, RemoteStore, open_store

if TYPE_CHECKING:
    from .dedup import Signatures, TrainOwners
    from .inputs import Fetcher
    from .inputs.spool import Held, Spool

FLUSH_TRIPLES = 20_000
"""Triples written between two flushes of the store (see :class:`_Flush`)."""
_FACT_SOURCES = ("extract", "gazetteer.py", "rdf.py", "dates.py", "dedup.py", "data")


@cache
def extractor_version() -> str:
    """``kg`` version plus a fingerprint of the code and data that make facts.

    An article whose bytes and extractor version are unchanged is not parsed again.
    """
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for name in _FACT_SOURCES:
        path = root / name
        for f in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(f.name.encode())
                h.update(f.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


@dataclass
class BuildSummary:
    """What a build did and what the store holds afterwards."""

    store: str
    read: int = 0
    extracted: int = 0
    unchanged: int = 0
    routes_added: int = 0
    documents: int = 0
    trains: int = 0
    places: int = 0
    triples: int = 0
    """Triples stored over all graphs (a fact two articles tell counts twice: see GraphStore.count)."""
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    legacy: int = 0
    """Documents an older ``kg`` stored under file-name IRIs (building their files again replaces them)."""
    skipped: list[str] = field(default_factory=list)
    """One line per input that held no article (``NAME: reason``): not stored, the build went on."""
    copies: dict[str, tuple[str, float]] = field(default_factory=dict)
    """Article name -> (document IRI it copies, estimated similarity): their shared trains are one."""

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        return [
            f"store       {self.store}",
            f"articles    {self.read} read, {self.extracted} extracted, {self.unchanged} unchanged",
            f"documents   {self.documents}",
            f"trains      {self.trains}",
            f"places      {self.places}",
            f"triples     {self.triples} in all graphs (a fact told by two articles counts for each)",
            *([f"skipped     {len(self.skipped)} input(s) with no article"] if self.skipped else []),
            *([f"older       {self.legacy} article(s) stored by an older kg under their file names: "
               "build their files again (kg build PATHS) to replace them"] if self.legacy else []),
            *([f"copies      {len(self.copies)} article(s) retell a stored story: their trains are "
               "counted once"] if self.copies else []),
            f"validation  {self._validation()}",
            f"time        {self.seconds:.1f} s",
        ]

    def _validation(self) -> str:
        if self.refused:
            return (f"{len(self.problems)} problem(s) in {len(self.refused)} article(s), not stored: "
                    f"{', '.join(self.refused)}")
        return f"{len(self.problems)} problem(s): run kg validate" if self.problems else "ok"


def build(
    paths: Iterable[str | Path],
    *,
    store: str | Path | None = None,
    model: str | None = None,
    force: bool = False,
    validate: bool = True,
    workers: int = 1,
    dask: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    fetcher: Fetcher | None = None,
) -> BuildSummary:
    """Extract facts from articles and store them, one named graph per article.

    Every input is read up front (to refuse a bad one before anything is written, download
    URLs, and skip unchanged documents) into a temporary file (:mod:`kg.inputs.spool`); the
    articles to extract are then streamed from it to the runner and each is written to the
    store as soon as it is extracted, so memory stays flat in the number of articles.

    Parameters
    ----------
    paths
        ``.txt`` articles, saved pages (``.html``), RSS/Atom feeds, folders of them and http(s)
        URLs (see :mod:`kg.inputs`).  An input that holds no article (an index page, a 404, a
        PDF ...) is named in ``summary.skipped`` with its reason and the others are built.
    store
        Store folder (default :data:`kg.settings.store`).
    model
        spaCy pipeline name (default: the first installed English small pipeline).
    force
        Re-extract articles even when their text and the extractor are unchanged.
    validate
        Check each article's facts against the SHACL shapes before storing them.  An article
        that breaks them is not stored (a version stored before stays as it was): it is named
        in ``summary.refused`` and its violations in ``summary.problems``, so the store keeps
        conforming and a later build tries the article again.
    workers
        Extract in this many local processes (1: in this process).
    dask
        Address of a Dask scheduler (``tcp://host:8786``) to extract on instead (default
        :data:`kg.settings.dask`); this process still writes the store.
    progress
        Called as ``progress(article_name, done, total)`` after each article.
    fetcher
        Downloads URLs through the web cache (default: a :class:`kg.inputs.Fetcher` with the
        settings' cache folder and limits).

    Returns
    -------
    BuildSummary

    Raises
    ------
    InputError
        Before anything is written, when a path is missing or a ``.txt`` file is not readable text.
    """
    from . import settings
    from .inputs.spool import Spool

    started = time.perf_counter()
    dask = dask or settings.dask
    early = workers > 1 and not dask
    with _early_pool(workers, model) if early else contextlib.nullcontext() as pool:
        spool = Spool()
        held, skipped = _spooled(paths, spool, fetcher)
        summary = _build(held, skipped, spool, store=store, model=model, force=force, validate=validate,
                         workers=workers, dask=dask, progress=progress, pool=pool)
    summary.seconds = time.perf_counter() - started
    return summary


def _early_pool(workers: int, model: str | None) -> contextlib.AbstractContextManager[Any]:
    """The worker pool of ``--workers N``, started first so its start-up overlaps reading the inputs."""
    from .runners import started_pool

    return started_pool(workers, model=model)


def _build(held: list[Held], skipped: list[str], spool: Spool, *, store: str | Path | None,
           model: str | None, force: bool, validate: bool, workers: int, dask: str | None,
           progress: Callable[[str, int, int], None] | None, pool: Any) -> BuildSummary:
    """The body of :func:`build` once the inputs are spooled: extract what changed and store it."""
    articles = _one_per_document(held)
    version = extractor_version()
    with spool, open_store(store) as st:
        summary = BuildSummary(store=st.location, read=len(articles), skipped=skipped)
        known = _known(st)
        todo = [a for a in articles if force or known.get(a.iri, ("",))[1:] != (a.sha256, version)]
        chosen = {id(a) for a in todo}
        _rename_moved(st, [a for a in articles if id(a) not in chosen], known)
        summary.unchanged = len(articles) - len(todo)
        stale = _stale(known, todo)
        legacy = {iri for iri in known if is_legacy_document(iri)}  # a build writes none, drops some
        if todo:
            with st.deferred_summary():  # the summary is recounted once, after the last article
                _write(st, todo, spool, summary, known=known, stale=stale, legacy=legacy,
                       version=version, model=model, validate=validate, workers=workers, dask=dask,
                       progress=progress, pool=pool)
        summary.extracted = len(todo)
        counts = st.count()
    summary.legacy = len(legacy)
    summary.documents, summary.trains = counts["documents"], counts["trains"]
    summary.places, summary.triples = counts["places"], counts["triples"]
    return summary


def _write(st: GraphStore | RemoteStore, todo: list[Held], spool: Spool, summary: BuildSummary, *,
           known: dict[str, tuple[str, str, str]], stale: dict[str, list[str]], legacy: set[str],
           version: str, model: str | None, validate: bool, workers: int, dask: str | None,
           progress: Callable[[str, int, int], None] | None, pool: Any) -> None:
    """Extract the articles of ``todo`` and write each to the store as soon as it is extracted.

    What the writes need in memory (the stored signatures and trains, kept up to date) lives
    only here, so it is freed before the summary of the build is recounted (the last and
    highest point of a build's memory).  ``legacy`` loses the legacy documents that articles
    replace.
    """
    from .dedup import stored_signatures, train_owners
    from .gazetteer import default

    signatures, owners = stored_signatures(st), train_owners(st)
    countries = default().countries
    flush = _Flush(st)
    articles = _extracted((spool.load(a) for a in todo), model=model, workers=workers, dask=dask, pool=pool)
    for done, article in enumerate(articles, start=1):
        doc = document_iri(article)
        sig, iris, digests = _shared_trains(st, article, signatures, owners, summary)
        graph = article_graph(article, version=version, signature=sig, train_iris=iris)
        shared = shared_graph(article, countries=countries)
        if not validate or _conforms(article.name, graph, shared, summary):
            gone = stale.get(article.name, [])
            st.replace_graph(doc, graph, shared=shared, drop=gone, new=str(doc) not in known)
            flush.wrote(len(graph) + len(shared))
            summary.routes_added += len(article.routes)
            signatures.add(str(doc), sig)
            owners.written(str(doc), [str(t) for t in iris.values()], digests=digests)
            legacy.difference_update(gone)
        if progress is not None:
            progress(article.name, done, len(todo))


def _shared_trains(st: GraphStore | RemoteStore, article: Article, signatures: Signatures,
                   owners: TrainOwners, summary: BuildSummary,
                   ) -> tuple[str, dict[int, URIRef], dict[str, bytes]]:
    """The article's signature, the IRIs of its trains, and each train IRI's key digest.

    Where the article copies a stored one (:mod:`kg.dedup`), a train told by both takes the
    stored train's IRI; every other train its own (never one another article's graph holds).
    The copy's trains come from ``owners`` when this build wrote it (most copies in a big
    build copy an article of the same build), else from its graph in the store.
    """
    from .dedup import article_train_key, key_digest, signature, stored_train_keys
    doc = str(document_iri(article))
    sig = signature(article.body)
    copy = signatures.copy_of(doc, sig)
    theirs = owners.keys_of(copy[0]) if copy else {}
    if theirs is None:
        try:
            theirs = {key_digest(k): t for k, t in stored_train_keys(st, copy[0]).items()}  # type: ignore[index]
        except StoreError as exc:
            raise StoreError(f"{exc}; the articles written so far are whole, so run the command again once "
                             "the store is back") from exc
    taken = owners.taken(doc, owners.prefix(str(train_iri(URIRef(doc), 0))))
    iris: dict[int, URIRef] = {}
    digests: dict[str, bytes] = {}
    for n, routes in train_groups(article):
        full = article_train_key(routes)
        key = key_digest(full)
        if key in theirs:
            iris[n] = URIRef(theirs.pop(key))
        else:
            own = train_iri(URIRef(doc), n)
            if str(own) in taken:  # a copy still holds this number for a train this version no longer tells
                own = URIRef(f"{own}-{hashlib.sha256(repr(full).encode()).hexdigest()[:8]}")
            iris[n] = own
        digests[str(iris[n])] = key
    if copy:
        summary.copies[article.name] = (copy[0], round(copy[1], 3))
    return sig, iris, digests


def _extracted(articles: Iterator[Article], *, model: str | None, workers: int,
               dask: str | None, pool: Any = None) -> Iterator[Article]:
    """The articles extracted by the runner the options name (see :mod:`kg.runners`)."""
    from . import runners

    if dask:
        return runners.run_dask(articles, address=dask, model=model)
    if workers > 1:
        return runners.run_pool(articles, workers=workers, model=model, pool=pool)
    return runners.run_local(articles, model=model)


def _conforms(name: str, graph: Graph, shared: Graph, summary: BuildSummary) -> bool:
    """Whether one article's facts meet the shapes; its problems go into ``summary`` either way."""
    from .validate import check_graph

    found = check_graph(graph, shared)
    summary.problems += [f"{name}: {v.line()}" for v in found]
    if any(v.severity == "Violation" for v in found):
        summary.refused.append(name)
        return False
    return True


def remove(names: Iterable[str], *, store: str | Path | None = None) -> list[str]:
    """Drop the facts of the named articles (file names or URLs); returns the names that were present.

    Raises
    ------
    InputError
        When none of the names is in the store.
    """
    names = list(names)
    removed = []
    with open_store(store) as st, st.deferred_summary():
        for name in names:
            iris = st.find_documents(name) or st.find_documents(Path(name).name)
            if any([st.remove_graph(URIRef(iri)) for iri in iris]):
                removed.append(name)
    missing = [n for n in names if n not in removed]
    if missing and not removed:
        raise InputError(f"no article named {', '.join(missing)} in the store (give a file name or URL); "
                         "`kg query documents` lists them")
    return removed


def _known(st: GraphStore | RemoteStore) -> dict[str, tuple[str, str, str]]:
    """Document IRI -> (file name, SHA-256, extractor version) of the articles already stored."""
    return {iri: (name, sha, unquote(gen.rsplit("/", 1)[-1]))
            for iri, (name, sha, gen) in st.documents().items()}


def _spooled(paths: Iterable[str | Path], spool: Spool,
             fetcher: Fetcher | None) -> tuple[list[Held], list[str]]:
    """Read every input into ``spool``: the records of the articles, and a line per input skipped.

    Only the records stay in memory (the texts wait on disk), so memory does not grow with the
    corpus.  The spool is closed when reading fails.
    """
    from .inputs import Skipped, iter_inputs

    held: list[Held] = []
    skipped: list[str] = []
    try:
        for name, result in iter_inputs(paths, fetcher=fetcher):
            if isinstance(result, Article):
                held.append(spool.add(result))
            else:
                skipped.append(Skipped(name, result).line())
    except BaseException:
        spool.close()
        raise
    return held, skipped


class _Flush:
    """Flushes the store after every :data:`FLUSH_TRIPLES` triples written.

    RocksDB, under the on-disk Oxigraph store, keeps what a build writes in memory tables
    (one per index) until they reach 64 MB each: without a flush a build's memory grows with
    every article written (about 17 MiB per 1,000 small articles).  A flush writes them to
    disk and frees them; it takes milliseconds.
    """

    def __init__(self, st: GraphStore | RemoteStore) -> None:
        self.st = st
        self.pending = 0

    def wrote(self, triples: int) -> None:
        """Count ``triples`` just written; flush when enough are pending."""
        self.pending += triples
        if self.pending >= FLUSH_TRIPLES:
            self.st.flush()
            self.pending = 0


def _one_per_document(articles: list[Held]) -> list[Held]:
    """Each document once (the same article saved under two names is one: the first name is kept).

    Raises
    ------
    InputError
        When two different articles share one name (names label documents in answers).
    """
    by_key: dict[str, Held] = {}
    by_name: dict[str, Held] = {}
    for a in articles:
        by_key.setdefault(a.key, a)
        other = by_name.setdefault(a.name, a)
        if other.key != a.key:
            raise InputError(
                f"two different articles share the name {a.name!r}; "
                "article names label documents in answers, so rename one"
            )
    return list(by_key.values())


def _rename_moved(st: GraphStore | RemoteStore, unchanged: list[Held],
                  known: dict[str, tuple[str, str, str]]) -> None:
    """An unchanged document read under a new file name (a renamed file) takes the new name."""
    for a in unchanged:
        if known[a.iri][0] != a.name:
            st.rename_document(a.iri, a.name)


def _stale(known: dict[str, tuple[str, str, str]], todo: list[Held]) -> dict[str, list[str]]:
    """File name -> stored documents an article of that name replaces.

    A document with no URL is known by its text, so an edited file gets a new IRI: the version
    stored before under the same file name goes.  So does one an older ``kg`` stored under a
    file-name IRI.  Documents with a URL are kept: two pages may share a file name.
    """
    keep = {a.iri for a in todo}
    out: dict[str, list[str]] = {}
    for iri, (name, _, _) in known.items():
        tail = iri.rsplit("/", 1)[-1]
        if iri not in keep and (is_legacy_document(iri) or tail.startswith("t-")):
            out.setdefault(name, []).append(iri)
    return out
