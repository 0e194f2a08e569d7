"""Named entities only where a rule reads them: the recogniser runs on windows around names.

The rules read spaCy's entities at capitalised words alone: a gazetteer match is vetoed inside
a person's name or a date and accepted as a tagged place (:mod:`kg.extract.mentions`), an
unknown proper noun is a typo candidate unless it is a person or a number, a date word inside a
name dates nothing and a cargo word tagged NORP/GPE keeps its capital
(:mod:`kg.extract.attributes`).  In ``en_core_web_sm`` the recogniser has its own token encoder
(its features reach four tokens to each side) and is the costliest component, about 40% of the
pipeline.  So it runs on windows of :data:`CONTEXT` tokens around each such word (about 35-60%
of the words of train news), the windows of one article joined into one short document, and the
entities found are put back on the article's tokens; elsewhere no entity is set.  With two
tokens of context instead of the encoder's whole reach, 1-2% of the words rules read get
another entity than in the whole text, and none of those changes a fact: mentions and routes are
the whole-text ones on the seeds, the dev set, the held-out sets and 600 synthetic articles
(tested on seeds and fresh2), while the recogniser sees a quarter fewer tokens.

Windows are needed only where an entity can change a rule's answer (:func:`centres`): not
around a country, curated port or big city the gazetteer is sure of between lower-case words
(the place rules take it whatever its entity, :func:`scan`), nor around an unknown proper noun
no rule reads an entity of (:func:`label_unread`), unless a kept window reaches them.  That
halves the recogniser's tokens again (bench corpus 46% -> 21% of the text, dev 58% -> 28%)
with the same facts on the seeds, dev, fresh, fresh2, extra and corp50.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ..dates import MONTH_NAMES, WEEKDAY_NAMES
from ..gazetteer import Gazetteer, Place
from .lexicon import start_word

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

CONTEXT = 2
"""Tokens of context on each side of a word whose entity is read.  ``en_core_web_sm``'s NER
encoder (MaxoutWindowEncoder, depth 4, window 1) sees four tokens each way; four gives the
whole-text entities exactly, two the whole-text facts (one token changes them: measured on dev,
seeds, fresh, fresh2, extra) with 29% fewer tokens through the recogniser on the benchmark
corpus (49% -> 35% of its tokens) and 22% fewer on the dev set (75% -> 58%)."""
BIG_CITY = 100_000
"""Population from which the place rules take a city's name tagged as a person for the city."""
DATE_WORDS = frozenset(
    MONTH_NAMES + [m[:3] for m in MONTH_NAMES] + ["sept"] + WEEKDAY_NAMES + [d[:3] for d in WEEKDAY_NAMES]
    + ["today", "yesterday", "tonight", "this", "last", "next", "past", "earlier", "later", "early", "late",
       "mid", "end", "beginning"])
"""Lower-case words a date expression may hold (:mod:`kg.dates`): an entity around them blocks it."""
T = TypeVar("T")
SEPARATOR = "\n\n"
"""The token between two windows in the joined document: a paragraph break, where entities end."""


def needs_entity(tok: Token, gazetteer: Gazetteer) -> bool:
    """Whether a rule may read the entity of this (parsed) token.

    A capitalised word that was tagged, unless it only starts its sentence ("The", "In",
    "Officials"): proper nouns, gazetteer names and demonyms anywhere.
    """
    text = tok.text
    if not text[:1].isupper() or not tok.tag_:
        return False
    if tok.pos_ == "PROPN" or not tok.is_sent_start:
        return True
    word = start_word(text)
    return word in gazetteer.starts or word in gazetteer.blocked_starts or gazetteer.demonym(text) is not None


@dataclass(frozen=True)
class Scan:
    """What the place rules' gazetteer scan makes of a parsed document before any entity is set.

    ``settled`` are the token ranges of names the rules accept whatever entity the recogniser
    gives them (see :func:`scan`); ``doubtful`` the tokens of every other name (or blocked
    region) a match may cover, whose entities decide it.
    """

    settled: list[tuple[int, int]]
    doubtful: frozenset[int]
    capitalised: list[int]
    """The tokens that start with a capital, in order (the only ones :func:`needs_entity` picks)."""


