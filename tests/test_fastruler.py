"""The table attribute ruler writes exactly what spaCy's attribute ruler writes."""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.attrs import DEP, LEMMA, MORPH, POS, TAG

from kg.extract.fastruler import TableRuler, compile_ruler
from kg.extract.reading import clean_text

ROOT = Path(__file__).resolve().parent.parent
TRICKY = ("I ain't gonna do it, y'all. Let's go! There is a train, there were two. C'mon, he gets it; "
          "we got ta. It's 'em. Did you? I did, and she had. Nothin' doin'. You'll see it and them.\n\n"
          "  \n Which? That one, those ones; the ones that left. Something, anyone, nobody; once, "
          "here and then there. Whether it leaves or not, it can't, won't, shan't.")


def _annotations(doc):
    return doc.to_array([POS, MORPH, LEMMA, TAG, DEP]).tolist()


def test_installed_in_the_build_pipeline(nlp):
    assert isinstance(nlp.get_pipe("attribute_ruler"), TableRuler)
    assert nlp.pipe_names.index("attribute_ruler") == nlp.pipe_names.index("parser") + 1


def test_same_annotations_as_the_attribute_ruler(nlp):
    table = nlp.get_pipe("attribute_ruler")
    texts = [clean_text(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    texts += [clean_text(p.read_text(encoding="utf-8"))
              for p in sorted((ROOT / "tests" / "data" / "fresh2").glob("*.txt"))]
    texts.append(TRICKY)
    with nlp.select_pipes(enable=["tok2vec", "tagger", "parser"]):
        docs = list(nlp.pipe(texts))
    tokens = 0
    for doc in docs:
        theirs, ours = table.ruler(doc.copy()), table(doc.copy())
        assert _annotations(ours) == _annotations(theirs), doc.text[:80]
        tokens += len(doc)
    assert tokens > 3000
    tricky = table(docs[-1].copy())
    assert {t.lower_: t.lemma_ for t in tricky if t.lower_ in {"ai", "gon"}} == {"ai": "be", "gon": "go"}
    assert [t.pos_ for t in tricky if t.lower_ == "is"] == ["VERB"]  # "There is": a two-token pattern


def test_patterns_it_cannot_read_keep_the_original():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"ORTH": "Dostyk"}]], {"POS": "PROPN"})
    assert compile_ruler(ruler) is None
    other = spacy.blank("en").add_pipe("attribute_ruler")
    other.add([[{"LOWER": "dostyk"}, {"IS_PUNCT": True}]], {"POS": "PROPN"})
    assert compile_ruler(other) is None


def test_own_rules_order_and_two_token_patterns():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "border"}]], {"POS": "NOUN", "LEMMA": "border"})
    ruler.add([[{"LOWER": {"IN": ["border", "crossing"]}}]], {"POS": "PROPN"})  # later: wins on POS
    ruler.add([[{"LOWER": "dry"}, {"LOWER": {"REGEX": "^ports?$"}}]], {"LEMMA": "port"}, index=1)
    ruler.add([[{"IS_SPACE": True}]], {"TAG": "_SP"})
    table = compile_ruler(ruler)
    assert table is not None
    text = "The border crossing and the dry port, two dry ports and a dry dock.\n\n"
    ours, theirs = table(nlp.make_doc(text)), ruler(nlp.make_doc(text))
    assert _annotations(ours) == _annotations(theirs)
    assert [(t.text, t.pos_, t.lemma_) for t in ours if t.pos_ or t.lemma_] == [
        ("border", "PROPN", "border"), ("crossing", "PROPN", ""), ("port", "", "port"), ("ports", "", "port")]
    assert [t.tag_ for t in ours if t.is_space] == ["_SP"]
