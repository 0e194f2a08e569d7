"""The cheaper extraction rules read the same as the plain ones: proposals, suffixes, datelines, trains."""

from __future__ import annotations

import hashlib

import pytest

from kg.extract.extractor import parse_articles
from kg.extract.lexicon import lexicon, start_word
from kg.extract.mentions import MAX_TOKENS, _acceptable, _extend_suffix, _propose, _Words, find_mentions
from kg.extract.reading import DATELINE
from kg.extract.roles import SentenceGrammar, _dateline_end
from kg.gazetteer import fold
from kg.model import Article

TEXTS = [
    "A freight train left Chongqing for Duisburg via Alashankou and Brest on Monday.",
    "The train from Yiwu reached Madrid.\nInner Mongolia sends coal to Erenhot, near Ulan Bator.",
    "Cargo crossed at the Khorgos dry port, then the Alataw Pass and Dostyk station.",
    "The Port of Baku ships to Aktau port.  Central Asia trades with Xi'an and Ulanqab.",
    "Trains from Bayan Nur\nand Zhengzhou went to Hamburg. Moscow welcomed them. Warsaw too.",
    "GANZHOU, May 20 -- A train carrying furniture left Ganzhou for Moscow.",
    "Johns Hopkins visited Lianyungang Port and the Pingxiang border port in Guangxi Zhuang.",
]


def _parse(nlp, gazetteer, text: str):
    article = Article(name="t.txt", text=text, sha256=hashlib.sha256(text.encode()).hexdigest())
    ((_, doc),) = parse_articles([article], nlp=nlp, gazetteer=gazetteer)
    return doc


def _propose_plain(doc, gazetteer, tokens):
    """Proposals as before: every window sliced and checked token by token."""
    ent_of = [None] * len(doc)
    for ent in doc.ents:
        for t in range(ent.start, ent.end):
            ent_of[t] = ent
    found = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        text = tok.text
        port_of = len(text) == 4 and tok.lower_ == "port" and i + 2 < len(tokens) \
            and tokens[i + 1].lower_ == "of" and tokens[i + 2].text[:1].isupper()
        if not port_of and (not text[:1].isupper() or tok.pos_ == "DET" or (
                word := start_word(text)) not in gazetteer.starts and word not in gazetteer.blocked_starts):
            i += 1
            continue
        for n in range(min(MAX_TOKENS, len(tokens) - i), 0, -1):
            window = tokens[i:i + n]
            if any(t.is_sent_start for t in window[1:]) or any("\n" in t.text_with_ws for t in window[:-1]):
                continue
            text = "".join(t.text_with_ws for t in window).strip()
            if n > 1 and fold(text) in gazetteer.blocked:
                i += n
                break
            entries = gazetteer.candidates(text)
            if entries and _acceptable(doc[i:i + n], entries, ent_of):
                found.append(doc[i:i + n])
                i += n
                break
        else:
            i += 1
    return found


@pytest.mark.parametrize("text", TEXTS)
def test_proposals_are_those_of_the_plain_window_scan(nlp, gazetteer, text):
    doc = _parse(nlp, gazetteer, text)
    tokens = list(doc)
    proposed = _propose(doc, gazetteer, _Words.of(doc))
    assert [text for _, text in proposed] == [s.text for s, _ in proposed]
    got = [(s.start, s.end) for s, _ in proposed]
    assert got == [(s.start, s.end) for s in _propose_plain(doc, gazetteer, tokens)]


def test_names_stop_at_line_breaks_and_sentence_ends(nlp, gazetteer):
    doc = _parse(nlp, gazetteer, "Trains from Bayan\nNur went to Hamburg. Moscow welcomed them.")
    texts = [m.text for m in find_mentions(doc, gazetteer)]
    assert "Hamburg" in texts and "Moscow" in texts
    assert not any("\n" in t or "Hamburg. Moscow" in t for t in texts)


def test_suffixes_join_the_surface_form(nlp, gazetteer):
    doc = _parse(nlp, gazetteer, "It passed Khorgos dry port, Alataw Pass and Dostyk station.")
    ends = {doc[i].text: _extend_suffix(doc, i + 1) - i - 1 for i in range(len(doc))}
    assert ends["Khorgos"] == 2 and ends["Alataw"] == 1 and ends["Dostyk"] == 1 and ends["passed"] == 0