def scan(doc: Doc, gazetteer: Gazetteer, tokens: list[Token] | None = None) -> Scan:
    """The place rules' names that entities cannot change, and those they decide.

    This follows :func:`kg.extract.mentions._propose` (longest gazetteer match first, left to
    right) on the parse alone.

    A match is *settled* when an entity can only refuse it where the recogniser errs:

    - its best entry is curated or an explicit alias (refused only when tagged a number or a
      date, or inside a longer person's name), or a GeoNames primary name of a city of 100,000
      or more whose words are all proper nouns (refused only when tagged a date, number, work,
      law, event, product or language, or inside a longer person's name);
    - nothing but an entity could refuse it (no "Province" or "River" after it), and no
      doubtful match starting earlier may cover it;
    - its neighbours are lower-case words, punctuation or the text's ends (so no entity with a
      capitalised neighbour can hold it), and its capitalised words are proper nouns (a cargo
      phrase keeps their capital without an entity).
    """
    from .mentions import ADMIN_WORDS, FEATURES, _window_texts, may_start

    tokens = list(doc) if tokens is None else tokens  # (a caller that has them saves making them)
    texts = [t.text for t in tokens]
    caps = [i for i, text in enumerate(texts) if text[:1].isupper()]
    ports = [i for i, text in enumerate(texts[:-2]) if text == "port"]  # "Port", "PORT": in caps
    settled: list[tuple[int, int]] = []
    doubtful: set[int] = set()
    doubtful_until = 0  # tokens before this may belong to a match the recogniser decides
    done = 0  # tokens before this are in a settled name
    starts, blocked_starts = gazetteer.starts, gazetteer.blocked_starts
    for i in sorted(caps + ports) if ports else caps:
        if i < done:
            continue
        if not may_start(tokens, texts, i, tokens[i].pos_, starts, blocked_starts):
            continue
        n, sure = _longest_match(tokens, i, gazetteer, _window_texts(tokens, i))
        end = i + n
        nxt = tokens[end] if end < len(tokens) else None
        if sure is not None and i >= doubtful_until and _plain(tokens[i - 1] if i else None) and _plain(nxt) \
                and (nxt is None or nxt.text not in FEATURES
                     and (nxt.lower_ not in ADMIN_WORDS or sure.type == "Country")) \
                and all(t.pos_ == "PROPN" for t in tokens[i:end] if t.text[:1].isupper()):
            settled.append((i, end))
            done = end
            continue
        doubtful_until = max(doubtful_until, end)
        doubtful.update(range(i, end))
    return Scan(settled, frozenset(doubtful), caps)


def _longest_match(tokens: list[Token], i: int, gazetteer: Gazetteer,
                   pieces: list[str]) -> tuple[int, Place | None]:
    """The longest name (or blocked region) starting at token ``i``: its length and sure place.

    The length is 0 for none; the place is its best one when an entity cannot change the
    rules' answer (see :func:`scan`), else None.  ``pieces`` are the texts (with whitespace) of
    the tokens the name may span.
    """
    from ..gazetteer import ALIAS, CURATED, PRIMARY, fold

    for n in range(len(pieces), 0, -1):
        text = "".join(pieces[:n]).strip()
        if n > 1 and fold(text) in gazetteer.blocked:
            return n, None  # "Inner Mongolia": skipped, its words left to the typo rule
        entries = gazetteer.candidates(text)
        if not entries:
            continue
        best, place = entries[0]
        if best in (CURATED, ALIAS):
            return n, place
        if best == PRIMARY and len(fold(text)) >= 3 and max(p.population for _, p in entries) >= BIG_CITY \
                and all(t.pos_ == "PROPN" for t in tokens[i:i + n] if not t.is_punct):
            return n, place
        return n, None
    return 0, None


def _plain(tok: Token | None) -> bool:
    """A neighbour no entity of a name reaches over: a lower-case word, punctuation, an end."""
    return tok is None or tok.is_lower or tok.is_punct or tok.is_space


def label_unread(tokens: list[Token], i: int, gazetteer: Gazetteer) -> bool:
    """Whether no rule reads the entity of token ``i`` of ``tokens`` (no gazetteer match covering it).

    An unknown proper noun's entity is read only by the typo rule (for words of five letters
    or more that are one typo from a place), by the bracketed alias rule ("Bayannuur
    (Bayannur)") and by the date rule (a date word or a year inside a name, "Expo 2021": the
    window is kept when one stands within :data:`CONTEXT` tokens; a day's number comes with a
    month).  A cargo phrase keeps a proper noun's capital without it.
    """
    tok = tokens[i]
    if tok.pos_ != "PROPN":
        return False
    if i > 0 and tokens[i - 1].text in _BRACKETS or i + 1 < len(tokens) and tokens[i + 1].text in _BRACKETS:
        return False
    if any(_datish(t.text) for t in tokens[max(0, i - CONTEXT):i + CONTEXT + 1]):
        return False  # "Expo 2021": a name's entity around a date keeps it from dating the train
    return len(tok.text) < 5 or gazetteer.near(tok.text) is None


_BRACKETS = frozenset({"(", ")"})
_YEAR = re.compile(r"(?:19|20)\d\d")


def _datish(text: str) -> bool:
    """Whether a token may be part of a date expression (:mod:`kg.dates`): a date word or a year."""
    return text.lower().rstrip(".") in DATE_WORDS or _YEAR.match(text) is not None


