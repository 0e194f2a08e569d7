"""Building the graph: articles on disk -> extraction -> one named graph per article in the store."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote

from rdflib import Graph

from . import __version__
from ._errors import InputError
from .extract import collect_paths, read_article
from .model import Article
from .rdf import article_graph, document_iri, shared_graph
from .store import GraphStore, RemoteStore, open_store

_FACT_SOURCES = ("extract", "gazetteer.py", "rdf.py", "data")


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
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        return [
            f"store       {self.store}",
            f"articles    {self.read} read, {self.extracted} extracted, {self.unchanged} unchanged",
            f"documents   {self.documents}",
            f"trains      {self.trains}",
            f"places      {self.places}",
            f"triples     {self.triples}",
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
) -> BuildSummary:
    """Extract facts from articles and store them, one named graph per article.

    Articles stream from disk to the store: each file is read once up front (to refuse a bad
    one before anything is written, and to skip unchanged ones), then read again when its turn
    comes, so memory stays flat however many articles there are.

    Parameters
    ----------
    paths
        ``.txt`` files and folders of them.
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

    Returns
    -------
    BuildSummary

    Raises
    ------
    InputError
        Before anything is written, when a path is missing or a file is not readable text.
    """
    from . import settings

    started = time.perf_counter()
    files = collect_paths(Path(p) for p in paths)
    _check_names(files)
    hashes = [(f, read_article(f).sha256) for f in files]
    version = extractor_version()
    dask = dask or settings.dask
    with open_store(store) as st:
        summary = BuildSummary(store=st.location, read=len(files))
        known = _known(st)
        todo = [f for f, sha in hashes if force or known.get(f.name) != (sha, version)]
        summary.unchanged = len(files) - len(todo)
        if todo:
            from .gazetteer import default

            countries = default().countries
            for done, article in enumerate(_extracted((read_article(f) for f in todo), model=model,
                                                      workers=workers, dask=dask), start=1):
                graph = article_graph(article, version=version)
                shared = shared_graph(article, countries=countries)
                if not validate or _conforms(article.name, graph, shared, summary):
                    st.replace_graph(document_iri(article.name), graph, shared=shared)
                    summary.routes_added += len(article.routes)
                if progress is not None:
                    progress(article.name, done, len(todo))
        summary.extracted = len(todo)
        counts = st.count()
    summary.documents, summary.trains = counts["documents"], counts["trains"]
    summary.places, summary.triples = counts["places"], counts["triples"]
    summary.seconds = time.perf_counter() - started
    return summary


def _extracted(articles: Iterator[Article], *, model: str | None, workers: int,
               dask: str | None) -> Iterator[Article]:
    """The articles extracted by the runner the options name (see :mod:`kg.runners`)."""
    from . import runners

    if dask:
        return runners.run_dask(articles, address=dask, model=model)
    if workers > 1:
        return runners.run_pool(articles, workers=workers, model=model)
    return runners.run_local(articles, model=model)


def _conforms(name: str, graph: Graph, shared: Graph, summary: BuildSummary) -> bool:
    """Whether one article's facts meet the shapes; its problems go into ``summary`` either way."""
    from .validate import check_graph

    found = check_graph(graph + shared)
    summary.problems += [f"{name}: {v.line()}" for v in found]
    if any(v.severity == "Violation" for v in found):
        summary.refused.append(name)
        return False
    return True


def remove(names: Iterable[str], *, store: str | Path | None = None) -> list[str]:
    """Drop the facts of the named articles (file names); returns the names that were present.

    Raises
    ------
    InputError
        When none of the names is in the store.
    """
    removed = []
    with open_store(store) as st:
        for name in names:
            if st.remove_graph(document_iri(Path(name).name)):
                removed.append(name)
    missing = [n for n in names if n not in removed]
    if missing and not removed:
        raise InputError(f"no article named {', '.join(missing)} in the store; `kg query documents` lists them")
    return removed


def _known(st: GraphStore | RemoteStore) -> dict[str, tuple[str, str]]:
    """File name -> (SHA-256, extractor version) of the articles already stored."""
    return {name: (sha, unquote(gen.rsplit("/", 1)[-1])) for name, (sha, gen) in st.documents().items()}


def _check_names(files: list[Path]) -> None:
    seen: dict[str, Path] = {}
    for f in files:
        if f.name in seen and seen[f.name].resolve() != f.resolve():
            raise InputError(
                f"two articles share the file name {f.name!r} ({seen[f.name]} and {f}); "
                "article names identify documents in the graph, so rename one"
            )
        seen[f.name] = f
