"""Sentence bounds and plans read from the tokens' texts are those of the token-by-token scan."""

from __future__ import annotations

import pytest

from kg.extract.candidates import CLOSERS, ENDS, Stretch, cue_words, plan, pronouns, sentence_bounds
from kg.extract.lexicon import start_word

TEXTS = [
    "A train left Xi'an. It carried 50 containers!\nOfficials said so.  \n\nThe weather was fine.",
    'He said: "Trade grows." "Trains too," she said. (Xinhua) Another line.\n',
    "Mr. Li went to the U.S. on Monday. 2023 was busy? yes it was... Then Duisburg.",
    "\n\n   \nGANZHOU, May 20 -- A freight train left.\n\n\n\nThe end",
    "No cue words here at all. Nothing to see. In the morning it rained.",
    "Uzbek cotton came. ‘Quoted’ words. “Curly” ones. The Port of Baku. In Almaty, trains stop.",
    "",
    "one",
    ".",
    "End. \n Start",
]


def _bounds_plain(doc):
    """Sentence bounds as before: every token read from the document."""
    n = len(doc)
    start = 0
    i = 0
    while i < n:
        tok = doc[i]
        end = None
        if tok.is_space and "\n" in tok.text or "\n" in tok.whitespace_:
            end = i + 1
        elif tok.text in ENDS:
            j = i + 1
            while j < n and doc[j].text in CLOSERS:
                j += 1
            while j < n and doc[j].is_space and "\n" not in doc[j].text:
                j += 1
            if j >= n or doc[j].is_space or doc[j].text[:1].isupper() or doc[j].text[:1].isdigit() \
                    or doc[j].text[:1] in "\"'“‘(":
                end = j if j < n and not (doc[j].is_space and "\n" in doc[j].text) else min(j + 1, n)
        if end is not None and end > start:
            yield start, end
            start = end
            i = end
            continue
        i += 1
    if start < n:
        yield start, n


def _candidate_plain(doc, start, end, gazetteer, *, after_candidate):
    cues = cue_words()
    continues = pronouns() if after_candidate else frozenset()
    for tok in doc[start:end]:
        if tok.lower_ in cues or tok.lower_ in continues:
            return True
        if tok.text[:1].isupper() and not tok.is_stop:
            word = start_word(tok.text)
            if word in gazetteer.starts or word in gazetteer.blocked_starts or gazetteer.demonym(tok.text):
                return True
    return False


def _plan_plain(doc, gazetteer, *, limit):
    out = []
    previous = False
    for start, end in _bounds_plain(doc):
        parse = _candidate_plain(doc, start, end, gazetteer, after_candidate=previous)
        if not doc[start:end].text.strip():
            parse = previous
        else:
            previous = parse
        last = out[-1] if out else None
        if last is not None and last.parse == parse and (
                not parse or doc[last.start:end].end_char - doc[last.start].idx <= limit):
            out[-1] = Stretch(last.start, end, parse)
        else:
            out.append(Stretch(start, end, parse))
    return out


@pytest.mark.parametrize("text", TEXTS)
def test_sentence_bounds_are_those_of_the_token_scan(nlp, text):
    doc = nlp.make_doc(text)
    assert list(sentence_bounds(doc)) == list(_bounds_plain(doc))
    if len(doc) > 3:  # a span, as the flat parse reads it
        span = doc[1:len(doc) - 1]
        assert list(sentence_bounds(span)) == list(_bounds_plain(span))


@pytest.mark.parametrize("limit", [10, 40, 20_000])
@pytest.mark.parametrize("text", TEXTS)
def test_plans_are_those_of_the_token_scan(nlp, gazetteer, text, limit):
    doc = nlp.make_doc(text)
    assert plan(doc, gazetteer, limit=limit) == _plan_plain(doc, gazetteer, limit=limit)


def test_a_plan_parses_train_talk_and_joins_blank_lines(nlp, gazetteer):
    doc = nlp.make_doc("It rained.\n\nA train left Xi'an.\n\nIt carried cars.\n\nPrices rose.")
    got = [(doc[s.start:s.end].text.strip(), s.parse) for s in plan(doc, gazetteer, limit=20_000)]
    assert got[0] == ("It rained.", False) and got[-1] == ("Prices rose.", False)
    assert any("Xi'an" in text and "It carried cars." in text and parse for text, parse in got)


@pytest.mark.parametrize("text", TEXTS)
def test_token_texts_are_the_tokens_texts(nlp, text):
    from kg.extract.candidates import token_texts

    doc = nlp.make_doc(text)
    assert token_texts(doc) == [t.text for t in doc]
    assert token_texts(doc[1:-1]) == [t.text for t in doc[1:-1]]
