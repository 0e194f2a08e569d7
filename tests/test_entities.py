"""Entities found on windows around names equal the whole-text recogniser's where rules read them."""

from __future__ import annotations

from pathlib import Path

from kg.extract.entities import CONTEXT, add_entities, needs_entity, windows
from kg.extract.reading import clean_text

ROOT = Path(__file__).resolve().parent.parent


def _entity_at(doc, i):
    ent = next((e for e in doc.ents if e.start <= i < e.end), None)
    return (ent.start, ent.end, ent.label_) if ent is not None else None


def test_window_entities_equal_the_whole_text_ones(nlp, gazetteer):
    texts = [clean_text(p.read_text(encoding="utf-8")) for d in ("seeds", "tests/data/fresh2")
             for p in sorted((ROOT / d).glob("*.txt"))]
    whole = list(nlp.pipe(texts))
    parsed = nlp.pipe(texts, disable=["ner"])
    windowed = [doc for _, doc in add_entities(enumerate(parsed), nlp=nlp, gazetteer=gazetteer, batch_size=4)]
    read = covered = 0
    for full, part in zip(whole, windowed, strict=True):
        assert part.text == full.text
        spans = windows(part, gazetteer)
        covered += sum(b - a for a, b in spans)
        for tok in part:
            if needs_entity(tok, gazetteer):
                read += 1
                assert _entity_at(part, tok.i) == _entity_at(full, tok.i), part[tok.i - 5:tok.i + 5].text
    assert read > 500
    assert covered < 0.9 * sum(len(d) for d in whole)  # the recogniser did not see the whole text


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
