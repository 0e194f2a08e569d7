"""Shared fixtures: the real spaCy pipeline, the gazetteer, and a store built from seeds/ once."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("KG_CACHE_DIR", tempfile.mkdtemp(prefix="kg-test-cache-"))  # before kg reads settings

import pytest
from typer.testing import CliRunner

import kg
from kg.extract import extract_text
from kg.gazetteer import default
from kg.model import Article

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "data" / "seeds-gold.json"


@pytest.fixture(scope="session")
def nlp():
    from kg import nlp as nlp_mod

    return nlp_mod.load()


@pytest.fixture(scope="session")
def gazetteer():
    return default()


@pytest.fixture(scope="session")
def extract(nlp, gazetteer):
    """Extract from a short text with the real pipeline: ``extract("A train left ...")``."""

    def run(text: str) -> Article:
        return extract_text(text, nlp=nlp, gazetteer=gazetteer)

    return run


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory) -> str:
    """A store built once per session from the five seed articles with the real pipeline."""
    store = tmp_path_factory.mktemp("store") / "kg-store"
    kg.build([SEEDS], store=store)
    return str(store)


@pytest.fixture(scope="session")
def seed_network(seed_store):
    from kg.network import route_network

    return route_network(store=seed_store)


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def pairs(article: Article) -> list[tuple[str | None, str | None]]:
    """(origin label, destination label) of each route, in order."""
    return [(r.origin.label if r.origin else None, r.destination.label if r.destination else None)
            for r in article.routes]
