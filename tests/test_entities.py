"""Entities found on windows around names give the facts the whole-text recogniser's give."""

from __future__ import annotations

from pathlib import Path

from kg.extract.entities import CONTEXT, add_entities, needs_entity, windows
from kg.extract.reading import clean_text

ROOT = Path(__file__).resolve().parent.parent


def _entity_at(doc, i):
    ent = next((e for e in doc.ents if e.start <= i < e.end), None)
    return (ent.start, ent.end, ent.label_) if ent is not None else None


def _facts(article, doc, gazetteer):
    from kg.extract import extract_doc

    extract_doc(article, doc, gazetteer=gazetteer)
    return ([(m.place.key, m.text, m.start, m.end) for m in article.mentions],
            [repr(r) for r in article.routes])


def test_window_entities_give_the_whole_text_facts(nlp, gazetteer):
    """Mentions and routes from windowed entities are those from the whole text's entities, and
    at least 95% of the words rules read have their whole-text entity (96% on these)."""
    from kg.extract.reading import read_article

    paths = [p for d in ("seeds", "tests/data/fresh2") for p in sorted((ROOT / d).glob("*.txt"))]
    texts = [clean_text(p.read_text(encoding="utf-8")) for p in paths]
    whole = list(nlp.pipe(texts))
    parsed = nlp.pipe(texts, disable=["ner"])
    windowed = [doc for _, doc in add_entities(enumerate(parsed), nlp=nlp, gazetteer=gazetteer, batch_size=4)]
    read = covered = same = routes = 0
    for path, full, part in zip(paths, whole, windowed, strict=True):
        assert part.text == full.text
        spans = windows(part, gazetteer)
        covered += sum(b - a for a, b in spans)
        for tok in part:
            if needs_entity(tok, gazetteer):
                read += 1
                same += _entity_at(part, tok.i) == _entity_at(full, tok.i)
        theirs = _facts(read_article(path), full, gazetteer)
        assert _facts(read_article(path), part, gazetteer) == theirs, path.name
        routes += len(theirs[1])
    assert read > 500 and routes > 20
    assert same >= 0.95 * read
    assert covered < 0.75 * sum(len(d) for d in whole)  # the recogniser did not see the whole text


def test_windows_surround_names_and_merge(nlp, gazetteer):
    doc = nlp("The first freight train left Chongqing on a cold and windy morning with parts, and it "
              "finally reached the busy logistics hub of Duisburg in Germany after sixteen days.",
              disable=["ner"])
    spans = windows(doc, gazetteer)
    names = [t.i for t in doc if t.text in {"Chongqing", "Duisburg", "Germany"}]
    assert not needs_entity(doc[0], gazetteer)  # "The": a sentence's first word only
    assert spans[0] == (names[0] - CONTEXT, names[0] + CONTEXT + 1)
    assert spans[1] == (names[1] - CONTEXT, names[2] + CONTEXT + 1)  # overlapping windows join
    assert len(spans) == 2


def test_entities_on_a_text_without_names(nlp, gazetteer):
    doc = nlp("prices rose again.", disable=["ner"])
    ((_, out),) = add_entities([(0, doc)], nlp=nlp, gazetteer=gazetteer)
    assert windows(out, gazetteer) == [] and out.ents == () and all(t.ent_iob_ == "O" for t in out)
