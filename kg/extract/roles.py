"""Sentence roles: which place a sentence gives as origin, destination or transit, from its grammar.

A place mention gets a role from the word that governs it in the dependency parse: the
preposition it follows ("from", "to", "for", "via", "through", "between"), the verb it is the
object of ("left X", "reached Y", "links X to Y", "crossed Z"), or the train noun it names
("the X-Y freight train", "a Y-bound train").  A role only counts when that governor is tied
to a train: its subject is a train noun ("train", "service", "cargo", "it"...), or it modifies
one.  The word lists that drive this are data: ``kg/data/lexicon.json``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..model import Mention
from .lexicon import LOADS, gives_examples, lexicon
from .reading import DATELINE

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

ORIGIN, DEST, VIA, BETWEEN, NAME = "origin", "destination", "via", "between", "name"
_TERRITORY = frozenset({"country", "border", "territory", "union", "eu", "bloc", "mainland"})
_SEQUENCE_WORDS = frozenset({"before", "then", "finally", "eventually", "later", "onward", "onwards"})


@dataclass
class Roles:
    """The places one sentence gives each role, and the train word they hang on."""

    origins: list[Mention] = field(default_factory=list)
    dests: list[Mention] = field(default_factory=list)
    vias: list[Mention] = field(default_factory=list)
    anchor: Token | None = None
    planned: bool = False
    returning: bool = False
    entered: set[int] = field(default_factory=set)
    """Starts of the transit mentions the sentence says the train entered ("entered China")."""
    final: bool = False
    """The destination is called the final one ("its final destination in Bangkok")."""
    order: dict[int, float] = field(default_factory=dict)
    """Travel-order key of a transit mention (by its start token) where it is not text order."""

    named: list[Mention] = field(default_factory=list)
    """Places that only name the train ("the Zhengzhou train", "the planned Tehran service")."""

    def any(self) -> bool:
        """Whether the sentence gives any place a role."""
        return bool(self.origins or self.dests or self.vias or self.named)

    def travel_order(self, mentions: list[Mention]) -> list[Mention]:
        """Transit mentions in travel order."""
        return sorted(mentions, key=lambda m: self.order.get(m.start, m.start))


class SentenceGrammar:
    """Reads the roles of place mentions in the sentences of one parsed document."""

    def __init__(self, doc: Doc, mentions: list[Mention]) -> None:
        self.doc = doc
        self.lex = lexicon()
        self.by_sent: dict[int, list[Mention]] = {}
        for m in mentions:
            self.by_sent.setdefault(m.sentence, []).append(m)
        self.quoted = _quoted_tokens(doc)
        self.sent_index = {sent.start: si for si, sent in enumerate(doc.sents)}
        self.dateline_end = _dateline_end(doc)
        self._trains: dict[int, bool] = {}

    def skip(self, sent: Span) -> bool:
        """Whether a sentence is mostly inside quotation marks (someone's words, read apart)."""
        quoted = self.quoted
        inside = sum(1 for i in range(sent.start, sent.end) if i in quoted) if quoted else 0
        if inside > len(sent) / 2:
            return True
        return False

    @staticmethod
    def generic(roles: Roles) -> bool:
        """"There are trains ...": the train word is what an existential clause says exists."""
        anchor = roles.anchor
        return anchor is not None and any(c.dep_ == "expl" for c in anchor.head.children)

    def frames(self, si: int, sent: Span) -> list[Roles]:
        """The trains sentence ``si`` tells of, each with the roles it gives places.

        Usually one; a second train word with its own indefinite article starts another
        ("... was dispatched from Changsha to Almaty, while a new service to Tehran will launch").
        """
        groups: list[tuple[list[Token], list[tuple[Mention, str, int]]]] = []
        for m in self.by_sent.get(si, []):
            if self.doc[m.start].idx < self.dateline_end or m.start in self.quoted:
                continue
            got = self._role_of(m)
            if got is None:
                continue
            role, anchor, pos = got
            if _negated(anchor) or _other_train(anchor):
                continue
            group = next((g for g in groups if any(a.i == anchor.i for a in g[0])), None)
            if group is None and groups and not (self.is_train(anchor) and _indefinite(anchor)):
                group = groups[0]
            if group is None:
                groups.append(group := ([], []))
            group[0].append(anchor)
            group[1].append((m, role, pos))
        if not groups:
            groups.append(([], []))
        groups[0][1].extend(self._hyphen_chains(si))
        return [self._roles(si, anchors, found) for anchors, found in groups]

    def roles(self, si: int, sent: Span) -> Roles:
        """All the roles sentence ``si`` gives its place mentions, as if it told of one train."""
        frames = self.frames(si, sent)
        if len(frames) == 1:
            return frames[0]
        found = [(m, ORIGIN, 0) for f in frames for m in f.origins] + \
            [(m, DEST, 0) for f in frames for m in f.dests] + [(m, VIA, 0) for f in frames for m in f.vias]
        roles = self._roles(si, [], found)
        roles.anchor, roles.planned, roles.returning = frames[0].anchor, frames[0].planned, frames[0].returning
        return roles

    def _roles(self, si: int, anchors: list[Token], found: list[tuple[Mention, str, int]]) -> Roles:
        roles = Roles(anchor=anchors[0] if anchors else None)
        for m, role, pos in found:
            if role == BETWEEN:
                role = ORIGIN if pos == 0 else DEST
            getattr(roles, {ORIGIN: "origins", DEST: "dests", VIA: "vias", NAME: "named"}[role]).append(m)
        roles.planned = any(_planned(a) for a in anchors)
        roles.returning = any(self.returning(a) for a in anchors[:1])
        _drop_qualifiers(roles, self.doc)
        self._located_places(roles)
        self._crossing_points_first(roles)
        self._intermediate_destinations(roles)
        if roles.dests and not roles.origins and roles.anchor is not None \
                and roles.anchor.lemma_.lower() in self.lex.destination_nouns | self.lex.motion_nouns \
                | self.lex.chain_nouns - {"train", "freight", "express"}:
            roles.origins = self._owner_places(si, roles.anchor)
        return roles

    def _located_places(self, roles: Roles) -> None:
        """"the Jiaozhou hub in Qingdao", "Tuanjiecun station in Chongqing": a town naming a hub,
        station or district located in a city gives way to the city."""
        for name in ("origins", "dests"):
            group: list[Mention] = getattr(roles, name)
            drop = set()
            for a in group:
                ra = self.doc[a.start:a.end].root
                noun = ra.head
                if a.place.type != "City" or ra.dep_ != "compound" or noun.lemma_.lower() not in self.lex.place_nouns:
                    continue
                for b in group:
                    rb = self.doc[b.start:b.end].root
                    if b is not a and b.place.type == "City" and rb.dep_ == "pobj" and rb.head.lower_ == "in" \
                            and rb.head.head.i == noun.i:
                        drop.add(a.start)
            setattr(roles, name, [m for m in group if m.start not in drop])

    def _crossing_points_first(self, roles: Roles) -> None:
        """"entered Russia via/from Manzhouli", "crosses into Kazakhstan through Alashankou": the
        crossing point comes before the country entered, whatever the word order."""
        def governor(m: Mention) -> tuple[str, Token] | None:
            t = self.doc[m.start:m.end].root
            while t.dep_ in {"compound", "conj", "appos"} and t.head is not t:
                t = t.head
            if t.dep_ == "pobj" and t.head.head.lemma_.lower() in self.lex.cross_verbs:
                return t.head.lower_, t.head.head
            if t.dep_ in {"dobj", "obj"} and t.head.lemma_.lower() in self.lex.cross_verbs:
                return "", t.head
            return None

        entered: dict[int, int] = {}  # verb index -> first place entered
        points: list[tuple[Mention, int]] = []
        for m in roles.vias:
            g = governor(m)
            if g is None:
                continue
            prep, verb = g
            if prep in {"", "into", "to"}:
                entered[verb.i] = min(entered.get(verb.i, m.start), m.start)
                if verb.lemma_.lower() == "enter" and m.place.type == "Country":
                    roles.entered.add(m.start)
            elif prep in {"via", "through", "from", "at", "across"}:
                points.append((m, verb.i))
        for m, verb in points:
            if verb in entered and entered[verb] < m.start:
                roles.order[m.start] = entered[verb] - 0.5 + m.start / 1e6

    def _intermediate_destinations(self, roles: Roles) -> None:
        """"to Hairatan before reaching Kabul", "to Warsaw and then Duisburg": earlier ends are transit points."""
        dests = sorted(roles.dests, key=lambda m: m.start)
        final = [m for m in dests if self._final(m)]
        roles.final = bool(final)
        if final and len(dests) > 1:  # "bound for Vientiane ... for its final destination in Bangkok"
            roles.vias.extend(m for m in dests if m.start < final[0].start)
            roles.dests = [m for m in dests if m.start >= final[0].start]
            return
        for i in range(len(dests) - 1, 0, -1):
            between = self.doc[dests[i - 1].end:dests[i].start]
            if any(t.lower_ in _SEQUENCE_WORDS for t in between):
                roles.vias.extend(dests[:i])
                roles.dests = dests[i:]
                return

    @staticmethod
    def _final_word(noun: Token) -> bool:
        return any(c.lower_ in {"final", "ultimate", "last"} for c in noun.children)

    def _final(self, m: Mention) -> bool:
        """A mention in "its final destination in X" / "the final stop of X"."""
        t = self.doc[m.start:m.end].root
        for anc in list(t.ancestors)[:3]:
            if anc.lemma_.lower() in self.lex.destination_nouns | {"point"} and any(
                    c.lower_ in {"final", "ultimate", "last"} for c in anc.children):
                return True
        return False

    def _owner_places(self, si: int, noun: Token) -> list[Mention]:
        """Places that own a destinations noun: "Xi'an has added destinations", "Zhengzhou's destinations"."""
        owners = [c for c in noun.children if c.dep_ in {"poss", "compound"}]
        if noun.dep_ in {"dobj", "obj", "nsubjpass"}:
            owners += [c for c in noun.head.children if c.dep_ == "nsubj"]
        spans = [(o.left_edge.i, o.right_edge.i + 1) for o in owners]
        return [m for m in self.by_sent.get(si, []) if m.place.type != "Country"
                and any(a <= m.start < b for a, b in spans)][:1]

    def _listed_role(self, tok: Token) -> str | None:
        """The role of places listed under ``tok``, the countries or cities a train passes or goes to.

        "passes (through) six countries, including A, B": transits; "links to 15 countries such as
        A and B": destinations.  None when ``tok`` is no such noun, or the train neither passes nor
        goes to it.
        """
        lex = self.lex
        if tok.lemma_.lower() not in lex.crossed_nouns and tok.lower_ not in lex.crossed_nouns:
            return None
        if tok.dep_ in {"dobj", "obj"}:
            return VIA if _passes(tok.head, lex.cross_verbs) else None
        if tok.dep_ != "pobj":
            return None
        prep = tok.head
        if prep.lower_ in {"through", "across", "via"}:
            return VIA if _passes(prep.head, lex.cross_verbs) else None
        role = self._prep_role(prep.lower_, prep, prep.head) if prep.lower_ in {"to", "into"} else None
        return role if role in {DEST, VIA} else None

    def _role_of(self, m: Mention) -> tuple[str, Token, int] | None:
        """Role of a mention from the word that governs it, with the train it is tied to."""
        lex = self.lex
        t = self.doc[m.start:m.end].root
        if m.implied:  # "a train loaded with Lao corn": the goods' country is where it came from
            train = next((a for a in list(t.ancestors)[:6] if self.is_train(a)), None)
            return (ORIGIN, train, 0) if train is not None else None
        pos = 0
        for _ in range(12):
            dep, head = t.dep_, t.head
            if head is t:
                return None
            if dep in {"conj", "appos", "compound", "poss", "nmod", "amod", "npadvmod", "nummod"} \
                    and self.is_train(head):
                # "the Zhengzhou train", "the China-Europe freight train (Zhengzhou)"; a country
                # naming a train names a category of service ("China-Europe"), not its origin.
                return None if m.place.type == "Country" else (NAME, head, pos)
            if dep == "conj" and head.pos_ in {"VERB", "AUX"} and (link := self._link_before(t)) is not None:
                anchor = self.anchor(link)  # "opened a service linking the city of Yiwu, ..., and Madrid":
                return (DEST, anchor, 1) if anchor is not None else None  # the parser joined Madrid to "opened"
            if dep == "conj" and not self._mentioned(head) and (
                    head.dep_ in {"nsubj", "nsubjpass"} or head.dep_ == "pobj" and head.head.lower_ == "in") \
                    and (link := self._link_before(head)) is not None and any(
                        c.dep_ in {"dobj", "obj"} and self._mentioned(c) for c in link.children):
                # "a route connecting Shizuishan City in ... Ningxia Hui Autonomous Region and Alma-Ata
                # started": the parser joined the end to the region, not to the place linked
                anchor = self.anchor(link)
                return (DEST, anchor, 1) if anchor is not None else None
            if dep == "conj" or (dep == "appos" and head.pos_ != "VERB"):
                pos += 1 if dep == "conj" else 0
                t = head
                continue
            if dep in {"compound", "poss", "nmod", "amod", "npadvmod", "nummod"}:
                if m.place.type == "Country" and head.lemma_.lower() in {"border", "frontier", "boundary"}:
                    return None  # "the China-Russia border": it says where the crossing is
                if head.lower_ == "bound" or head.lemma_ == "bind":
                    anchor = self.anchor(head)
                    return (DEST, anchor, pos) if anchor is not None else None
                if head.pos_ != "PROPN" and head.lemma_.lower() not in lex.place_nouns:
                    return None  # "Xinyang tea": a place naming a product is no route
                t = head
                continue
            if dep == "pobj":
                prep = head
                p = prep.lower_
                governor = listed = prep.head
                if p == "of" and governor.pos_ in {"NOUN", "PROPN"} and not self.is_train(governor) \
                        and governor.lemma_ not in lex.motion_nouns:
                    if governor.pos_ == "NOUN" and governor.lemma_.lower() not in lex.place_nouns \
                            and governor.lemma_.lower() not in lex.destination_nouns | {"part", "point"}:
                        return None  # "the presidents of Kazakhstan": people, not a place on the way
                    t = governor  # "the city of Jinhua", "the land port of Urumqi"
                    continue
                if p in {"in", "at"} and governor.lemma_.lower() in lex.stop_nouns:
                    anchor = self.anchor(governor.head if governor.dep_ in {"dobj", "obj"} else governor)
                    return (VIA, anchor, pos) if anchor is not None else None  # "make a stop in Kashgar"
                if p in {"in", "at", "near", "on"} and (governor.pos_ == "PROPN" or governor.pos_ == "NOUN" and (
                        governor.lemma_.lower() in lex.place_nouns or governor.dep_ not in {"dobj", "obj"})) \
                        and governor.lemma_ not in lex.motion_nouns and not self.is_train(governor):
                    t = governor  # "a station in the city of Jinhua", "Duisburg in Germany"
                    continue
                for _ in range(4):  # a PP the parser hung on an object: "left Urumqi for X",
                    # "carries timber to X", "departed from Hefei North Station for X"
                    if governor.pos_ in {"NOUN", "PROPN"} and governor.dep_ in {"dobj", "obj", "pobj", "conj"} \
                            and not self.is_train(governor) and governor.lemma_.lower() not in \
                            lex.motion_nouns | lex.destination_nouns:
                        governor = governor.head if governor.dep_ != "pobj" else governor.head.head
                    else:
                        break
                role = self._prep_role(p, prep, governor)
                if role is None:
                    return None
                anchor = self.anchor(governor, cue=p)
                if anchor is None:
                    return None
                if role == "including":
                    if anchor.lemma_.lower() in lex.destination_nouns:
                        return DEST, anchor, pos
                    role = self._listed_role(listed)
                    return (role, anchor, pos) if role is not None else None
                return role, anchor, pos
            if dep == "attr" and head.lemma_ == "be":
                subj = next((c for c in head.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
                if subj is not None and subj.lemma_.lower() in lex.destination_nouns | lex.stop_nouns:
                    owner = next((c for c in subj.children if c.dep_ == "poss"), None)
                    anchor = owner if owner is not None and (owner.lower_ in {"its", "their"} or self.is_train(owner)) \
                        else subj
                    role = DEST if subj.lemma_.lower() in lex.destination_nouns or self._final_word(subj) else VIA
                    return role, anchor, pos  # "Its final stop is Hamburg", "the destination is Minsk"
                return None
            if dep in {"dobj", "obj"} or (dep in {"appos", "npadvmod", "attr", "oprd"} and head.pos_ == "VERB"):
                lemma = head.lemma_.lower()
                if lemma in lex.include_verbs:
                    # "the service's destinations include / destinations covering Warsaw, Minsk"
                    owner = next((c for c in head.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
                    owner = owner if owner is not None else head.head if head.dep_ == "acl" else None
                    if owner is not None and owner.lemma_.lower() in lex.destination_nouns:
                        return DEST, owner, pos
                    return None
                role = (BETWEEN if lemma in lex.link_verbs else
                        ORIGIN if lemma in lex.origin_verbs else
                        DEST if lemma in lex.reach_verbs else
                        VIA if lemma in lex.cross_verbs else None)
                if role is None:
                    return None
                anchor = self.anchor(head)
                return (role, anchor, pos) if anchor is not None else None
            return None
        return None

    def _prep_role(self, p: str, prep: Token, governor: Token) -> str | None:
        lex = self.lex
        lemma = governor.lemma_.lower()
        if lemma in lex.trade_verbs:
            return None  # "distributed from Tashkent to retailers in Samarkand": trade, not the train
        prev = self.doc[prep.i - 1].lower_ if prep.i > 0 else ""
        if p == "from" and lemma in lex.cross_verbs and lemma != "pass":
            return VIA  # "entered Russia from Manzhouli": where it crossed, not where it began
        if p in {"from", "via", "through", "at", "in"} and lemma in lex.origin_verbs and any(
                c.dep_ in {"dobj", "obj"} and (c.lemma_.lower() in _TERRITORY or self._names_country(c))
                for c in governor.children):
            return VIA  # "left the country from Alataw Pass", "exited China via Khorgos"
        if p == "from" or (p == "of" and prev == "out"):
            return ORIGIN
        if p == "to" and prev in {"according", "due", "thanks", "owing", "compared", "close", "next"}:
            return None  # "according to Chongqing Logistics City" names a source, not a destination
        if p in {"to", "towards", "toward", "into", "till", "until"}:
            if lemma in lex.cross_verbs:
                return VIA
            return DEST
        if p == "for":
            return DEST if lemma in lex.for_heads or governor.lower_ == "bound" else None
        if p in {"via", "through", "across", "past", "transiting", "thru"}:
            return VIA
        if p in {"in", "at"}:
            if lemma in lex.reach_verbs and any(
                    c.dep_ in {"dobj", "obj"} and c.pos_ == "NOUN" and c.lemma_.lower() not in lex.destination_nouns
                    for c in governor.children):
                return VIA  # "reach the European gauge again at the Brest crossing": a point on the way
            if lemma in lex.arrive_verbs or lemma in lex.reach_verbs:
                return DEST
            if lemma in lex.origin_verbs:
                return ORIGIN
            if lemma in lex.cross_verbs:
                return VIA
            return None
        if p == "with" and lemma in lex.link_verbs:
            return DEST  # "connects Jinhua with Tashkent"
        if p == "with" and self._link_before(prep) is not None:
            return DEST  # "connecting Wuwei, in Gansu, with Hamburg": the PP hung on a verb further up
        if p == "between":
            return BETWEEN
        if p == "include" or gives_examples(prep):
            return "including"
        return None

    def _link_before(self, prep: Token) -> Token | None:
        """A linking verb earlier in the sentence, with a place object and no "with" of its own."""
        for t in prep.sent:
            if t.i >= prep.i:
                break
            if t.lemma_.lower() in self.lex.link_verbs and t.pos_ == "VERB" and not any(
                    c.lower_ in {"with", "to", "and"} for c in t.children) and any(
                    c.dep_ in {"dobj", "obj"} for c in t.children):
                return t
        return None

    def _mentioned(self, tok: Token) -> bool:
        """Whether a place mention covers ``tok``."""
        return any(m.start <= tok.i < m.end for m in self.by_sent.get(self._sent_index(tok), []))

    def _names_country(self, tok: Token) -> bool:
        return any(m.place.type == "Country" and m.start <= tok.i < m.end
                   for m in self.by_sent.get(self._sent_index(tok), []))

    def _sent_index(self, tok: Token) -> int:
        return self.sent_index.get(tok.sent.start, -1)

    def is_train(self, tok: Token) -> bool:
        """Whether a token names a train (:meth:`Lexicon.is_train`, remembered per token)."""
        known = self._trains.get(tok.i)
        if known is None:
            known = self._trains[tok.i] = self.lex.is_train(tok)
        return known

    def anchor(self, tok: Token, cue: str = "") -> Token | None:
        """The train noun (or destinations noun) a governing word is tied to, if any."""
        lex = self.lex
        t = tok
        via_acl = False
        for _ in range(10):
            lemma = t.lemma_.lower()
            if self.is_train(t) or (cue in {"including", "like", "as"} and lemma in lex.destination_nouns):
                return t
            if t.dep_ == "appos" and self.is_train(t.head):
                return t.head  # "the X8024 train, the first of the year from Wuhan"
            if lemma in lex.motion_nouns | lex.chain_nouns and t.head.lemma_.lower() in lex.launch_verbs \
                    and t.dep_ in {"dobj", "obj", "nsubjpass"}:
                return t  # "Shenyang launched a new route to Minsk"
            if t.pos_ in {"VERB", "AUX"}:
                subj = next((c for c in t.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
                if subj is None:  # "the freight train links ..." parsed with "train" as a compound
                    subj = next((c for c in t.children if c.dep_ in {"compound", "npadvmod"}
                                 and c.i < t.i and self.is_train(c)), None)
                obj = next((c for c in t.children if c.dep_ in {"dobj", "obj"} and self.is_train(c)), None)
                if obj is not None and t.lemma_.lower() in lex.launch_verbs and (
                        subj is None or not self.is_train(subj)):
                    return obj  # "Qingdao operates regular services to Almaty": the services go there
                if subj is not None:
                    if self.is_train(subj) or subj.lower_ in {"it", "which", "that"}:
                        return subj
                    if subj.lemma_.lower() in lex.destination_nouns:
                        return subj
                    if subj.dep_ == "nsubj" and any(self.is_train(c) for c in subj.children
                                                      if c.dep_ in {"compound", "poss"}):
                        return subj
                    if t.dep_ in {"pcomp", "acl", "relcl"}:
                        t = t.head  # "a train laden with products was leaving X": the parser took the
                        continue    # cargo for the subject of a clause that hangs on the train
                    return None
                if t.dep_ in {"acl", "relcl", "advcl", "xcomp", "conj", "pcomp", "ccomp", "prep"}:
                    via_acl = via_acl or t.dep_ == "acl"
                    t = t.head
                    continue
                return None
            if t.pos_ in {"NOUN", "PROPN"}:
                if via_acl and (owner := next((c for c in t.children if c.dep_ == "compound"
                                               and self.is_train(c)), None)) is not None:
                    return owner  # "A train carrying sportswear ... set out for X" parsed around "sportswear"
                if via_acl and (owner := _of_train(t, self.is_train)) is not None:
                    return owner  # "the operators of the train sent from X": the PP hung on the wrong noun
                if via_acl and t.dep_ in {"pobj", "dobj"} and not self.is_train(t) \
                        and lemma not in lex.unit_nouns:  # "transferred to wagons bound for X": another train
                    # the clause hung on the object of a preposition or verb: "a train loaded with
                    # components, departed from X", "a link was launched on the Silk Road connecting X
                    # with Y", "a train with pipes set off from X"
                    t = t.head.head if t.dep_ == "pobj" else t.head
                    continue
                if lemma in lex.motion_nouns or lemma in lex.destination_nouns or via_acl and self.quantity(t):
                    # a motion verb hung on the wrong noun ("50 TEUs of electronics departed from")
                    t = t.head
                    continue
                return None
            if t.head is t:
                return None
            t = t.head
        return None

    def quantity(self, t: Token) -> bool:
        """A load noun a misparsed main verb may hang on: "50 TEUs (of electronics) departed"."""
        if t.lemma_.lower() in LOADS or t.lower_ in LOADS:
            return True
        return t.dep_ == "pobj" and t.head.lower_ == "of" and t.head.head.lower_ in LOADS

    def returning(self, anchor: Token) -> bool:
        """Whether the sentence tells a way back ("when returning from Tehran")."""
        sent = anchor.sent
        return any(t.lower_ in self.lex.return_words for t in sent)

    def _hyphen_chains(self, si: int) -> list[tuple[Mention, str, int]]:
        """"X-Y freight train" and "Y-bound train": places joined by hyphens before a train noun."""
        mentions = self.by_sent.get(si, [])
        out: list[tuple[Mention, str, int]] = []
        i = 0
        while i < len(mentions):
            chain = [mentions[i]]
            while i + 1 < len(mentions) and mentions[i + 1].start == chain[-1].end + 1 \
                    and self.doc[chain[-1].end].text in {"-", "–", "—"}:
                i += 1
                chain.append(mentions[i])
            i += 1
            end = chain[-1].end
            nxt = self.doc[end:end + 5]
            if len(nxt) >= 2 and nxt[0].text in {"-", "–"} and nxt[1].lower_ == "bound" and len(chain) == 1:
                out.append((chain[0], DEST, 0))
                continue
            if len(chain) < 2 or all(m.place.type == "Country" for m in (chain[0], chain[-1])):
                continue
            if self._line_name(chain):
                continue  # "Suzhou-Manzhouli-Europe", "Chongqing-Xinjiang-Europe": a line's name
            if nxt[0].lemma_.lower() in self.lex.place_nouns and nxt[0].lemma_.lower() not in {"city", "town"} \
                    and nxt[0].dep_ == "pobj" and nxt[0].head.lower_ in {"via", "through", "at", "across", "past"}:
                out.extend((m, VIA, 0) for m in chain)  # "the Brest-Malaszewicze crossing", "Bruzgi-Kuznica corridor"
                continue
            if not any(self.is_train(t) or t.lemma_.lower() in self.lex.chain_nouns for t in nxt) \
                    or any(t.is_punct and t.text not in "-–" for t in nxt[:1]):
                continue
            out.append((chain[0], ORIGIN, 0))
            out.extend((m, VIA, 0) for m in chain[1:-1])
            out.append((chain[-1], DEST, 0))
        return out

    def _line_name(self, chain: list[Mention]) -> bool:
        """A hyphen chain that goes on into a word that is not a place names a line, not a journey."""
        doc = self.doc
        before, after = chain[0].start - 1, chain[-1].end
        for dash, word in ((before, before - 1), (after, after + 1)):
            if 0 <= word < len(doc) and doc[dash].text in {"-", "–", "—"} and doc[word].text[:1].isupper():
                return True
        return False

    def refers_to_train(self, sent: Span) -> bool:
        """Whether a sentence without places still speaks of the current train ("it", "the cargo")."""
        lex = self.lex
        for t in sent:
            if t.lower_ in {"it", "its"} and t.dep_ in {"nsubj", "nsubjpass", "poss"}:
                return True
            if self.is_train(t) or t.lemma_.lower() in {"journey", "trip", "cargo", "goods"}:
                if any(c.lower_ in {"the", "this", "its"} for c in t.children) or t.dep_ == "poss":
                    return True
            if t.lemma_.lower() in lex.cargo_verbs and any(
                    self.is_train(c) for c in t.children if c.dep_ in {"nsubj", "nsubjpass"}):
                return True
        return False


def _of_train(noun: Token, is_train: Callable[[Token], bool]) -> Token | None:
    """The train in "the operators of the train", if the noun has one."""
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            for obj in prep.children:
                if obj.dep_ == "pobj" and is_train(obj):
                    return obj
    return None


def _quoted_tokens(doc: Doc) -> set[int]:
    """Token indices inside straight or curly double quotes.

    The quote marks are found among the tokens' hashed texts (one array), and the tokens
    between two marks are inside when the first opened a quotation.
    """
    import numpy
    from spacy.attrs import ORTH

    strings = doc.vocab.strings
    orth = doc.to_array([ORTH]).reshape(-1)
    is_mark = numpy.zeros(len(orth), dtype=bool)
    for q in _QUOTES:
        is_mark |= orth == numpy.uint64(strings[q])
    inside, out = False, set()
    after = 0  # the first token after the last mark
    for i in numpy.flatnonzero(is_mark).tolist():
        if inside:
            out.update(range(after, i))
        text = doc[i].text
        inside = (text == "“") or (not inside and text == '"')
        after = i + 1
    if inside:
        out.update(range(after, len(doc)))
    return out


_QUOTES = frozenset({'"', "“", "”"})
_DATELINE_START = re.compile(r"\s*(?:\Z|[A-Z][A-Z .'\-]*(?:,|\Z))")
"""What the start of a text must look like for :data:`DATELINE` to match it ("GANZHOU," ...), or
the text is cut short before it could tell: a test on the first tokens alone."""


def _dateline_end(doc: Doc) -> int:
    """Where the dateline ("GANZHOU, May 20 --") ends in the document's text, 0 without one.

    The whole text is only joined when its first tokens may start a dateline (most articles
    open with a headline): joining every token's text costs as much as reading a sentence.
    """
    head = "".join(t.text_with_ws for t in doc[:16])
    if not _DATELINE_START.match(head):
        return 0
    dl = DATELINE.match(doc.text)
    return dl.end() if dl else 0


def _passes(verb: Token, cross_verbs: frozenset[str]) -> bool:
    """Whether a verb says a train passes what it governs: a crossing verb, or "travel", "run"."""
    lemma = verb.lemma_.lower()
    return lemma in cross_verbs or lemma in {"travel", "run"}


def _indefinite(tok: Token) -> bool:
    """"a new service": a train word that brings in a train of its own in the same sentence.
    ("another train will deliver the cargo to X" carries the same goods on: not a new journey.)"""
    return any(c.dep_ == "det" and c.lower_ in {"a", "an"} for c in tok.children)


def _other_train(tok: Token) -> bool:
    """"the previous train link", "existing links which travel through Thailand": not this train."""
    return any(c.dep_ == "amod" and c.lower_ in {"previous", "former", "existing", "conventional", "old",
                                                  "traditional", "other"} for c in tok.children) \
        or tok.lower_ in {"which", "that"} and tok.head.dep_ == "relcl" and _other_train(tok.head.head)


def _negated(tok: Token) -> bool:
    for t in (tok, tok.head):
        if any(c.dep_ == "neg" for c in t.children):
            return True
    return False


def _planned(tok: Token) -> bool:
    """A train announced for the future: "will launch", "plans to open" (not "will arrive")."""
    lex = lexicon()
    verb = tok if tok.pos_ in {"VERB", "AUX"} else tok.head
    for v in (verb, *list(verb.ancestors)[:3]):
        lemma = v.lemma_.lower()
        if lemma in {"plan", "intend", "aim", "schedule"} and v.dep_ != "ROOT" or lemma in lex.plan_verbs \
                or v.lower_ in lex.plan_verbs:  # the small model lemmatises "hopes" as "hop"
            return True
        if lemma in lex.launch_verbs | lex.origin_verbs and any(
                c.lower_ in {"will", "shall", "'ll"} and c.dep_ == "aux" for c in v.children):
            return True
    return False


_QUALIFYING = frozenset({",", "(", ")", "'s", "’s", "in", "of", "the"})


def _near(a: Mention, b: Mention, doc: Doc, gap: int = 3) -> bool:
    """Whether one mention locates the other: a few tokens apart, joined by "in", a comma, "'s"
    or a bracket ("Osh, Kyrgyzstan", "Vientiane South station in Laos"), not by "via" or a verb."""
    first, second = (a, b) if a.start < b.start else (b, a)
    between = doc[first.end:second.start]
    return len(between) <= gap and all(t.lower_ in _QUALIFYING or t.pos_ in {"ADJ", "PROPN", "NOUN"}
                                       for t in between)


def _drop_qualifiers(roles: Roles, doc: Doc) -> None:
    """Drop countries that only qualify a place ("Kaluga, Russia", "China's Nantong", "Herne (NL)")."""
    for name in ("origins", "dests", "vias"):
        group: list[Mention] = getattr(roles, name)
        specific = [m for m in group if m.place.type != "Country"]
        keep = []
        for m in group:
            if m.place.type == "Country":
                same = [s for s in specific if s.place.country == m.place.country]
                if name != "vias" and same or any(_near(s, m, doc) for s in same):
                    continue  # a transit country told apart from its city stays: "In Kyrgyzstan, ... Osh"
                before = doc[m.start - 1].text if m.start > 0 else ""
                if before == "(" and any(s.end in (m.start - 1, m.start - 2) for s in specific):
                    continue  # "Herne (Netherlands)": a parenthetical says where, not where to
            elif m.place.type == "Port" and any(
                    s.place.type == "City" and s.place.country == m.place.country and s.start == m.end + 1
                    and doc[m.end].text == "," for s in specific):
                continue  # "Vorsino, Moscow": a terminal named with its city; the city is the end
            keep.append(m)
        setattr(roles, name, keep)
