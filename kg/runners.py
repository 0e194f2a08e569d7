"""Where extraction runs: in this process, in a pool of local processes, or on a Dask cluster.

Each runner takes articles lazily and yields them extracted, in the order given, holding only
a bounded window of articles in flight, so a build's memory does not grow with the corpus.
Workers load the spaCy pipeline and the gazetteer once per process; the store is written by
the caller alone.  The same code extracts every batch, so the facts do not depend on the runner.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ._errors import InputError
from .model import Article

BATCH = 8
"""Articles sent to a worker at a time."""


def extract_batch(articles: list[Article], model: str | None = None) -> list[Article]:
    """Extract a batch of articles with this process's pipeline (loaded on first use)."""
    from . import nlp as nlp_mod
    from .extract import extract_articles
    from .gazetteer import default

    nlp, gazetteer = nlp_mod.load(model), default()
    return list(nlp_mod.zoned(nlp, articles,
                              lambda chunk: extract_articles(chunk, nlp=nlp, gazetteer=gazetteer)))


def run_local(articles: Iterable[Article], *, model: str | None = None) -> Iterator[Article]:
    """Extract in this process, streaming through ``nlp.pipe``."""
    from . import nlp as nlp_mod
    from .extract import iter_extract
    from .gazetteer import default

    nlp, gazetteer = nlp_mod.load(model), default()
    yield from nlp_mod.zoned(nlp, articles, lambda chunk: iter_extract(chunk, nlp=nlp, gazetteer=gazetteer))


def run_pool(articles: Iterable[Article], *, workers: int, model: str | None = None,
             pool: Any = None) -> Iterator[Article]:
    """Extract in ``workers`` local processes (each loads the pipeline once).

    ``pool``: one :func:`started_pool` gave, already warming up while the caller read its
    inputs (else one is started here and closed at the end).
    """
    if pool is None:
        with started_pool(workers, model=model) as own:
            yield from run_pool(articles, workers=workers, model=model, pool=own)
        return

    def submit(batch: list[Article]) -> Any:
        return pool.apply_async(extract_batch, (batch, model))

    yield from _windowed(articles, submit, lambda job: job.get(), window=2 * workers)


@contextmanager
def started_pool(workers: int, *, model: str | None = None) -> Iterator[Any]:
    """A pool of ``workers`` fresh processes that load the pipeline and gazetteer as soon as they start.

    Started before a build reads its inputs and opens its store, the workers' start-up (an
    interpreter, spaCy, the model: about 1.5 s) overlaps the parent's own.
    """
    import multiprocessing as mp

    ctx = mp.get_context("spawn")  # a clean interpreter: no state (or threads) forked from the parent
    with _one_thread_each():
        pool = ctx.Pool(workers, initializer=_warm, initargs=(model,))
    with pool:
        yield pool


def run_dask(articles: Iterable[Article], *, address: str, model: str | None = None) -> Iterator[Article]:
    """Extract on the Dask cluster whose scheduler is at ``address`` (``tcp://host:8786``).

    The workers need ``kg`` and its spaCy pipeline installed; each loads the pipeline once.

    Raises
    ------
    InputError
        When ``dask.distributed`` is not installed or the scheduler cannot be reached.
    """
    try:
        from distributed import Client
    except ImportError as exc:
        raise InputError("--dask needs dask.distributed: pip install 'kg[dask]' (or distributed)") from exc
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"--dask {address}: cannot reach a Dask scheduler there ({exc}); start one "
                         "with `dask scheduler` and workers with `dask worker ADDRESS`, or check the "
                         "address") from exc
    with client:
        workers = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))

        def submit(batch: list[Article]) -> Any:
            return client.submit(extract_batch, batch, model, pure=False)

        yield from _windowed(articles, submit, lambda future: future.result(), window=2 * workers)


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                    "NUMEXPR_NUM_THREADS")
"""Thread-pool sizes of the numeric libraries; each worker gets 1 (the workers are the parallelism)."""


@contextmanager
def _one_thread_each() -> Iterator[None]:
    """Start processes with one thread per numeric library (unless the user set a number)."""
    saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    for name, value in saved.items():
        if value is None:
            os.environ[name] = "1"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)


def _warm(model: str | None) -> None:
    """Pool initializer: load the pipeline and gazetteer before the first batch arrives."""
    from . import nlp as nlp_mod
    from .gazetteer import default

    nlp_mod.load(model)
    default()


def _windowed(articles: Iterable[Article], submit: Callable[[list[Article]], Any],
              result: Callable[[Any], list[Article]], *, window: int) -> Iterator[Article]:
    """Submit batches while at most ``window`` are in flight; yield their articles in order."""
    batches = _batches(articles, BATCH)
    pending = [submit(b) for b in itertools.islice(batches, window)]
    while pending:
        job = pending.pop(0)
        nxt = next(batches, None)
        if nxt is not None:
            pending.append(submit(nxt))
        yield from result(job)


def _batches(items: Iterable[Article], n: int) -> Iterator[list[Article]]:
    it = iter(items)
    while batch := list(itertools.islice(it, n)):
        yield batch
