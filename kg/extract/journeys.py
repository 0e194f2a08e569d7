"""Journeys: which train each sentence talks about, and one journey per train from the whole article.

Across sentences, a definite mention ("the train", "the cargo", "the journey", "it") continues
the current train; an indefinite one ("a freight train") or a clashing origin starts a new one.
A later destination inside the earlier destination's country refines it (Afghanistan ->
Hairatan).  Sentences inside quotation marks, existential "there are trains ..." sentences and
negated ones give no routes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..gazetteer import Place
from ..model import Mention, Route, Train
from .attributes import Attributes
from .roles import Roles, SentenceGrammar

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span


class JourneyReader:
    """Walks the sentences of one document, keeping the current train."""

    def __init__(self, doc: Doc, mentions: list[Mention], date: dt.date | None) -> None:
        self.g = SentenceGrammar(doc, mentions)
        self.attrs = Attributes(self.g, date)
        self.doc = doc
        self.lex = self.g.lex
        self.sents = list(doc.sents)
        self.trains: list[Train] = []
        self.current: Train | None = None
        self.roles_seen: list[Roles] = []

    def read(self) -> list[Train]:
        """The trains of the document, each assembled from every sentence that tells of it."""
        for si, sent in enumerate(self.sents):
            if self.g.skip(sent):
                continue
            told = False
            for roles in self.g.frames(si, sent):
                if self.g.generic(roles) and not (roles.origins and roles.dests):
                    continue  # "There are also trains between China and Central Asia, departing from ..."
                if roles.any():
                    told = True
                    self.roles_seen.append(roles)
                    self._place_roles(si, sent, roles)
            if not told and self.current is not None and self.g.refers_to_train(sent) \
                    and si - self.current.last_sentence <= 3:
                self.attrs.fill(self.current, si, sent)
        role_places = self._role_places()
        for train in self.trains:
            _entered_end(train)
            if train.is_route() and train.destinations:
                self._most_specific(train, role_places)
            _drop_origin_country(train)
        return _merge_same(self.trains)

    def _most_specific(self, train: Train, role_places: dict[str, dict[str, list[Place]]]) -> None:
        """An end given as a country becomes the city or port the article gives for that role there.

        "a terminus in Spain ... Madrid in Spain": when the article gives the same role (origin,
        or destination) to exactly one city or port of that country, anywhere, that place is the
        end.  With none, or with several, the country stays.
        """
        def specific(role: str, country: Place, exclude: set[Place]) -> Place | None:
            found = [p for p in role_places[role].get(country.country, []) if p not in exclude]
            return found[0] if len(found) == 1 else None

        ends = {train.origin, *train.destinations}
        if train.origin is not None and train.origin.type == "Country":
            train.origin = specific("origins", train.origin, ends - {train.origin}) or train.origin
        refined = []
        for dest in train.destinations:
            if dest.type == "Country":
                dest = specific("dests", dest, {train.origin, *train.via} - {None}) or dest
            refined.append(dest)
        train.destinations = _unique(refined)
        train.via = [v for v in train.via if v != train.origin and v not in train.destinations]

    def _role_places(self) -> dict[str, dict[str, list[Place]]]:
        """Cities and ports the article gives each role, by country, in order."""
        out: dict[str, dict[str, list[Place]]] = {"origins": {}, "dests": {}}
        for role, by_country in out.items():
            for roles in self.roles_seen:
                for m in getattr(roles, role):
                    if m.place.type != "Country":
                        places = by_country.setdefault(m.place.country, [])
                        if m.place not in places:
                            places.append(m.place)
        return out

    def _place_roles(self, si: int, sent: Span, roles: Roles) -> None:
        """Give sentence ``si``'s roles to the train it tells of: the current one, or a new one."""
        cur = self.current
        for m in roles.named:  # a name is the train's origin ("the Zhengzhou train"), unless it is where
            if cur is None or not any(_compatible(m.place, d) for d in cur.destinations):  # the train goes
                roles.origins.append(m)
        specific = [m.place for m in roles.origins if m.place.type != "Country"]
        origin = specific[0] if specific else roles.origins[0].place if roles.origins else None
        start = origin or (self.current.origin if self.current is not None and not roles.returning else None)
        dests = [d for d in _unique(m.place for m in roles.dests) if d != start]
        vias = _unique(m.place for m in roles.travel_order(roles.vias))
        cur = self.current
        if roles.returning and cur is not None and (cur.destinations or cur.origin is not None):
            # The way back is a train of its own: from where the train went, to where it came from.
            origin = origin or (cur.destinations[0] if cur.destinations else None)
            dests = [d for d in dests if d != origin] or ([cur.origin] if cur.origin not in (None, origin) else [])
            cur = None
        elif cur is not None and self._continues(roles) and self._goes_beyond(roles, cur, origin, dests):
            pass  # the end the train was said to have was only a point on its way
        elif cur is not None and dests and all(  # no origin, or only "leaves China" on the way
                m.place.type == "Country" and cur.origin is not None and _compatible(m.place, cur.origin)
                for m in roles.origins) and self._en_route(roles, cur, dests):
            # "It entered Russia ... then headed to Moscow and Poland" after "left Harbin for Hamburg".
            vias = _unique([*vias, *dests])
            dests = []
        elif cur is not None and (self._starts_new(roles, cur, origin, dests)):
            if origin is None and cur.origin is not None:
                origin = cur.origin  # "new destinations ... including A, B" from the same city
            cur = None
        if cur is None:
            # A train announced for the future ("will launch") is kept apart from those that ran.
            cur = Train(status="planned" if roles.planned else "reported")
            self.trains.append(cur)
            self.current = cur
        for m in (*roles.origins[:1], *roles.dests, *roles.vias):
            cur.leg_sentences.setdefault(m.place.key, set()).add(si)
        if origin is not None and origin.key not in cur.leg_sentences:
            cur.leg_sentences[origin.key] = {si}
        self._merge(cur, si, sent, origin, dests, vias)
        anchor = roles.anchor
        if roles.origins and roles.dests and anchor is not None and (
                anchor.tag_ == "NN" and self.g.is_train(anchor) or anchor.lower_ == "it"):
            cur.told = True
        cur.entered |= {m.place.key for m in roles.vias if m.start in roles.entered}
        if len(roles.dests) > 1 and self._listed(roles):
            cur.service_list = True
        self.attrs.fill(cur, si, sent)

    def _listed(self, roles: Roles) -> bool:
        """Whether the destinations are listed as a service's: "destinations include A, B",
        "destinations such as A and B", "new destinations, including A, B" (not "the cargo
        including tools is heading to A and B")."""
        for m in roles.dests:
            t = self.doc[m.start:m.end].root
            while t.dep_ in {"conj", "appos"} and t.head is not t:
                t = t.head
            gov = t.head
            if gov.lower_ in {"including", "like"} or gov.lower_ == "as" and gov.i > 0 \
                    and self.doc[gov.i - 1].lower_ == "such" or gov.lemma_.lower() in self.lex.include_verbs:
                return True
        anchor = roles.anchor
        return anchor is not None and anchor.lemma_.lower() in self.lex.destination_nouns

    @staticmethod
    def _continues(roles: Roles) -> bool:
        """Whether the sentence's train word continues the current train ("it", "the train")."""
        anchor = roles.anchor
        return anchor is not None and (anchor.lower_ in {"it", "which", "that"} or any(
            c.lower_ in {"the", "this", "its"} for c in anchor.children))

    @staticmethod
    def _goes_beyond(roles: Roles, cur: Train, origin: Place | None, dests: list[Place]) -> bool:
        """Ends of the current train that a continuing sentence shows to be points on the way.

        A border port the train "left" or "reached" becomes transit when the article gives an end
        beyond it ("left Mohan" ... "ores from Russia"; "heading to Irkeshtam" ... "to Tashkent"),
        and so does any destination when a new one is called final ("... for their final
        destination in Bangkok").  The current train takes the new ends; returns whether it did.
        """
        moved = False
        if roles.final and dests and cur.destinations and not any(
                _compatible(d, c) for d in dests for c in cur.destinations):
            for c in cur.destinations:
                if c not in cur.via:
                    _add_transit(cur.via, c)
            cur.destinations = []
            moved = True
        if origin is not None and cur.origin is not None and cur.origin.type == "Port" \
                and not _compatible(origin, cur.origin) and origin not in cur.destinations:
            cur.via.insert(0, cur.origin)
            cur.origin = origin
            moved = True
        if dests and cur.destinations and all(d.type == "Port" for d in cur.destinations) \
                and not any(_compatible(d, c) for d in dests for c in cur.destinations):
            cur.via.extend(d for d in cur.destinations if d not in cur.via)
            cur.destinations = []
            moved = True
        return moved

    def _en_route(self, roles: Roles, cur: Train, dests: list[Place]) -> bool:
        """Whether new destinations of the current train are places it passes on the way.

        They are when the sentence continues the train ("it", "the train") and the train already
        has a city or port for destination that none of the new places contains or equals.
        """
        known = [d for d in cur.destinations if d.type != "Country"]
        return self._continues(roles) and bool(known) and not any(
            _compatible(d, k) for d in dests for k in known)

    def _starts_new(self, roles: Roles, cur: Train, origin: Place | None, dests: list[Place]) -> bool:
        anchor = roles.anchor
        if anchor is not None and any(c.lower_ in {"a", "an", "another"} for c in anchor.children) \
                and self.g.is_train(anchor) and roles.origins:
            return True
        if origin is not None and cur.origin is not None and not _compatible(origin, cur.origin):
            return True
        if dests and cur.destinations and not all(
                any(_compatible(d, c) for c in cur.destinations) for d in dests):
            return True
        return False

    def _merge(self, cur: Train, si: int, sent: Span, origin: Place | None,
               dests: list[Place], vias: list[Place]) -> None:
        if origin is not None and (cur.origin is None or _more_specific(origin, cur.origin)):
            cur.origin = origin
        if dests:
            if not cur.destinations:
                cur.destinations = dests
                cur.main_sentence = si
            elif all(c in vias or any(_more_specific(v, c) for v in vias) for c in cur.destinations):
                # "bound for Vientiane in Laos ... its final destination in Bangkok": the old end is
                # now a point on the way
                for c in cur.destinations:
                    if c not in vias and c not in cur.via:
                        _add_transit(cur.via, c)
                cur.destinations = dests
                cur.main_sentence = si
            else:
                refined = [d for d in dests if any(_more_specific(d, c) for c in cur.destinations)]
                if refined:
                    cur.destinations = refined
                    cur.main_sentence = si
        for v in vias:
            if v not in cur.via and v != cur.origin and (v not in cur.destinations or v.type == "Country"):
                _add_transit(cur.via, v)  # a country both crossed and (for now) the end stays: it may
                # give way to a city inside it ("arrived in Poland" ... "unloaded in Lodz")
        if cur.main_sentence is None:
            cur.main_sentence = si
        cur.sentences[si] = sent.text.strip()
        cur.last_sentence = si


