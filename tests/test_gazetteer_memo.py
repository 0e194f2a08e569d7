"""The remembered gazetteer lookups answer as the plain ones: typo correction and candidates."""

from __future__ import annotations

import random
from collections.abc import Iterable

from kg.gazetteer import Gazetteer, Place, fold


def _near_plain(gazetteer: Gazetteer, name: str, among: Iterable[Place] | None = None) -> Place | None:
    """Typo correction as it was before memos: the whole letter's pool filtered on every call."""
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    key = fold(name)
    if len(key) < 5 or gazetteer.knows(key) or key in gazetteer.blocked:
        return None
    allowed = set(among) if among is not None else None
    pool = {k: p for k, p in gazetteer._fuzzy_by_letter.get(key[:1], ()) if allowed is None or p in allowed}
    if not pool:
        return None
    best = process.extractOne(key, list(pool), scorer=DamerauLevenshtein.distance,
                              score_cutoff=1 if len(key) <= 8 else 2)
    return pool[best[0]] if best is not None else None


def _typos(word: str, rng: random.Random) -> list[str]:
    """A word with one and with two edits (never on the first letter), and capitalised."""
    out = []
    for edits in (1, 2):
        w = word
        for _ in range(edits):
            i = rng.randrange(1, max(2, len(w)))
            kind = rng.choice("dsit")
            if kind == "d":
                w = w[:i] + w[i + 1:]
            elif kind == "s":
                w = w[:i] + rng.choice("aeiouxz") + w[i + 1:]
            elif kind == "i":
                w = w[:i] + rng.choice("aeiouxz") + w[i:]
            elif i + 1 < len(w):
                w = w[:i] + w[i + 1] + w[i] + w[i + 2:]
        out.append(w.capitalize())
    return out


def _names(gazetteer: Gazetteer, n: int = 400) -> list[str]:
    rng = random.Random(13)
    pool = [k for letters in gazetteer._fuzzy_by_letter.values() for k, _ in letters]
    words = rng.sample(pool, n)
    return [w for word in words for w in (word.title(), *_typos(word, rng))] + [
        "Malszewicze", "X'ian", "Mosxow", "Urumchi", "Duisberg", "Chongquing", "Zzzzzz", "Ab", "Berlin"]


def test_near_answers_as_the_plain_scan_over_many_names(gazetteer):
    names = _names(gazetteer)
    for name in names * 2:  # the second round answers from the memo
        assert gazetteer.near(name) == _near_plain(gazetteer, name), name


def test_near_among_answers_as_the_plain_scan(gazetteer):
    rng = random.Random(7)
    names = _names(gazetteer, 200)
    places = list({p.key: p for letters in gazetteer._fuzzy_by_letter.values() for _, p in letters}.values())
    for name in names:
        key = fold(name)
        # the context often holds the place the typo is of, plus a few others
        same = [p for k, p in gazetteer._fuzzy_by_letter.get(key[:1], ()) if k[:3] == key[:3]][:3]
        for among in ([], same, same + rng.sample(places, 20), rng.sample(places, 40)):
            assert gazetteer.near(name, among=among) == _near_plain(gazetteer, name, among), (name, among)


def test_near_among_keeps_the_pool_order_for_ties(gazetteer):
    """"Anshqn" is one edit from Anshun and from Anshan: the pool's order decides, whatever the
    order the context lists them in."""
    first = _near_plain(gazetteer, "Anshqn")
    assert first is not None and first.label in {"Anshun", "Anshan"}
    both = [p for k, p in gazetteer._fuzzy_by_letter["a"] if k in {"anshun", "anshan"}]
    assert len(both) == 2
    for among in (both, both[::-1], {*both}):
        assert gazetteer.near("Anshqn", among=among) == first
    assert gazetteer.near("Anshqn") == first


def test_candidates_answer_as_the_plain_lookup_and_are_fresh_lists(gazetteer):
    names = _names(gazetteer, 300) + ["Alataw port", "Nantong City", "Dostyk station", "Ulan Qab",
                                      "Bayan Nur", "Port of Baku", "China", "Inner Mongolia", ""]
    for name in names * 2:
        assert gazetteer.candidates(name) == gazetteer._lookup(name), name
    got = gazetteer.candidates("Alataw port")
    got.clear()
    assert gazetteer.candidates("Alataw port") == gazetteer._lookup("Alataw port") != []


def test_demonyms_answer_as_the_table(gazetteer):
    words = ["Uzbek", "uzbek", "UZBEK", "Lao", "Russian", "Chinese", "Kazakh", "Train", "", "Ülan", "Polish"]
    for word in words * 2:
        assert gazetteer.demonym(word) == gazetteer._demonyms.get(fold(word)), word
    assert gazetteer.demonym("Uzbek") == "UZ" and gazetteer.demonym("Train") is None
