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

BAND_ROWS = 2
"""MinHash values per band of the copy index (r): articles are candidates when whole bands agree."""
BANDS = NUM_PERM // BAND_ROWS
"""Bands of the copy index (b = 64: every value of the signature is in one band)."""
MISS_BOUND = 1e-7
"""Largest chance the bands may miss a pair the exhaustive comparison reports (:func:`bands_needed`)."""
FLUSH_ROWS = 256
"""Articles added before their bands are sorted into a run (until then each is compared in full)."""
RUN_ROWS = 16384
"""Runs merge pairwise while the result holds at most this many articles (8 MiB of band entries):
the largest copy a merge makes."""


def whole_bands(bands_agreeing: int, agree: int) -> float:
    """Chance that exactly ``bands_agreeing`` bands agree whole when ``agree`` of the values agree.

    The agreeing values of two signatures are a uniformly random ``agree``-subset of the 128
    (the permutations are drawn independently): choose the whole bands, then place the other
    agreeing values one per band at most, in either of its two rows.
    """
    from math import comb

    rest = agree - BAND_ROWS * bands_agreeing
    if rest < 0 or rest > BANDS - bands_agreeing:
        return 0.0
    return comb(BANDS, bands_agreeing) * comb(BANDS - bands_agreeing, rest) * 2**rest / comb(NUM_PERM, agree)


def band_miss(agree: int, *, need: int = 1) -> float:
    """Chance that fewer than ``need`` bands agree whole when ``agree`` of the 128 values agree.

    At the threshold 0.5 (64 values) it is 7.7e-19 for one band (2**64 / C(128, 64)), 3.0e-8
    for six; it falls as ``agree`` grows.
    """
    return sum(whole_bands(j, agree) for j in range(need))


def bands_needed(agree: int) -> int:
    """Whole bands a candidate must share when the pairs sought agree on at least ``agree`` values.

    The most bands for which :func:`band_miss` stays below :data:`MISS_BOUND` for every pair
    agreeing that much (6 at the default threshold: 64 values); 0 when not even one band is
    safe (below 50 values, a threshold under 0.391), and the search compares with every signature.
    """
    return min(_most_bands()[agree:], default=BANDS)


@cache
def _most_bands() -> tuple[int, ...]:
    """For each count of agreeing values, the most whole bands to require with a miss under the bound."""
    out = []
    for agree in range(NUM_PERM + 1):
        need, below = 0, whole_bands(0, agree)  # below: the chance that fewer than need + 1 agree
        while need < BANDS and below < MISS_BOUND:
            need += 1
            below += whole_bands(need, agree)
        out.append(need)
    return tuple(out)


def banded_threshold() -> float:
    """Lowest threshold at which the search uses the bands (0.391: 50 values of 128)."""
    return next(m for m in range(NUM_PERM + 1) if bands_needed(m)) / NUM_PERM


def _lowest_agree(limit: float) -> int:
    """Fewest agreeing values whose score ``k / NUM_PERM`` is at least ``limit`` (NUM_PERM + 1: none)."""
    from math import ceil, isfinite

    if not isfinite(limit):
        return 0 if limit < 0 else NUM_PERM + 1
    k = min(max(ceil(limit * NUM_PERM), 0), NUM_PERM + 1)
    while k > 0 and (k - 1) / NUM_PERM >= limit:  # the float product rounded up
        k -= 1
    while k <= NUM_PERM and k / NUM_PERM < limit:
        k += 1
    return k


_SALT = np.random.RandomState(7).randint(0, 2**63, size=BANDS, dtype=np.int64).astype(np.uint64)
"""A random 64-bit value per band, so that equal values in two bands give two keys."""
_MULT = np.uint64(0x9E3779B97F4A7C15)
"""The odd multiplier of the multiply-shift hash (2**64 divided by the golden ratio)."""


def band_keys(values: np.ndarray) -> np.ndarray:
    """The 32-bit key of each band of signature rows (shape (n, 128) -> (n, 64)).

    A band's two 32-bit values read as one 64-bit integer, salted by band and hashed by
    multiply-shift.  Rows agreeing on a band have equal keys; rows that do not collide with
    chance about 2**-32 (a false candidate, then rejected by the exact comparison).
    """
    pairs = np.ascontiguousarray(values, dtype=np.uint32).view(np.uint64)
    return (((pairs ^ _SALT) * _MULT) >> np.uint64(32)).astype(np.uint32)