def _entered_end(train: Train) -> None:
    """A train told only to enter a country ends there: "a train loaded with Lao corn entered China"."""
    if not train.destinations and train.origin is not None and train.via \
            and train.via[-1].type == "Country" and train.via[-1].key in train.entered:
        train.destinations = [train.via.pop()]
        train.told = True


def _drop_origin_country(train: Train) -> None:
    """A train crossing its own origin's country says nothing: "crossed northern China" on the way
    out of Ulanqab is no transit.  (The destination's country stays: "enter Russia via Manzhouli"
    on the way to Moscow tells where the train crosses.)"""
    home = train.origin.country if train.origin is not None and train.origin.type != "Country" else None
    train.via = [v for v in train.via if not (v.type == "Country" and v.country == home)]


def _add_transit(via: list[Place], place: Place) -> None:
    """Add a transit point told in a later sentence, in travel order.

    A later sentence usually tells a later stretch, so the point goes last; but the first port
    named in a country that is already a transit is where the train entered it, so it goes just
    before the country ("via Kazakhstan" ... "transshipped at Khorgos Gateway").
    """
    country = next((i for i, v in enumerate(via) if v.type == "Country" and v.country == place.country), None)
    if place.type == "Port" and country is not None and not any(
            v.type != "Country" and v.country == place.country for v in via):
        via.insert(country, place)
    else:
        via.append(place)


