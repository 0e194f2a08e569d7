"""Plain records passed from extraction to RDF: articles, place mentions and trains."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from .gazetteer import Place


@dataclass
class Mention:
    """A place named in a sentence."""

    place: Place
    text: str
    start: int
    end: int
    sentence: int
    qualifier: bool = False
    implied: bool = False
    """Named only by a demonym on a train's goods ("loaded with Lao corn"): an implied origin."""


@dataclass
class Train:
    """One reported train (or service) and what the text says of it.

    ``destinations`` may hold several places ("heading to A, B and C"): each becomes its own
    route when written out.  ``evidence`` maps a sentence index to the sentence text.
    """

    origin: Place | None = None
    destinations: list[Place] = field(default_factory=list)
    via: list[Place] = field(default_factory=list)
    cargo: list[str] = field(default_factory=list)
    containers: int | None = None
    teu: int | None = None
    tonnes: float | None = None
    days: float | None = None
    date: dt.date | None = None
    date_precision: str | None = None
    """``day``, ``week``, ``month`` or ``year``: how much of ``date`` the text gives (:mod:`kg.dates`)."""
    date_seen: bool = False
    """A sentence of this train named a date (even one that could not be resolved): later ones do not."""
    status: str = "reported"
    sentences: dict[int, str] = field(default_factory=dict)
    main_sentence: int | None = None
    last_sentence: int = 0
    leg_sentences: dict[str, set[int]] = field(default_factory=dict)
    service_list: bool = False
    """The destinations are a service's list ("destinations include A, B, C"): one service each."""
    told: bool = False
    """One sentence gives this one train both ends ("returning from Thailand ... to China")."""
    entered: set[str] = field(default_factory=set)
    """Keys of the countries the text says the train entered."""

    def is_route(self) -> bool:
        """A train is a route when one end at least is a city or port, or when a sentence tells
        this one train's journey from one country to another."""
        ends = [self.origin, *self.destinations]
        return any(p is not None and p.type != "Country" for p in ends) or (
            self.told and self.origin is not None and bool(self.destinations))


@dataclass
class Route:
    """One origin-destination route of one train, as written to the graph."""

    origin: Place | None
    destination: Place | None
    via: list[Place]
    cargo: list[str]
    evidence: str
    sentences: list[str]
    containers: int | None = None
    teu: int | None = None
    tonnes: float | None = None
    days: float | None = None
    date: dt.date | None = None
    date_precision: str | None = None
    """``day``, ``week``, ``month`` or ``year``; ``date`` is the first day of that period."""
    date_basis: str | None = None
    """``"stated"`` when the text dates the train, ``"published"`` when the article's date stands in."""
    status: str = "reported"
    leg_evidence: list[str] = field(default_factory=list)
    train: int = 0
    """Index of the train in its article: routes sharing it are one train with several destinations."""


@dataclass
class Article:
    """An article read from disk and what extraction found in it."""

    name: str
    text: str
    sha256: str
    date: dt.date | None = None
    source: str | None = None
    """Address the article was read from (a ``source:`` line, a URL), if known."""
    url: str | None = None
    """Canonical address (normalised, see :func:`kg.identity.normalise_url`), when the input gives one."""
    title: str | None = None
    """Headline: a page's title, a feed entry's title or a ``title:`` line."""
    publisher: str | None = None
    """Site or outlet: a page's site name, a feed's title or a ``publisher:`` line."""
    mentions: list[Mention] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)

    @cached_property
    def body(self) -> str:
        """The text as the parser reads it (:func:`kg.extract.reading.clean_text`), cleaned once.

        A build reads it twice: to parse the article and for its signature (:mod:`kg.dedup`).
        """
        from .extract.reading import clean_text

        return clean_text(self.text)

    @property
    def key(self) -> str:
        """Identity of the document: from its canonical URL when known, else from its text.

        The same article saved under two names has one key; a renamed file keeps its key
        (see :func:`kg.identity.document_key`).
        """
        from .identity import document_key

        return document_key(self.url or self.source, self.text)