def centres(doc: Doc, gazetteer: Gazetteer, context: int = CONTEXT) -> list[int]:
    """The tokens (in order) whose entity a rule may read and the recogniser may change.

    Those :func:`needs_entity` picks, less the settled names of :func:`scan` and the unknown
    names no rule reads an entity of (:func:`label_unread`).  Such a name within ``context``
    tokens of a kept word keeps its window all the same (the kept word then has the context it
    had before; with those windows dropped too, 91% instead of 95% of the kept words of the
    seeds and fresh2 have their whole-text entity), until no window reaches a skipped name:
    skipped names get no entity at all.
    """
    tokens = list(doc)
    found = scan(doc, gazetteer, tokens)
    in_settled = {t for a, b in found.settled for t in range(a, b)}
    kept: list[int] = []
    pending = list(found.settled)
    for i in found.capitalised:
        if i in in_settled or not needs_entity(tokens[i], gazetteer):
            continue
        if i in found.doubtful or not label_unread(tokens, i, gazetteer):
            kept.append(i)
        else:
            pending.append((i, i + 1))
    while pending:
        reached = [(a, b) for a, b in pending if _near(kept, a - context, b + context)]
        if not reached:
            break
        kept = sorted(kept + [t for a, b in reached for t in range(a, b)
                              if needs_entity(tokens[t], gazetteer)])
        taken = set(reached)
        pending = [span for span in pending if span not in taken]
    return kept


def _near(sorted_tokens: list[int], lo: int, hi: int) -> bool:
    """Whether a token of the sorted list lies in ``lo:hi``."""
    k = bisect.bisect_left(sorted_tokens, lo)
    return k < len(sorted_tokens) and sorted_tokens[k] < hi


def windows(doc: Doc, gazetteer: Gazetteer, context: int = CONTEXT) -> list[tuple[int, int]]:
    """Token ranges (merged, in order) around every token of :func:`centres`."""
    out: list[tuple[int, int]] = []
    n = len(doc)
    for i in centres(doc, gazetteer, context):
        a, b = max(0, i - context), min(n, i + context + 1)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _joined(doc: Doc, spans: list[tuple[int, int]]) -> tuple[Doc, list[int]]:
    """The windows' tokens as one document, and the index in ``doc`` of each of its tokens.

    A separator (index -1) stands between windows; token norms are kept.
    """
    from spacy.attrs import NORM
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []
    where: list[int] = []
    norms: list[int] = []
    doc_norms = doc.to_array([NORM]).tolist()
    sep = doc.vocab.strings.add(SEPARATOR)
    for k, (a, b) in enumerate(spans):
        if k:
            words.append(SEPARATOR)
            spaces.append(False)
            where.append(-1)
            norms.append(sep)
        for tok in doc[a:b]:
            words.append(tok.text)
            spaces.append(bool(tok.whitespace_))
            where.append(tok.i)
            norms.append(doc_norms[tok.i])
    joined = Doc(doc.vocab, words=words, spaces=spaces)
    if words:
        import numpy

        joined.from_array([NORM], numpy.array(norms, dtype="uint64"))  # type: ignore[arg-type]
    return joined, where


def _put_back(doc: Doc, found: Doc, where: list[int]) -> None:
    """Set the entities found in the joined windows on the article's tokens (others: none)."""
    from spacy.tokens import Span

    spans = []
    for ent in found.ents:
        idx = [where[i] for i in range(ent.start, ent.end)]
        if -1 in idx:  # runs over a separator: keep the part before it
            idx = idx[:idx.index(-1)]
        if idx and idx[-1] - idx[0] == len(idx) - 1:
            spans.append(Span(doc, idx[0], idx[-1] + 1, label=ent.label))
    doc.set_ents(spans, default="outside")


def add_entities(pairs: Iterable[tuple[T, Doc]], *, nlp: Language, gazetteer: Gazetteer,
                 batch_size: int = 64) -> Iterator[tuple[T, Doc]]:
    """``(item, doc)`` pairs, in order, their documents (parsed without NER) given entities.

    Entities are set on the words rules read; ``batch_size`` documents' windows go through the
    recogniser together.
    """
    ner: Any = nlp.get_pipe("ner")
    batch: list[tuple[T, Doc, list[int], Doc]] = []

    def flush() -> Iterator[tuple[T, Doc]]:
        found = ner.pipe([joined for _, _, _, joined in batch], batch_size=batch_size)
        for (item, doc, where, _), ents in zip(batch, found, strict=True):
            _put_back(doc, ents, where)
            yield item, doc
        batch.clear()

    for item, doc in pairs:
        joined, where = _joined(doc, windows(doc, gazetteer))
        batch.append((item, doc, where, joined))
        if len(batch) >= batch_size:
            yield from flush()
    yield from flush()