@pytest.mark.parametrize("text", [
    "GANZHOU, May 20 -- A train left.", "\n\n  URUMQI, June 3 (Xinhua) -- A train left.",
    "A train left GANZHOU, May 20 -- again.", "", "   ", "GANZHOU",
    " ".join(["NEW"] * 30) + ", May 2 -- A train left.", "NEW YORK, May 2, 2023 -- A train.",
    "china-europe trains, May 2 -- x",
])
def test_dateline_end_is_where_the_dateline_ends(nlp, text):
    doc = nlp.make_doc(text)
    m = DATELINE.match(doc.text)
    assert _dateline_end(doc) == (m.end() if m else 0)


def test_remembered_train_words_are_the_lexicons(nlp, gazetteer):
    text = " ".join(TEXTS[:3]) + " The new rail link and its service ran; sea freight did not."
    doc = _parse(nlp, gazetteer, text)
    grammar = SentenceGrammar(doc, [])
    for _ in range(2):
        assert [grammar.is_train(t) for t in doc] == [lexicon().is_train(t) for t in doc]
    assert any(grammar.is_train(t) for t in doc)


def _hand_doc(nlp, words: list[str], sent_starts: list[bool]):
    from spacy.tokens import Doc

    return Doc(nlp.vocab, words=words, spaces=[True] * len(words), sent_starts=sent_starts,
               pos=["PROPN"] * len(words))


@pytest.mark.parametrize(("starts", "spans"), [
    ([True, False, False, False, False], [(2, 4)]),  # "Ulan Bator"
    ([True, False, False, True, False], []),  # a sentence starts at "Bator": "Ulan" is no place
])
def test_a_name_does_not_run_into_the_next_sentence(nlp, gazetteer, starts, spans):
    doc = _hand_doc(nlp, ["Trains", "reach", "Ulan", "Bator", "daily"], starts)
    proposed = _propose(doc, gazetteer, _Words.of(doc))
    assert [text for _, text in proposed] == [s.text for s, _ in proposed]
    got = [(s.start, s.end) for s, _ in proposed]
    assert got == [(s.start, s.end) for s in _propose_plain(doc, gazetteer, list(doc))]
    assert [sp for sp in got if sp[0] == 2] == spans


def test_lower_case_forms_are_the_texts_lowered(nlp):
    """The passes test ``text.lower()`` before reading a token's ``lower_``: the two agree."""
    doc = nlp.make_doc("The PORT, the Port and this Crossing; CHECKPOINT ÜRÜMQI İzmir ǅemal port's")
    assert [t.lower_ for t in doc] == [t.text.lower() for t in doc]


@pytest.mark.parametrize("word", ["port", "Port", "PORT"])
def test_the_port_is_the_port_named_last(nlp, gazetteer, word):
    text = f"Trains pass through Erenhot. Officials said the {word} handled 300 trains."
    doc = _parse(nlp, gazetteer, text)
    got = [(m.text, doc[m.start].text) for m in find_mentions(doc, gazetteer)]
    assert ("Erenhot", word) in got


def _quoted_plain(doc) -> set[int]:
    inside, out = False, set()
    for t in doc:
        if t.text in {'"', "“", "”"}:
            inside = (t.text == "“") or (not inside and t.text == '"')
            continue
        if inside:
            out.add(t.i)
    return out


@pytest.mark.parametrize("text", [
    'He said "the train left Xi\'an" and "it came back".', "“Curly” and “open to the end",
    'Unbalanced " quote then “curly” then " again', "No quotes at all.", "", '"', '""', "”“",
    '“He said "nested" words” after', "“ “ ” ”",
])
def test_quoted_tokens_are_those_of_the_token_scan(nlp, text):
    from kg.extract.roles import _quoted_tokens

    doc = nlp.make_doc(text)
    assert _quoted_tokens(doc) == _quoted_plain(doc)


def _is_train_plain(lex, tok) -> bool:
    """The train test as before: modifiers read first."""
    if tok.pos_ in {"VERB", "AUX"} or any(c.dep_ in {"compound", "amod", "nmod"} and c.lemma_.lower()
                                          in lex.non_rail for c in tok.children):
        return False
    if tok.lemma_.lower() in lex.train_nouns or tok.lower_ in lex.train_nouns:
        return True
    return tok.lemma_.lower() in lex.service_nouns and any(
        c.dep_ in {"compound", "amod", "nmod"} and c.lower_ in lex.service_modifiers
        or c.dep_ == "poss" and c.lower_ in {"its", "their"} for c in tok.children)


