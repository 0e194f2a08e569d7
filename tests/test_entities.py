"""Entities found on windows around names give the facts the whole-text recogniser's give."""

from __future__ import annotations

from pathlib import Path

from kg.extract.entities import CONTEXT, add_entities, centres, needs_entity, scan, windows
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
    at least 93% of the words whose entity rules read have their whole-text entity."""
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
        for i in centres(part, gazetteer):
            read += 1
            same += _entity_at(part, i) == _entity_at(full, i)
        theirs = _facts(read_article(path), full, gazetteer)
        assert _facts(read_article(path), part, gazetteer) == theirs, path.name
        routes += len(theirs[1])
    assert read > 200 and routes > 20
    assert same >= 0.93 * read  # 95% (main's windows of every needs_entity word: 96% at these)
    assert covered < 0.75 * sum(len(d) for d in whole)  # the recogniser did not see the whole text


def test_windows_surround_names_and_merge(nlp, gazetteer):
    doc = nlp("The first freight train left Kars on a cold and windy morning with parts, and it "
              "finally reached the busy logistics hub of Malszewicze in Poland after sixteen days.",
              disable=["ner"])
    spans = windows(doc, gazetteer)
    names = [t.i for t in doc if t.text in {"Kars", "Malszewicze", "Poland"}]
    assert not needs_entity(doc[0], gazetteer)  # "The": a sentence's first word only
    assert spans[0] == (names[0] - CONTEXT, names[0] + CONTEXT + 1)  # a town the recogniser may veto
    assert spans[1] == (names[1] - CONTEXT, names[2] + CONTEXT + 1)  # overlapping windows join
    assert len(spans) == 2


def _window_words(text, nlp, gazetteer):
    doc = nlp(text, disable=["ner"])
    return {t.text for a, b in windows(doc, gazetteer) for t in doc[a:b]}


def test_settled_names_between_lower_case_words_get_no_window(nlp, gazetteer):
    """A country, a curated port or a big city the gazetteer knows, between lower-case words: the
    place rules take it whatever its entity, so the recogniser does not see it."""
    text = "Goods went by rail through Kazakhstan and then on to the coast."
    assert _window_words(text, nlp, gazetteer) == set()
    assert _window_words("Trains from Chengdu to Duisburg now run twice a week.", nlp, gazetteer) == set()
    doc = nlp("The wagons crossed at Horgos, then went on.", disable=["ner"])
    assert [doc[a:b].text for a, b in scan(doc, gazetteer).settled] == ["Horgos"]
    ((_, out),) = add_entities([(0, doc)], nlp=nlp, gazetteer=gazetteer)
    assert out.ents == ()


def test_names_whose_entity_counts_keep_their_window(nlp, gazetteer):
    """A town the recogniser may veto, a misspelt place, a name beside a capitalised word or
    in brackets, a date word, and a settled name a kept window reaches all get the recogniser."""
    text = "The wagons were coupled again at Kars and the train went on."
    assert "Kars" in _window_words(text, nlp, gazetteer)
    assert "Malszewicze" in _window_words("The train went through Malszewicze and on to the coast.", nlp,
                                         gazetteer)  # one typo from Malaszewicze
    assert {"Jordan", "Henderson"} <= _window_words("Jordan Henderson said the service would grow.", nlp,
                                                    gazetteer)  # a person's name may hold a country
    assert "Zorvath" in _window_words("The depot at Zorvath (Horgos) was busy.", nlp, gazetteer)
    assert "May" in _window_words("The freight train was loaded by May and his team.", nlp, gazetteer)
    doc = nlp("Wagons went from Kars to Poland by rail.", disable=["ner"])
    assert [doc[a:b].text for a, b in scan(doc, gazetteer).settled] == ["Poland"]
    assert [doc[i].text for i in centres(doc, gazetteer)] == ["Kars", "Poland"]  # within Kars's window


def test_unknown_names_no_rule_reads_get_no_window(nlp, gazetteer):
    """A proper noun the gazetteer does not know, far from any place name: no rule reads its entity."""
    words = _window_words("A manager named Zorvath said the service would grow.", nlp, gazetteer)
    assert "Zorvath" not in words


def test_unknown_names_beside_a_year_keep_their_window(nlp, gazetteer):
    """"Expo 2021": a name's entity around a year keeps the year from dating a train."""
    assert "Expo" in _window_words("Goods were shown at the Expo 2021 fair by rail.", nlp, gazetteer)
    assert "Expo" not in _window_words("Goods were shown at the Expo fair by rail.", nlp, gazetteer)


def test_entities_on_a_text_without_names(nlp, gazetteer):
    doc = nlp("prices rose again.", disable=["ner"])
    ((_, out),) = add_entities([(0, doc)], nlp=nlp, gazetteer=gazetteer)
    assert windows(out, gazetteer) == [] and out.ents == () and all(t.ent_iob_ == "O" for t in out)


def test_a_text_ending_in_port_or_port_of(nlp, gazetteer, extract):
    """"Port" and "Port of" as the last words: no name starts there, and nothing reads past the end."""
    for text in ["Trains arrive at the Port", "The train reached the Port of"]:
        doc = nlp(text)
        assert scan(doc, gazetteer).settled == []
        assert all(a < b <= len(doc) for a, b in windows(doc, gazetteer))
        assert extract(text + "\n").mentions == []
