"""The built gazetteer is cached on disk, keyed by what it is built from."""

from __future__ import annotations

import marshal
import os
import pickle
import random
import time

from kg import gazetteer as gz
from kg import settings


def test_default_gazetteer_is_cached_and_reads_back_equal(gazetteer):
    path = gz._cache_file()
    assert path is not None and path.is_file()  # the session's default() wrote it
    back = gz._load_cached(path)
    assert back is not None and back is not gazetteer
    for name in ("Duisburg", "Alashankou", "Brest", "Ulan Qab", "Kazakhstan", "Lodz"):
        assert back.candidates(name) == gazetteer.candidates(name)
        assert back.resolve(name, countries=["BY"]) == gazetteer.resolve(name, countries=["BY"])
    assert back.starts == gazetteer.starts and back.near("Malszewicze") == gazetteer.near("Malszewicze")


def test_the_cache_read_back_answers_every_lookup_as_the_built_index(gazetteer):
    """Rows, flat entries and lazily made places give what the built gazetteer gives."""
    built = gz.Gazetteer()
    back = gz._thaw(marshal.loads(marshal.dumps(gz._freeze(built))))
    assert isinstance(back._index, gz._Index)
    made = len(back._index._made)
    assert made <= 2 * len(built.countries) < len(back._index._rows) / 50, "only countries and their largest cities are made on reading"
    names = sorted(built._index)
    assert len(back._index) == len(names) and sorted(back._index) == names
    for key in random.Random(7).sample(names, 3000):
        assert back.candidates(key) == built.candidates(key)
        assert [p.aliases for _, p in back.candidates(key)] == [p.aliases for _, p in built.candidates(key)]
        assert back.resolve(key, countries=["KZ", "CN"]) == built.resolve(key, countries=["KZ", "CN"])
    for code in built.countries:
        assert back.country(code) == built.country(code)
        assert back.capital(code) == built.capital(code) and back.largest_city(code) == built.largest_city(code)
    for word in ("Uzbek", "Polish", "Chinese", "Kazakh"):
        assert back.demonym(word) == built.demonym(word)
    for typo in ("Malszewicze", "Duisbrug", "Alashnkou", "Chongquing", "Zzyzxq"):
        assert back.near(typo) == built.near(typo)
    assert back.compact_names == built.compact_names and back.blocked_starts == built.blocked_starts
    again = back.candidates("Duisburg")[0][1]
    assert again is back.candidates("Duisburg")[0][1], "a row is made into one Place once"
    assert pickle.loads(pickle.dumps(back)).resolve("Dostyk") == built.resolve("Dostyk")


def test_cache_key_follows_settings(monkeypatch):
    first = gz._cache_file()
    monkeypatch.setattr(settings, "min_town_population", 15_000)
    assert gz._cache_file() != first
    monkeypatch.setattr(settings, "cache_dir", "off")
    assert gz._cache_file() is None


def test_unreadable_or_foreign_cache_files_are_ignored(tmp_path):
    small = gz.Gazetteer(cities=False)
    small.prepare()
    path = tmp_path / "sub" / "gazetteer-x.marshal"
    gz._save_cached(path, small)
    back = gz._load_cached(path)
    assert back is not None and back.resolve("Dostyk") == small.resolve("Dostyk")
    for foreign in (b"not a cache", pickle.dumps(small), marshal.dumps({"a": 1}),
                    marshal.dumps({"format": 1}), marshal.dumps({"format": gz._CACHE_FORMAT, "rows": []}),
                    marshal.dumps(gz._freeze(small))[:-100]):
        path.write_bytes(foreign)
        assert gz._load_cached(path) is None
    assert gz._load_cached(tmp_path / "missing.marshal") is None
    (tmp_path / "file").write_text("")
    gz._save_cached(tmp_path / "file" / "x.marshal", small)  # a folder that cannot be made: no error
    assert not (tmp_path / "file").is_dir()


def test_saving_removes_other_cache_files_nothing_read_for_weeks(tmp_path):
    small = gz.Gazetteer(cities=False)
    stale, fresh, other = tmp_path / "gazetteer-old.pickle", tmp_path / "gazetteer-new.marshal", tmp_path / "x.txt"
    for f in (stale, fresh, other):
        f.write_bytes(b"x")
    weeks_ago = time.time() - (gz._STALE_DAYS + 1) * 86_400
    os.utime(stale, (weeks_ago, weeks_ago))
    os.utime(other, (weeks_ago, weeks_ago))
    gz._save_cached(tmp_path / "gazetteer-mine.marshal", small)
    assert not stale.exists() and fresh.exists() and other.exists()
    os.utime(tmp_path / "gazetteer-mine.marshal", (weeks_ago, weeks_ago))
    assert gz._load_cached(tmp_path / "gazetteer-mine.marshal") is not None
    assert (tmp_path / "gazetteer-mine.marshal").stat().st_mtime > weeks_ago + 86_400, "reading keeps it fresh"
