"""Reading articles: metadata header, what is not text, long articles parsed in pieces."""

import pytest

import kg
from kg._errors import InputError
from kg.extract import extract_articles, read_article
from kg.extract.extractor import MAX_PIECE, split_text
from kg.extract.reading import clean_text, split_metadata


def test_metadata_header_is_not_text(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("source: https://example.org/n/1\ndate: 2022-05-06\n\nHeadline without a stop\n\n"
                 "A train left Xi'an for Budapest.\n", encoding="utf-8")
    article = read_article(f)
    assert article.source == "https://example.org/n/1"
    assert str(article.date) == "2022-05-06"
    body = clean_text(article.text)
    assert "source:" not in body and "2022-05-06" not in body
    assert body.startswith("Headline without a stop.")  # a headline ends before the first sentence


def test_control_characters_are_dropped_on_the_way_in():
    assert clean_text("A train\x1b[2J left\x1b]0;owned\x07 Xi'an\x00.") == "A train left Xi'an."


def test_no_header_no_metadata():
    assert split_metadata("A train left.") == ({}, "A train left.")


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("page.html", b"<!DOCTYPE html><html><body><b>textiles</b></body></html>", "an HTML page"),
    ("paper.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF"),
    ("page.txt", b"<html><head><title>x</title></head></html>", "an HTML page"),
    ("doc.docx", b"PK\x03\x04\x14\x00\x06\x00", "a zip archive"),
])
def test_what_is_not_text_is_refused_in_one_line(tmp_path, name, data, kind):
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(InputError, match=kind) as info:
        read_article(f)
    assert "\n" not in str(info.value) and ".txt" in str(info.value)


def test_a_pdf_among_articles_is_skipped_in_one_line_and_the_rest_is_stored(tmp_path):
    (tmp_path / "good.txt").write_text("A freight train left Chengdu for Lodz on Monday.", encoding="utf-8")
    (tmp_path / "paper.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    store = tmp_path / "store"
    summary = kg.build([tmp_path / "good.txt", tmp_path / "paper.pdf"], store=store)
    [line] = summary.skipped
    assert line.startswith("paper.pdf: a PDF") and "\n" not in line
    assert summary.documents == 1 and summary.read == 1


def test_split_text_keeps_every_character_in_bounded_pieces():
    text = ("Paragraph one has words. " * 50 + "\n\n") * 2000  # about 2.6 million characters
    pieces = split_text(text)
    assert "".join(pieces) == text
    assert max(len(p) for p in pieces) <= MAX_PIECE
    assert all(p.endswith("\n\n") for p in pieces[:-1])


def test_a_long_article_is_parsed_in_pieces_and_read_whole(nlp, gazetteer, tmp_path):
    filler = "The logistics park handled more containers this year than last year. " * 40 + "\n\n"
    text = filler * 9 + "A freight train left Chengdu for Lodz on Monday. It will cross Kazakhstan.\n"
    assert len(text) > MAX_PIECE
    f = tmp_path / "long.txt"
    f.write_text(text, encoding="utf-8")
    [article] = extract_articles([read_article(f)], nlp=nlp, gazetteer=gazetteer)
    [route] = article.routes
    assert (route.origin.label, route.destination.label) == ("Chengdu", "Łódź")
    assert [p.label for p in route.via] == ["Kazakhstan"]
    assert route.evidence.startswith("A freight train left Chengdu")


def test_documents_keep_their_source_and_trains_their_date_basis(tmp_path):
    (tmp_path / "a.txt").write_text("source: https://news.example.org/x/1\ndate: 2021-11-19\n\n"
                                    "A freight train left Xi'an for Budapest on Thursday. "
                                    "Another freight train left Chengdu for Lodz.", encoding="utf-8")
    store = tmp_path / "store"
    kg.build([tmp_path / "a.txt"], store=store)
    rows = kg.query("""SELECT ?src ?date ?basis WHERE {
        ?d a kgo:Document ; dcterms:source ?src . ?t kgo:sourceDocument ?d ; kgo:departureDate ?date ;
        kgo:dateBasis ?basis } ORDER BY ?date""", store=store).records()
    assert [(str(r["src"]), str(r["date"]), str(r["basis"])) for r in rows] == [
        ("https://news.example.org/x/1", "2021-11-18", "stated"),
        ("https://news.example.org/x/1", "2021-11-19", "published"),
    ]