def _merge_same(trains: list[Train]) -> list[Train]:
    """One train however many times the article tells of it: trains with the same ends are merged."""
    out: list[Train] = []
    by_ends: dict[tuple[str, tuple[Place, ...]], list[Train]] = {}
    for t in trains:
        bucket = by_ends.setdefault((t.status, tuple(t.destinations)), [])
        twin = next((o for o in bucket if _same_journey(o, t)), None)
        if twin is None:
            out.append(t)
            bucket.append(t)
            continue
        twin.origin = twin.origin or t.origin
        twin.via = _unique([*twin.via, *t.via]) if not twin.via or not t.via else twin.via
        twin.cargo = list(dict.fromkeys([*twin.cargo, *t.cargo]))
        for name in ("containers", "teu", "tonnes", "days"):
            if getattr(twin, name) is None:
                setattr(twin, name, getattr(t, name))
        if not twin.date_seen:
            twin.date, twin.date_precision, twin.date_seen = t.date, t.date_precision, t.date_seen
        for k, v in t.sentences.items():
            twin.sentences.setdefault(k, v)
        for k, v in t.leg_sentences.items():
            twin.leg_sentences.setdefault(k, set()).update(v)
    return out


def _same_journey(a: Train, b: Train) -> bool:
    """Same ends, or the same destinations where one of the two does not say where it began
    (a headline's "Hamburg-bound train service" and the body's train from Hefei to Hamburg)."""
    if not a.destinations or a.destinations != b.destinations:
        return False
    return a.origin == b.origin or a.origin is None or b.origin is None


