"""The built gazetteer is cached on disk, keyed by what it is built from."""

from __future__ import annotations

import pickle

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


def test_cache_key_follows_settings(monkeypatch):
    first = gz._cache_file()
    monkeypatch.setattr(settings, "min_town_population", 15_000)
    assert gz._cache_file() != first
    monkeypatch.setattr(settings, "cache_dir", "off")
    assert gz._cache_file() is None


def test_unreadable_or_foreign_cache_files_are_ignored(tmp_path):
    small = gz.Gazetteer(cities=False)
    small.prepare()
    path = tmp_path / "sub" / "gazetteer-x.pickle"
    gz._save_cached(path, small)
    back = gz._load_cached(path)
    assert back is not None and back.resolve("Dostyk") == small.resolve("Dostyk")
    path.write_bytes(b"not a pickle")
    assert gz._load_cached(path) is None
    path.write_bytes(pickle.dumps({"a": 1}))
    assert gz._load_cached(path) is None
    assert gz._load_cached(tmp_path / "missing.pickle") is None
    (tmp_path / "file").write_text("")
    gz._save_cached(tmp_path / "file" / "x.pickle", small)  # a folder that cannot be made: no error
    assert not (tmp_path / "file").is_dir()
