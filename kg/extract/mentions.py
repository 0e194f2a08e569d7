"""Finding the places a parsed text names: gazetteer matches checked against spaCy's analysis.

The small English model types places badly for this domain (Jinhua as NORP, Erenhot as ORG)
and misses border ports, so the gazetteer proposes every span whose name it knows and spaCy's
tags only veto the doubtful ones: a GeoNames name must look like a proper noun, must not sit
inside a person's name or a date, and a name GeoNames knows only as an alternate must be
tagged as a place.  Curated ports and countries are trusted.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..gazetteer import ALIAS, ALTERNATE, CURATED, Gazetteer, Place, fold
from ..model import Mention
from .lexicon import start_word

if TYPE_CHECKING:
    from collections.abc import Collection

    from spacy.tokens import Doc, Span, Token

MAX_TOKENS = 6
NON_PLACE_ENTS = frozenset(
    {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL", "WORK_OF_ART",
     "LAW", "LANGUAGE", "EVENT", "PRODUCT"}
)
NUMERIC_ENTS = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"})
PLACE_ENTS = frozenset({"GPE", "LOC", "FAC", "ORG", "NORP"})
# Words that may follow a place name and belong to the surface form kept as an alias.
SUFFIXES = frozenset({"port", "pass", "city", "station", "railway station", "land port", "dry port",
                      "border port"})
ADMIN_WORDS = frozenset({"province", "region", "prefecture", "county", "state", "oblast", "district"})
FEATURES = frozenset({"Delta", "River", "Sea", "Lake", "Mountains", "Basin", "Plain", "Strait", "Bay",
                      "Gulf", "Island", "Islands", "Peninsula", "Valley", "Desert", "Asia", "Asian",
                      "Europe", "European", "Ocean"})
DESCRIPTORS = {"capital": "capital", "largest city": "largest", "biggest city": "largest"}


@dataclass(frozen=True)
class _Words:
    """A parsed document's tokens with the attributes every pass reads, each read once.

    Every pass below walks all the tokens; reading ``text`` and ``pos_`` from spaCy's tokens
    costs more than the tests on them, so the passes share these lists and only touch a
    token for the few words that pass them.
    """

    tokens: list[Token]
    texts: list[str]
    pos: list[str]

    @classmethod
    def of(cls, doc: Doc) -> _Words:
        """The words of a document."""
        from spacy import parts_of_speech  # type: ignore[attr-defined]
        from spacy.attrs import POS

        tokens = list(doc)
        names = parts_of_speech.NAMES  # what Token.pos_ reads
        pos = [names[p] for p in doc.to_array([POS]).reshape(-1).tolist()]
        return cls(tokens, [t.text for t in tokens], pos)


def find_mentions(doc: Doc, gazetteer: Gazetteer) -> list[Mention]:
    """Every place mention in a parsed document, resolved to one place each.

    Parameters
    ----------
    doc
        A document parsed by the trained pipeline (needs sentences, POS and NER).
    gazetteer
        Name index used to propose and resolve places.

    Returns
    -------
    list of Mention
        Sorted by position; overlapping proposals are reduced to the longest.
    """
    words = _Words.of(doc)  # one Token object each, and their texts and tags, shared by the passes below
    sent_of = _sentence_index(doc)
    found = _propose(doc, gazetteer, words)
    spans = [span for span, _ in found]
    country_of: list[str | None] = []
    for _, written in found:
        best = gazetteer.candidates(written)[:1]
        country_of.append(best[0][1].country if best and best[0][1].type == "Country" else None)
    by_frequency = [c for c, _ in Counter(c for c in country_of if c).most_common()]
    in_sentence: dict[int, list[tuple[int, str]]] = {}
    for j, (other, c) in enumerate(zip(spans, country_of)):
        if c:
            in_sentence.setdefault(sent_of[other.start], []).append((j, c))
    mentions: list[Mention] = []
    for i, (span, written) in enumerate(found):
        sent_countries = [c for j, c in in_sentence.get(sent_of[span.start], []) if j != i]
        context = sent_countries + by_frequency
        place = gazetteer.resolve(written, countries=context)
        if place is None:
            continue
        if place.type == "City" and _port_word_after(doc, span.end):
            port = next((p for _, p in gazetteer.candidates(f"{written} port")
                         if p.type == "Port" and p.country == place.country), None)
            place = port or place  # "the Pingxiang border port" is the crossing, not the city
        end = _extend_suffix(doc, span.end)
        surface = written if end == span.end else doc[span.start:end].text
        mentions.append(Mention(place, surface, span.start, end, sent_of[span.start]))
    described = _descriptions(doc, gazetteer, mentions, sent_of, words)
    covered = {t for m in described for t in range(m.start, m.end)}
    mentions = [m for m in mentions if m.start not in covered] + described
    mentions += _parenthetical_aliases(doc, mentions, sent_of)
    mentions += _port_anaphora(doc, mentions, sent_of, words)
    mentions += _goods_of(doc, gazetteer, mentions, sent_of, words)
    mentions += _typos(doc, gazetteer, mentions, sent_of, by_frequency, words)
    mentions.sort(key=lambda m: m.start)
    return mentions


def _sentence_index(doc: Doc) -> list[int]:
    out = [0] * len(doc)
    for i, sent in enumerate(doc.sents):
        for t in range(sent.start, sent.end):
            out[t] = i
    return out


def _propose(doc: Doc, gazetteer: Gazetteer, words: _Words) -> list[tuple[Span, str]]:
    """Longest gazetteer matches that pass the checks, left to right, not overlapping.

    Each with its text (``span.text``, joined from the window's texts).
    """
    ent_of: list[Span | None] = [None] * len(doc)
    for ent in doc.ents:
        for t in range(ent.start, ent.end):
            ent_of[t] = ent
    found: list[tuple[Span, str]] = []
    starts, blocked_starts = gazetteer.starts, gazetteer.blocked_starts
    tokens, texts, pos = words.tokens, words.texts, words.pos
    i = 0
    while i < len(tokens):
        if not may_start(tokens, texts, i, pos[i], starts, blocked_starts):
            i += 1
            continue
        pieces = _window_texts(tokens, i)
        for n in range(len(pieces), 0, -1):
            joined = "".join(pieces[:n])
            text = joined.strip()
            if n > 1 and fold(text) in gazetteer.blocked:
                i += n  # "Inner Mongolia", "Central Asia": a region, not the country inside its name
                break
            entries = gazetteer.candidates(text)
            if entries:
                span = doc[i:i + n]
                # Span.text: the texts with their spaces, less the last token's own space
                written = joined[:-1] if len(pieces[n - 1]) > len(texts[i + n - 1]) else joined
                if _acceptable(span, entries, ent_of, text=written):
                    found.append((span, written))
                    i += n
                    break
        else:
            i += 1
    return found


def may_start(tokens: list[Token], texts: list[str], i: int, pos: str,
              starts: Collection[str], blocked_starts: Collection[str]) -> bool:
    """Whether a gazetteer name (or a blocked region) may start at token ``i`` (part of speech ``pos``).

    A capitalised word, not a determiner, whose folded first word starts some name
    (``starts``) or blocked region (``blocked_starts``), or "port of" before a capital.
    ``texts`` are the tokens' texts.
    """
    text = texts[i]
    if len(text) == 4 and tokens[i].lower_ == "port" and i + 2 < len(tokens) \
            and tokens[i + 1].lower_ == "of" and texts[i + 2][:1].isupper():
        return True
    if not text[:1].isupper() or pos == "DET":
        return False
    word = start_word(text)
    return word in starts or word in blocked_starts


def _window_texts(tokens: list[Token], i: int) -> list[str]:
    """The texts (with whitespace) of the tokens a name starting at token ``i`` may span.

    At most :data:`MAX_TOKENS`; a name ends before the next sentence and at a line break.
    """
    out = [tokens[i].text_with_ws]
    for j in range(i + 1, min(i + MAX_TOKENS, len(tokens))):
        if "\n" in out[-1] or tokens[j].is_sent_start:
            break
        out.append(tokens[j].text_with_ws)
    return out


def _acceptable(span: Span, entries: list[tuple[int, Place]], ent_of: list[Span | None], *,
                text: str | None = None) -> bool:
    """Whether a gazetteer match is a place here (not a word, a person's name or a date).

    ``text`` is the span's text, when the caller has it.
    """
    text = span.text if text is None else text
    if not text[0].isupper() and not text.lower().startswith("port of "):
        return False
    best, place = entries[0]
    trusted = best in (CURATED, ALIAS)  # curated tables: ports, countries, explicit city aliases
    doc = span.doc
    nxt = doc[span.end] if span.end < len(doc) else None
    if nxt is not None and nxt.lower_ in ADMIN_WORDS and place.type != "Country":
        return False  # "Henan Province", "Hebei region": an administrative area, not a city
    if nxt is not None and nxt.text in FEATURES:
        return False  # "Pearl River Delta", "Caspian Sea": part of a longer geographic name
    ents: list[Span] = []
    for t in range(span.start, span.end):
        e = ent_of[t]
        if e is not None and not any(e is other for other in ents):
            ents.append(e)
    for ent in ents:
        label = ent.label_
        if label in NON_PLACE_ENTS and not (trusted and label not in NUMERIC_ENTS):
            return False  # a curated name tagged WORK_OF_ART or PRODUCT is still the place
        if label == "PERSON":
            longer = ent.start < span.start or ent.end > span.end
            if longer or not (trusted or max(p.population for _, p in entries) >= 100_000):
                return False
    if trusted:
        return True
    labels = {e.label_ for e in ents}
    prev = doc[span.start - 1] if span.start > 0 else None
    if prev is not None and prev.is_title and not prev.is_sent_start and prev.pos_ == "PROPN" \
            and place.population < 100_000:
        return False  # "Johns Hopkins": a small town's name inside another proper name
    if best == ALTERNATE:
        return "GPE" in labels or "LOC" in labels
    if len(fold(text)) < 3:
        return False
    return not labels.isdisjoint(PLACE_ENTS) or all(t.pos_ == "PROPN" for t in span if not t.is_punct)


def _port_word_after(doc: Doc, end: int) -> bool:
    """Whether "port" follows, maybe after "border", "land", "rail" or "dry"."""
    words = [t.lower_ for t in doc[end:end + 2]]
    return bool(words) and (words[0] == "port" or len(words) == 2 and words[1] == "port"
                            and words[0] in {"border", "land", "rail", "railway", "dry"})


def _extend_suffix(doc: Doc, end: int) -> int:
    """Include a following "Port", "Pass", "City" or "station" in the surface form."""
    if end < len(doc):
        first = doc[end]
        if end + 2 <= len(doc) and (first.text_with_ws + doc[end + 1].text).lower() in SUFFIXES:
            return end + 2
        if first.text.lower() in SUFFIXES:
            return end + 1
    return end


def _descriptions(doc: Doc, gazetteer: Gazetteer, mentions: list[Mention],
                  sent_of: list[int], words: _Words) -> list[Mention]:
    """Places named by description: "the Uzbek capital", "Kazakhstan's largest city"."""
    country_at = {m.start: m for m in mentions if m.place.type == "Country"}
    taken = {t for m in mentions for t in range(m.start, m.end)}
    texts = words.texts
    out: list[Mention] = []
    for start, pos in enumerate(words.pos):
        code: str | None = None
        if start in taken and start not in country_at:
            continue
        if start not in taken and pos in _DESCRIBED_POS and (c := gazetteer.demonym(texts[start])):
            code, nxt = c, start + 1
        elif start in country_at:
            m = country_at[start]
            code, nxt = m.place.country, m.end
            if nxt < len(doc) and texts[nxt] in {"'s", "’s"}:
                nxt += 1
            else:
                continue
        else:
            continue
        for phrase, kind in DESCRIPTORS.items():
            n = len(phrase.split())
            if fold(doc[nxt:nxt + n].text) == phrase:
                place = gazetteer.capital(code) if kind == "capital" else gazetteer.largest_city(code)
                if place is not None:
                    out.append(Mention(place, doc[start:nxt + n].text, start, nxt + n, sent_of[start]))
                break
    return out


_DESCRIBED_POS = frozenset({"ADJ", "PROPN"})


def _unclaimed_name(doc: Doc, i: int, taken: set[int]) -> bool:
    """A capitalised proper-noun token that no mention covers."""
    return _unclaimed(doc[i], taken)


def _unclaimed(tok: Token, taken: set[int]) -> bool:
    """A capitalised proper-noun token that no mention covers (see :func:`_unclaimed_name`)."""
    i = tok.i
    return i not in taken and tok.pos_ == "PROPN" and tok.text[:1].isupper() and tok.is_alpha is not None \
        and len(tok.text) >= 4 and tok.ent_type_ not in NON_PLACE_ENTS and tok.ent_type_ != "PERSON"


def _parenthetical_aliases(doc: Doc, mentions: list[Mention], sent_of: list[int]) -> list[Mention]:
    """"Bayannuur (Bayannur)", "Bayannur (Bayannuur)": an unknown spelling beside a known one in
    brackets.  The two must look alike: "Taitong International Transport (Langfang) Co." gives
    no alias."""
    from rapidfuzz import fuzz

    taken = {t for m in mentions for t in range(m.start, m.end)}
    out: list[Mention] = []
    for m in mentions:
        if m.place.type == "Country":
            continue
        before, after = m.start - 2, m.end + 1
        if m.start >= 2 and doc[m.start - 1].text == "(" and m.end < len(doc) and doc[m.end].text == ")" \
                and _unclaimed_name(doc, before, taken):
            i = before
        elif after + 1 < len(doc) and doc[m.end].text == "(" and doc[after + 1].text == ")" \
                and _unclaimed_name(doc, after, taken):
            i = after
        else:
            continue
        if fuzz.ratio(fold(doc[i].text), fold(m.place.label)) >= 60 or any(
                fuzz.ratio(fold(doc[i].text), fold(a)) >= 60 for a in m.place.aliases):
            out.append(Mention(m.place, doc[i].text, i, i + 1, sent_of[i]))
    return out


def _typos(doc: Doc, gazetteer: Gazetteer, mentions: list[Mention], sent_of: list[int],
           countries: list[str], words: _Words) -> list[Mention]:
    """Misspelt place names, corrected only with context ("Malszewicze", "X'ian").

    An unknown capitalised proper noun is corrected to a place one typo away when the article
    names that place correctly elsewhere, or when the word stands where places stand (tagged
    as a place, or after "to", "from", "via", "in", "of" ...) and the article names the
    place's country.
    """
    taken = {t for m in mentions for t in range(m.start, m.end)}
    named = {m.place for m in mentions}
    out: list[Mention] = []
    texts = words.texts
    for i, pos in enumerate(words.pos):
        if pos != "PROPN" or i in taken or len(texts[i]) < 5:
            continue  # the cheap part of _unclaimed first
        tok = words.tokens[i]
        if not _unclaimed(tok, taken):
            continue
        place = gazetteer.near(tok.text, among=named)
        if place is None and (tok.ent_type_ in {"GPE", "LOC", "FAC"} or tok.i > 0 and doc[tok.i - 1].lower_ in
                              {"to", "from", "via", "through", "in", "at", "of", "for"}):
            place = gazetteer.near(tok.text)
            if place is not None and place.country not in countries:
                place = None
        if place is not None:
            out.append(Mention(place, tok.text, tok.i, tok.i + 1, sent_of[tok.i]))
            taken.add(tok.i)
    return out


ANAPHORS = frozenset({"port", "crossing", "pass", "checkpoint"})


def _port_anaphora(doc: Doc, mentions: list[Mention], sent_of: list[int],
                   words: _Words) -> list[Mention]:
    """"the port", "this crossing": the port named last, in this sentence or the two before.

    The mention's text is the port's own name, so that it never becomes an alias.
    """
    taken = {t for m in mentions for t in range(m.start, m.end)}
    ports = sorted((m for m in mentions if m.place.type == "Port"), key=lambda m: m.end)
    ends = [m.end for m in ports]
    out: list[Mention] = []
    for i, text in enumerate(words.texts):
        if text.lower() not in ANAPHORS:  # the lexeme's lower_ is its text.lower()
            continue
        tok = words.tokens[i]
        if tok.lower_ not in ANAPHORS or i in taken or i + 1 < len(doc) and doc[i + 1].lower_ == "of":
            continue
        if not any(c.lower_ in {"the", "this", "that"} and c.dep_ == "det" for c in tok.children):
            continue
        if any(c.dep_ in {"compound", "amod", "nmod", "poss"} and c.pos_ == "PROPN" for c in tok.children):
            continue
        k = bisect.bisect_right(ends, tok.i) - 1  # the last port ending before the word
        if k >= 0 and sent_of[tok.i] - ports[k].sentence <= 2:
            place = ports[k].place
            out.append(Mention(place, place.label, tok.i, tok.i + 1, sent_of[tok.i]))
    return out


LOAD_WORDS = frozenset({"load", "laden", "carry", "fill", "pack", "transport"})


def _goods_of(doc: Doc, gazetteer: Gazetteer, mentions: list[Mention], sent_of: list[int],
              words: _Words) -> list[Mention]:
    """"a train loaded with Lao corn", "carrying Russian goods": the country a train's goods come
    from, as an implied mention (its text is the country's name, so it never becomes an alias)."""
    taken = {t for m in mentions for t in range(m.start, m.end)}
    out: list[Mention] = []
    for i, text in enumerate(words.texts):
        if i in taken or (code := gazetteer.demonym(text)) is None:
            continue
        tok = words.tokens[i]
        if tok.dep_ not in {"amod", "compound"}:
            continue
        goods = tok.head
        verb = goods.head.head if goods.dep_ == "pobj" and goods.head.lower_ == "with" else \
            goods.head if goods.dep_ in {"dobj", "obj"} else None
        if verb is None or verb.lemma_.lower() not in LOAD_WORDS or "made" in {c.lower_ for c in goods.children}:
            continue
        country = gazetteer.countries.get(code)
        if country is not None:
            out.append(Mention(country, country.label, tok.i, tok.i + 1, sent_of[tok.i], implied=True))
    return out