def _unique(places: Iterable[Place]) -> list[Place]:
    return list(dict.fromkeys(places))


def _compatible(a: Place, b: Place) -> bool:
    """Same place, or one is the country of the other."""
    return a == b or _more_specific(a, b) or _more_specific(b, a)


def _more_specific(a: Place, b: Place) -> bool:
    """``a`` is a city or port inside country ``b``."""
    return b.type == "Country" and a.type != "Country" and a.country == b.country


def _routes_of(train: Train, index: int = 0) -> list[Route]:
    """One route per destination (or one route without destination)."""
    main = train.main_sentence if train.main_sentence is not None else min(train.sentences, default=None)
    evidence = train.sentences.get(main, "") if main is not None else ""
    sentences = [train.sentences[k] for k in sorted(train.sentences)]
    out = []
    for dest in train.destinations or [None]:
        via = [v for v in train.via if v not in train.destinations and v != train.origin]
        stops = [p for p in (train.origin, *via, dest) if p is not None]
        legs = []
        for a, b in zip(stops, stops[1:]):
            sa, sb = train.leg_sentences.get(a.key, set()), train.leg_sentences.get(b.key, set())
            idx = sorted(sa & sb or sa | sb)
            legs.append(" ".join(train.sentences[i] for i in idx if i in train.sentences))
        out.append(Route(
            origin=train.origin, destination=dest, via=via, cargo=list(train.cargo),
            evidence=evidence, sentences=sentences, containers=train.containers, teu=train.teu,
            tonnes=train.tonnes, days=train.days, date=train.date,
            date_precision=train.date_precision, status=train.status,
            leg_evidence=legs, train=index,
        ))
    return out