def test_train_words_are_those_of_the_plain_test(nlp, gazetteer):
    text = " ".join(TEXTS) + (" A cargo flight route and sea freight and air cargo went on. The new rail "
                              "link, the train route, its service and their shipments ran; a service did "
                              "not. Trains train.")
    doc = _parse(nlp, gazetteer, text)
    lex = lexicon()
    got = [lex.is_train(t) for t in doc]
    assert got == [_is_train_plain(lex, t) for t in doc]
    assert sum(got) >= 5


@pytest.mark.parametrize(("text", "days"), [
    ("It took a fortnight.", 14), ("The trip took two weeks, not 12 days.", 14), ("It took 12 days.", 12),
    ("It took twelve days.", 12), ("It took 7.5 days.", 7.5), ("Nothing about time.", None),
    ("The fortnightly service", None),
])
def test_journey_days_from_phrases_and_figures(nlp, text, days):
    from kg.extract.attributes import Attributes

    attrs = Attributes.__new__(Attributes)
    attrs.lex = lexicon()
    assert attrs._days(text) == days


def test_an_article_is_cleaned_once_and_its_body_is_the_cleaned_text(monkeypatch):
    import kg.extract.reading as reading
    from kg.model import Article

    text = "source: https://x.org/a\ndate: 2021-10-29\n\nGANZHOU, May 20 -- A train left.\n\nHeadline\n\nBody."
    calls = []
    real = reading.clean_text
    monkeypatch.setattr(reading, "clean_text", lambda t: calls.append(t) or real(t))
    article = Article("a.txt", text, "")
    assert article.body == real(text) == article.body
    assert calls == [text]


def test_a_build_cleans_each_article_once(tmp_path, monkeypatch):
    """To parse it and for its signature: one cleaning (it was two)."""
    import kg
    import kg.extract.extractor as extractor
    import kg.extract.reading as reading

    for i, line in enumerate(["A freight train left Chengdu for Lodz on Sunday.",
                              "A train from Yiwu reached Madrid after 21 days."]):
        (tmp_path / f"a{i}.txt").write_text(line + "\n", encoding="utf-8")
    calls = []
    real = reading.clean_text
    monkeypatch.setattr(reading, "clean_text", lambda t: calls.append(t) or real(t))
    monkeypatch.setattr(extractor, "clean_text", reading.clean_text, raising=False)  # a name bound at import
    kg.build([tmp_path], store=tmp_path / "store")
    assert sorted(calls) == sorted(p.read_text(encoding="utf-8") for p in tmp_path.glob("*.txt"))


def _clean_plain(text: str) -> str:
    """The cleaning as before: every pattern applied to every text."""
    import re

    from kg.extract.reading import CONTROL, DATE_LINE, DATELINE_PARAGRAPH, split_metadata

    _, text = split_metadata(text)
    text = CONTROL.sub("", DATE_LINE.sub("", text.replace("\u00a0", " "), count=1))
    m = DATELINE_PARAGRAPH.search(text, 0, 1000)
    if m is not None:
        head = re.sub(r"\s*(?:--|—|–|-)\s*$", "", text[:m.end()])
        text = head + ".\n\n" + text[m.end():]
    text = re.sub(r"([^\s.!?:;\"”’)\]\-–—])[ \t]*\n(?:[ \t]*\n)+", r"\1.\n\n", text)
    return re.sub(r"([a-z]{2}[.!?][\"”]?)([A-Z][a-z])", r"\1 \2", text)


def test_cleaning_is_the_plain_cleaning_on_random_texts():
    import random

    from kg.extract.reading import clean_text

    rng = random.Random(5)
    alphabet = ["a", "b", "X", "Y", " ", "\t", "\n", "\n\n", ".", "!", ":", '"', "”", "’", ")", "-", "—",
                "\x1b[2J", "\x1b]0;t\x07", "\x1b", "\x07", "\u200b", "\ufeff", "\u00a0", "é", "1",
                "date: 2021-01-02\n", "GANZHOU, May 20 -- ", "source: x\n"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60))) for _ in range(3_000)]
    for text in texts:
        assert clean_text(text) == _clean_plain(text), repr(text)