class _Run:
    """Band keys of some articles, sorted, with each entry's row (-1: removed since).

    ``level``: the run holds the bands of ``2**level`` flushes (runs of one level merge).  A
    directory of the first entry of each key prefix (:meth:`positions`), about one for four
    entries, finds a key's entries in two memory reads where a binary search of a run of a
    million entries takes some twenty, most of them cache misses.
    """

    def __init__(self, keys: np.ndarray, rows: np.ndarray, level: int) -> None:
        self.keys, self.rows, self.level = keys, rows, level
        self.removed = 0
        bits = max(1, min(24, (len(keys) // 4).bit_length() - 1))  # 4 to 8 entries a prefix
        self.shift = np.uint32(32 - bits)
        prefixes = np.arange((1 << bits) + 1, dtype=np.uint64) << np.uint64(32 - bits)
        self.first = np.searchsorted(keys, prefixes).astype(np.int32)

    @classmethod
    def of(cls, keys: np.ndarray, rows: np.ndarray) -> _Run:
        """A run of level 0 from unsorted entries."""
        both = np.sort((keys.astype(np.uint64) << np.uint64(32)) | rows.astype(np.uint64))  # not an argsort
        low = np.uint64(0xFFFFFFFF)
        return cls((both >> np.uint64(32)).astype(np.uint32), (both & low).astype(np.int32), 0)

    @property
    def nbytes(self) -> int:
        return int(self.keys.nbytes + self.rows.nbytes + self.first.nbytes)

    def positions(self, keys: np.ndarray) -> np.ndarray:
        """Positions of the entries with one of ``keys``."""
        prefix = keys >> self.shift
        lo, hi = self.first[prefix], self.first[prefix + 1]
        sizes = hi - lo
        if not sizes.any():
            return lo[:0]
        # each range's start, less the entries before it, once per entry: plus 0, 1, 2... its position
        starts = np.repeat(lo - np.cumsum(sizes) + sizes, sizes)
        at = starts + np.arange(len(starts))
        return at[self.keys[at] == np.repeat(keys, sizes)]

    def remove(self, keys: np.ndarray, row: int) -> None:
        """Mark ``row``'s entries under ``keys`` removed."""
        at = self.positions(keys)
        at = at[self.rows[at] == row]
        self.rows[at] = -1
        self.removed += len(at)

    def live(self) -> tuple[np.ndarray, np.ndarray]:
        """The keys and rows of the entries not removed."""
        if not self.removed:
            return self.keys, self.rows
        keep = self.rows >= 0
        return self.keys[keep], self.rows[keep]

    def merged(self, other: _Run) -> _Run:
        """One run of the next level holding both runs' live entries (a merge of sorted arrays, no sort)."""
        (ak, ar), (bk, br) = self.live(), other.live()
        at = np.searchsorted(ak, bk, side="right") + np.arange(len(bk))
        mine = np.ones(len(ak) + len(bk), dtype=bool)
        mine[at] = False
        keys, rows = np.empty(len(mine), dtype=ak.dtype), np.empty(len(mine), dtype=ar.dtype)
        keys[at], rows[at] = bk, br
        keys[mine], rows[mine] = ak, ar
        return _Run(keys, rows, self.level + 1)

    def compacted(self) -> _Run:
        """The run without its removed entries."""
        keys, rows = self.live()
        return _Run(keys.copy(), rows.copy(), self.level)


class Signatures:
    """Signatures of the stored articles (document IRI -> signature), searched for copies.

    The signatures are held as blocks of :data:`CHUNK_ROWS` rows of 32-bit values (a row per
    article: 512 bytes, so 5 MiB for 10,000 articles).  A new block is added when the last is
    full: memory grows by one block at a time and nothing is ever copied (a matrix grown by
    doubling held up to twice the rows it used, and three times during the copy).  The
    signature strings are not kept (they would take 1.4 KiB more per article).

    A search does not compare a signature with every stored one (a cost growing with the
    store: 10 ms an article at 100,000).  Locality-sensitive hashing cuts the 128 values into
    :data:`BANDS` bands of :data:`BAND_ROWS`: the candidates are the articles agreeing with the
    new one on :func:`bands_needed` whole bands (6 at the threshold 0.5), found in sorted runs of
    band keys (9 bytes an entry with the runs' directories, 576 an article), and only they are
    compared in full, so scores and answers are the exhaustive ones.  An article the exhaustive
    search reports at 0.5 (64 of 128 values agreeing) shares fewer than 6 whole bands with
    chance 3.0e-8 (:func:`band_miss`; 16 are expected), less the more it agrees; below
    :func:`banded_threshold` (0.391) no number of bands keeps the chance under
    :data:`MISS_BOUND` and the search compares with every signature.  Wider bands would
    select better, but with 128 values even one whole band of 3 of 42 is missed at 0.5 with
    chance 7e-4.  The last :data:`FLUSH_ROWS` articles added are compared in full until their
    bands are sorted into a run; runs of one size merge pairwise up to :data:`RUN_ROWS`
    articles, so a search reads a few runs (8 at 100,000 articles).  An article written again
    leaves its old bands marked removed (a run half removed is compacted).
    """

    def __init__(self, known: Mapping[str, str]) -> None:
        self._docs: list[str] = []
        self._row: dict[str, int] = {}
        self._blocks: list[np.ndarray] = []
        self._valid: list[np.ndarray] = []
        self._queued: list[np.ndarray] = []  # rows whose bands are not in a run yet
        self._runs: list[_Run] = []
        self._pending = np.zeros(FLUSH_ROWS, dtype=np.int64)  # those rows, in the order added
        self._npending = 0
        for d, sig in known.items():
            self._place(d, _row(sig))
        self._band_all()

    def _place(self, doc: str, row: np.ndarray | None) -> int:
        """Write a signature row (None: none) for ``doc``, in a new row if it has none; its row."""
        at = self._slot(doc)
        block, i = divmod(at, CHUNK_ROWS)
        self._blocks[block][i] = 0 if row is None else row
        self._valid[block][i] = row is not None
        return at

    def _slot(self, doc: str) -> int:
        """The row of ``doc``: a new one (and a new block when the last is full) if it has none."""
        at = self._row.get(doc)
        if at is None:
            at = self._row[doc] = len(self._docs)
            self._docs.append(doc)
            if at // CHUNK_ROWS == len(self._blocks):
                self._blocks.append(np.zeros((CHUNK_ROWS, NUM_PERM), dtype=np.uint32))
                self._valid.append(np.zeros(CHUNK_ROWS, dtype=bool))
                self._queued.append(np.zeros(CHUNK_ROWS, dtype=bool))
        return at

    def _band_all(self) -> None:
        """Band the stored signatures at once, in runs of :data:`RUN_ROWS` (never merged: full)."""
        full = max(0, (RUN_ROWS // FLUSH_ROWS).bit_length() - 1)  # the level of a run as large as they grow
        for start in range(0, len(self._docs), RUN_ROWS):
            rows = np.arange(start, min(start + RUN_ROWS, len(self._docs)))
            rows = rows[self._gather(self._valid, rows)]
            if len(rows):
                run = _Run.of(band_keys(self._gather(self._blocks, rows)).ravel(), np.repeat(rows, BANDS))
                run.level = full
                self._runs.append(run)

    def add(self, doc: str, sig: str) -> None:
        """Remember an article just written (written again: its new signature and bands replace the old)."""
        row = _row(sig)
        at = self._slot(doc)
        block, i = divmod(at, CHUNK_ROWS)
        if self._valid[block][i] and not self._queued[block][i]:  # its bands are in a run
            old = self._blocks[block][i]
            if row is not None and np.array_equal(old, row):
                return
            self._unband(at, band_keys(old[None, :])[0])
        self._blocks[block][i] = 0 if row is None else row
        self._valid[block][i] = row is not None
        if not self._queued[block][i]:
            self._queued[block][i] = True
            self._pending[self._npending] = at
            self._npending += 1
            if self._npending == len(self._pending):
                self._flush()

    def _unband(self, at: int, keys: np.ndarray) -> None:
        """Remove row ``at``'s band entries from the runs (a run half removed is compacted)."""
        keys = np.sort(keys)
        for n, run in enumerate(self._runs):
            run.remove(keys, at)
            if run.removed * 2 > len(run.rows):
                self._runs[n] = run.compacted()

    def _flush(self) -> None:
        """Sort the pending rows' bands into a run; merge the last two runs while of one level."""
        rows = np.sort(self._pending[: self._npending])
        self._npending = 0
        for r in rows.tolist():
            self._queued[r // CHUNK_ROWS][r % CHUNK_ROWS] = False
        rows = rows[self._gather(self._valid, rows)]
        if not len(rows):
            return
        keys = band_keys(self._gather(self._blocks, rows))
        runs = self._runs
        runs.append(_Run.of(keys.ravel(), np.repeat(rows, BANDS)))
        while (len(runs) > 1 and runs[-1].level == runs[-2].level
               and FLUSH_ROWS << (runs[-1].level + 1) <= RUN_ROWS):
            last = runs.pop()
            runs[-1] = runs[-1].merged(last)

    @staticmethod
    def _gather(blocks: list[np.ndarray], rows: np.ndarray) -> np.ndarray:
        """The entries at ``rows`` (sorted, not empty) of a list of blocks of :data:`CHUNK_ROWS` rows."""
        which = rows // CHUNK_ROWS
        if which[0] == which[-1]:
            return blocks[int(which[0])][rows - int(which[0]) * CHUNK_ROWS]
        cuts = [0, *(np.flatnonzero(np.diff(which)) + 1).tolist(), len(rows)]
        return np.concatenate([blocks[int(which[a])][rows[a:b] % CHUNK_ROWS]
                               for a, b in zip(cuts[:-1], cuts[1:], strict=True)])

    @property
    def nbytes(self) -> int:
        """Bytes the signature blocks and the band index take."""
        blocks = sum(int(b.nbytes + v.nbytes) for b, v in zip(self._blocks, self._valid, strict=True))
        return blocks + self.band_nbytes

    @property
    def band_nbytes(self) -> int:
        """Bytes the band index takes: its sorted runs, the pending rows and a flag per row."""
        return sum(r.nbytes for r in self._runs) + self._pending.nbytes + sum(q.nbytes for q in self._queued)

    def candidates(self, sig: str, *, threshold: float | None = None) -> list[str]:
        """The stored articles the banded search compares ``sig`` with, in the order stored.

        Those sharing :func:`bands_needed` whole bands with it and those whose bands are not
        in a run yet; all of them when the threshold is too low for the bands.
        """
        mine = _row(sig)
        if mine is None:
            return []
        need = bands_needed(_lowest_agree(settings.duplicate_threshold if threshold is None else threshold))
        rows = np.sort(self._candidate_rows(mine, need)) if need else np.arange(len(self._docs))
        return [self._docs[r] for r in rows.tolist()]

    def _candidate_rows(self, mine: np.ndarray, need: int) -> np.ndarray:
        """Rows sharing ``need`` whole bands with ``mine``, then the pending rows (disjoint sets).

        A row's band entries are all in one run, so counting its hits over the runs counts
        the bands it shares.
        """
        keys = np.sort(band_keys(mine[None, :])[0])
        hits = [h for h in (run.rows[run.positions(keys)] for run in self._runs) if len(h)]
        pending = self._pending[: self._npending]
        if not hits:
            return pending
        found = np.concatenate(hits)
        found = found[found >= 0]
        if len(found) > 64:  # a count per stored row is cheaper than a sort
            counts = np.bincount(found, minlength=len(self._docs))
            rows = np.flatnonzero(counts >= need)
        else:
            rows, counts = np.unique(found, return_counts=True)
            rows = rows[counts >= need].astype(np.int64)
        return np.concatenate([rows, pending]) if len(pending) else rows

    def _scores(self, mine: np.ndarray, rows: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Rows and their similarity to ``mine`` (-1: no signature); every row when ``rows`` is None."""
        n = len(self._docs)
        if rows is None:
            agree = np.concatenate([np.count_nonzero(b == mine, axis=1) for b in self._blocks])
            scores = agree[:n] / NUM_PERM
            scores[~np.concatenate(self._valid)[:n]] = -1.0
            return np.arange(n), scores
        order = np.sort(rows)
        scores = np.count_nonzero(self._gather(self._blocks, order) == mine, axis=1) / NUM_PERM
        scores[~self._gather(self._valid, order)] = -1.0
        return order, scores

    def copy_of(self, doc: str, sig: str, *, threshold: float | None = None,
                exhaustive: bool = False) -> tuple[str, float] | None:
        """The stored article (other than ``doc``) most like ``sig``, if at least ``threshold``.

        Of equally similar articles, the one stored first.  ``exhaustive`` compares with every
        stored signature (as a threshold below :func:`banded_threshold` does) instead of the
        band candidates only: the answer is the same.
        """
        limit = settings.duplicate_threshold if threshold is None else threshold
        mine = _row(sig)
        if not self._docs or mine is None:
            return None
        need = bands_needed(_lowest_agree(limit))
        if exhaustive or not need:
            rows, scores = self._scores(mine, None)
        else:
            found = self._candidate_rows(mine, need)
            if not len(found):
                return None
            rows, scores = self._scores(mine, found)
        own = self._row.get(doc)
        if own is not None:
            scores[rows == own] = -1.0
        best = int(np.argmax(scores))
        return (self._docs[int(rows[best])], float(scores[best])) if scores[best] >= limit else None


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
