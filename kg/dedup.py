"""One story told by many outlets: near-duplicate articles and the trains they share.

The same wire story republished by several sites (a headline changed, a paragraph cut, a
sentence added) tells of the same trains.  Each article gets a MinHash signature of its word
shingles (:func:`signature`: datasketch's ``affine32`` MinHash, computed here with numpy so
that a build does not import datasketch and, through it, SciPy) stored with its document in the
store (``kgo:minhash``), so a later build compares new articles with everything already stored.

Two articles are copies when their estimated Jaccard similarity of 3-word shingles is at
least :data:`kg.settings.duplicate_threshold` (0.5), or their normalised text is equal.  Two
different stories about the same route share names and phrases ("China-Europe freight train",
"Chongqing to Duisburg") but few 3-word sequences: they measure far below it (about 0.05-0.2),
while a lightly edited copy measures above 0.7.

A train of a copy that has the same journey and figures (:func:`train_key`) as a train of the
article it copies takes that train's IRI: the graph then holds one ``kgo:Train`` with several
``kgo:sourceDocument`` values, each article citing its own sentences.  Each article's named
graph still describes the whole train, so removing one copy leaves it with the others.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from . import settings

NUM_PERM = 128
"""MinHash permutations: the Jaccard estimate's standard error is sqrt(J(1-J)/128), 0.044 at J=0.5."""
SHINGLE = 3
"""Words per shingle."""
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def shingles(text: str, *, size: int = SHINGLE) -> set[str]:
    """Lower-case word ``size``-grams of a text (the whole text as one shingle when shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def signature(text: str) -> str:
    """The MinHash signature of a text's shingles, as a short ASCII string for the store.

    The values are those of ``datasketch.MinHash(num_perm=128, seed=1)`` (its default
    ``affine32`` scheme) updated with the UTF-8 shingles: each shingle's SHA-1 (first four
    bytes, little-endian) is mixed by the MurmurHash3 finalizer, then mapped by 128 affine
    permutations ``a * h + b`` modulo 2**32; the signature keeps each permutation's minimum.
    A test checks the equality against datasketch.
    """
    a, b = _permutations()
    hv = _fmix32(np.frombuffer(b"".join(hashlib.sha1(s.encode("utf-8")).digest()[:4]
                                        for s in shingles(text)), dtype="<u4").astype(np.uint32))
    values = np.full(NUM_PERM, _EMPTY, dtype=np.uint32)
    if hv.size:
        values = np.minimum(values, (hv[:, None] * a[None, :] + b[None, :]).min(axis=0))
    return base64.b64encode(values.astype("<u8").tobytes()).decode("ascii")


_EMPTY = np.uint32(2**32 - 1)
"""A permutation's value before any shingle (datasketch's "max hash")."""


@cache
def _permutations(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The permutations' odd multipliers and offsets, drawn as datasketch draws them."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (a bijection), element-wise with wrap-around products."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def _values(sig: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(sig), dtype="<u8")


def _row(sig: str) -> np.ndarray | None:
    """A stored signature as a matrix row of 32-bit values (None: one of another length, matching nothing).

    MinHash values stay below 2**32 (they are stored as 64-bit integers for datasketch's sake),
    so 32 bits hold them exactly: half the memory of the stored form.
    """
    values = _values(sig)
    return values.astype(np.uint32) if values.shape == (NUM_PERM,) else None


def similarity(a: str, b: str) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal MinHash values)."""
    va, vb = _values(a), _values(b)
    if va.shape != vb.shape:
        return 0.0
    return float(np.mean(va == vb))


CHUNK_ROWS = 1024
"""Signatures per block of :class:`Signatures` (1,024 rows of 128 32-bit values: 512 KiB a block)."""


class Signatures:
    """Signatures of the stored articles (document IRI -> signature), searched for copies.

    The signatures are held as blocks of :data:`CHUNK_ROWS` rows of 32-bit values (a row per
    article: 512 bytes, so 5 MiB for 10,000 articles), so a search is one vectorised comparison
    per block however many articles the store holds.  A new block is added when the last is
    full: memory grows by one block at a time and nothing is ever copied (a matrix grown by
    doubling held up to twice the rows it used, and three times during the copy).  The
    signature strings are not kept (they would take 1.4 KiB more per article).
    """

    def __init__(self, known: Mapping[str, str]) -> None:
        self._docs: list[str] = []
        self._row: dict[str, int] = {}
        self._blocks: list[np.ndarray] = []
        self._valid: list[np.ndarray] = []
        for d, sig in known.items():
            self.add(d, sig)

    def add(self, doc: str, sig: str) -> None:
        """Remember an article just written."""
        row = _row(sig)
        at = self._row.get(doc)
        if at is None:
            at = self._row[doc] = len(self._docs)
            self._docs.append(doc)
            if at // CHUNK_ROWS == len(self._blocks):
                self._blocks.append(np.zeros((CHUNK_ROWS, NUM_PERM), dtype=np.uint32))
                self._valid.append(np.zeros(CHUNK_ROWS, dtype=bool))
        block, i = divmod(at, CHUNK_ROWS)
        self._blocks[block][i] = 0 if row is None else row
        self._valid[block][i] = row is not None

    @property
    def nbytes(self) -> int:
        """Bytes the signature blocks take."""
        return sum(int(b.nbytes + v.nbytes) for b, v in zip(self._blocks, self._valid, strict=True))

    def copy_of(self, doc: str, sig: str, *, threshold: float | None = None) -> tuple[str, float] | None:
        """The stored article (other than ``doc``) most like ``sig``, if at least ``threshold``."""
        limit = settings.duplicate_threshold if threshold is None else threshold
        mine = _row(sig)
        if not self._docs or mine is None:
            return None
        scores = np.concatenate([(b == mine).mean(axis=1) for b in self._blocks])[: len(self._docs)]
        scores[~np.concatenate(self._valid)[: len(self._docs)]] = -1.0
        if doc in self._row:
            scores[self._row[doc]] = -1.0
        best = int(np.argmax(scores))
        return (self._docs[best], float(scores[best])) if scores[best] >= limit else None


_SIGNATURES = "SELECT DISTINCT ?doc ?sig WHERE { ?doc a kgo:Document ; kgo:minhash ?sig }"
# A stored article's trains are read from its own named graph, which describes each of them
# whole (copies share a train only when they agree on everything in its key).  The union graph
# would repeat each fact once per copy telling the train: with many copies, every lookup grew
# with the store.  The document's IRI is written into the query (as Oxigraph serialises it)
# rather than bound: Oxigraph's planner does not start a plan from a bound variable.
_TRAINS_OF = """
SELECT DISTINCT ?train ?p ?o WHERE { GRAPH $DOC {
  ?train kgo:sourceDocument $DOC . ?train a kgo:Train ; ?p ?o .
  VALUES ?p { kgo:origin kgo:destination kgo:status kgo:dateBasis kgo:departureDate kgo:containers kgo:teu
              kgo:weightTonnes kgo:journeyDays }
} }"""
_VIA_OF = """
SELECT DISTINCT ?train ?seq ?place WHERE { GRAPH $DOC {
  ?train kgo:sourceDocument $DOC . ?train kgo:transit ?s . ?s kgo:sequence ?seq ; kgo:place ?place } }
ORDER BY ?train ?seq"""
_LEGS_OF = """
SELECT DISTINCT ?train ?leg ?from ?to WHERE { GRAPH $DOC {
  ?train kgo:sourceDocument $DOC . ?leg kgo:legOf ?train ; kgo:fromPlace ?from ; kgo:toPlace ?to } }"""
_OWNERS = "SELECT DISTINCT ?train ?doc WHERE { ?train a kgo:Train ; kgo:sourceDocument ?doc }"


def stored_signatures(st: Any) -> Signatures:
    """Every stored article's signature."""
    return Signatures({str(d): str(s) for d, s in st.query(_SIGNATURES)})


def train_key(
    origin: str | None,
    destinations: Iterable[str],
    via: Iterable[str],
    *,
    status: str,
    stated: str | None,
    figures: Iterable[Any],
    legs: Iterable[tuple[str, str, str]],
) -> tuple[Any, ...]:
    """What two reports must share to be one train: ends, stops, legs, status, stated date, figures.

    Place arguments are IRIs; ``legs`` are (number, from, to) as the leg IRIs number them;
    ``stated`` is the ISO date when the text states one (a date that is only the publication
    date does not count: copies are often published days apart).  Everything a train's graph
    says once (origin, figures, date, numbered stops and legs) is in the key, so two copies
    describing one train never give it two values of one of them.
    """
    return (
        origin,
        tuple(sorted(destinations)),
        tuple(via),
        status,
        stated,
        tuple(None if f is None else float(f) for f in figures),
        tuple(sorted(legs)),
    )


def article_train_key(routes: list[Any]) -> tuple[Any, ...]:
    """The :func:`train_key` of one train of an extracted article (its routes)."""
    from .rdf import place_iri, train_leg_ends, train_via

    first = routes[0]
    dests = {str(place_iri(r.destination)) for r in routes if r.destination is not None}
    return train_key(
        str(place_iri(first.origin)) if first.origin is not None else None,
        dests,
        [str(place_iri(p)) for p in train_via(routes)],
        status=first.status,
        stated=first.date.isoformat() if first.date is not None and first.date_basis == "stated" else None,
        figures=[first.containers, first.teu, first.tonnes, first.days],
        legs=[
            (str(k), str(place_iri(leg.start)), str(place_iri(leg.end))) for k, leg in train_leg_ends(routes)
        ],
    )


def stored_train_keys(st: Any, doc: str) -> dict[tuple[Any, ...], str]:
    """Train key -> train IRI of every train of one stored article."""
    import pyoxigraph as ox

    iri = str(ox.NamedNode(doc))  # serialised and checked by Oxigraph: never raw text

    def rows(sparql: str) -> Any:
        return st.query(sparql.replace("$DOC", iri))

    stops: dict[str, set[tuple[int, str]]] = {}
    for train, seq, place in rows(_VIA_OF):
        stops.setdefault(str(train), set()).add((int(seq), str(place)))
    via = {t: [p for _, p in sorted(s)] for t, s in stops.items()}
    legs: dict[str, set[tuple[str, str, str]]] = {}
    for train, leg, a, b in rows(_LEGS_OF):
        legs.setdefault(str(train), set()).add((str(leg).rsplit("/", 1)[-1], str(a), str(b)))
    # One row per distinct value: OPTIONALs over the union default graph, which repeats each
    # triple once per copy describing the train, would multiply rows by copies per property.
    facts: dict[str, dict[str, list[Any]]] = {}
    for train, prop, value in rows(_TRAINS_OF):
        facts.setdefault(str(train), {}).setdefault(str(prop).rsplit("#", 1)[-1], []).append(value)
    out: dict[tuple[Any, ...], str] = {}
    for train, f in sorted(facts.items()):

        def one(name: str, f: dict[str, list[Any]] = f) -> Any:
            return min(f[name], key=str) if f.get(name) else None

        date, basis = one("departureDate"), one("dateBasis")
        key = train_key(
            str(one("origin")) if one("origin") is not None else None,
            [str(d) for d in f.get("destination", [])],
            via.get(train, []),
            status=str(one("status") or "reported"),
            stated=str(date) if date is not None and str(basis) == "stated" else None,
            figures=[_num(one(n)) for n in ("containers", "teu", "weightTonnes", "journeyDays")],
            legs=legs.get(train, set()),
        )
        out.setdefault(key, train)
    return out


def key_digest(key: tuple[Any, ...]) -> bytes:
    """A short fingerprint of a :func:`train_key` (16 bytes of BLAKE2b of its ``repr``).

    Keys are tuples of strings, floats and None, whose ``repr`` is exact, so equal keys have
    equal digests; a build keeps the digests of the trains it writes instead of the keys (about
    1 KiB each) or reading them back from the store.
    """
    return hashlib.blake2b(repr(key).encode("utf-8"), digest_size=16).digest()


@dataclass
class TrainOwners:
    """Which articles' graphs describe each train, indexed by the train IRI's article part.

    Read once per build (:func:`train_owners`) and kept up to date as articles are written, so
    that an article never mints an IRI a copy of an earlier version of it still holds.  The
    trains written by this build also keep their key's :func:`key_digest`, so that the trains
    of a copy written earlier in the build are known without reading its graph back
    (:meth:`keys_of`): a read of freshly written data fills RocksDB's block caches.
    """

    by_prefix: dict[str, dict[str, set[str]]]

    def __post_init__(self) -> None:
        self._trains_of: dict[str, set[str]] = {}
        self._digest: dict[str, bytes] = {}
        for group in self.by_prefix.values():
            for train, docs in group.items():
                for doc in docs:
                    self._trains_of.setdefault(doc, set()).add(train)

    @staticmethod
    def prefix(train: str) -> str:
        """The part of a train IRI before its number: ``.../train/<article>/``."""
        return train.rsplit("/", 1)[0] + "/"

    def taken(self, doc: str, prefix: str) -> set[str]:
        """Train IRIs starting with ``prefix`` that articles other than ``doc`` describe."""
        return {t for t, docs in self.by_prefix.get(prefix, {}).items() if docs - {doc}}

    def written(self, doc: str, trains: Iterable[str], *, digests: Mapping[str, bytes] | None = None) -> None:
        """Record that ``doc``'s graph now describes exactly ``trains`` (with their key digests, if given).

        Only the trains ``doc`` described before are visited (not every stored train), so
        recording an article costs the same however large the store is.
        """
        for t in self._trains_of.pop(doc, set()):
            self.by_prefix.get(self.prefix(t), {}).get(t, set()).discard(doc)
        for t in trains:
            self.add(t, doc)
        self._digest.update(digests or {})

    def keys_of(self, doc: str) -> dict[bytes, str] | None:
        """Key digest -> train IRI of every train ``doc`` describes (None: one of them was not written).

        A train this build did not write has no digest here: the caller reads the keys of that
        article's trains from the store (:func:`stored_train_keys`).
        """
        trains = self._trains_of.get(doc, set())
        if not all(t in self._digest for t in trains):
            return None
        out: dict[bytes, str] = {}
        for t in sorted(trains):  # as stored_train_keys: of two trains with one key, the first
            out.setdefault(self._digest[t], t)
        return out

    def add(self, train: str, doc: str) -> None:
        """Record that ``doc``'s graph describes ``train``."""
        self.by_prefix.setdefault(self.prefix(train), {}).setdefault(train, set()).add(doc)
        self._trains_of.setdefault(doc, set()).add(train)


def train_owners(st: Any) -> TrainOwners:
    """Every stored train with the articles that describe it."""
    owners = TrainOwners({})
    for train, doc in st.query(_OWNERS):
        owners.add(str(train), str(doc))
    return owners


def _num(value: Any) -> float | None:
    return None if value is None else float(value.toPython())
