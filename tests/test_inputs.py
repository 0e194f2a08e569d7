"""Inputs other than .txt: saved pages, RSS/Atom feeds and URLs served by a real local HTTP server.

The pages, feeds and their sentences are written here; the server is http.server on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

import pytest
from webserver import Server

import kg
from kg import settings
from kg.cli import app
from kg.identity import normalise_url
from kg.inputs import Fetcher, FetchError, NotAnArticle, read_inputs
from kg.inputs.feeds import fragment_text, read_feed
from kg.inputs.pages import read_page

# Three short articles: (slug, headline, paragraphs, date, site)
ARTICLES = [
    (
        "chengdu-lodz",
        "Chengdu train reaches Lodz",
        [
            "A freight train left Chengdu for Lodz on Thursday.",
            "It crossed Kazakhstan and Belarus on the way.",
        ],
        "2021-11-18",
        "Rail Daily",
    ),
    (
        "xian-budapest",
        "New service links Xi'an and Budapest",
        ["A China-Europe freight train departed from Xi'an for Budapest on Monday, carrying auto parts."],
        "2022-03-07",
        "Silk Road Wire",
    ),
    (
        "yiwu-madrid",
        "Yiwu train heads to Madrid",
        [
            "A freight train loaded with small commodities left Yiwu for Madrid on Friday.",
            "It will pass through Kazakhstan, Russia and Poland.",
        ],
        "2020-06-12",
        "Freight Times",
    ),
]


def page_html(
    slug: str,
    headline: str,
    paragraphs: list[str],
    date: str,
    site: str,
    *,
    base: str = "https://news.example.org",
) -> str:
    """A news page as sites make them: navigation, the article, a sidebar of links, a footer."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(headline)} - {escape(site)}</title>
<link rel="canonical" href="{base}/news/{slug}.html?utm_source=rss&amp;utm_medium=feed">
<meta property="og:site_name" content="{escape(site)}"><meta property="og:type" content="article">
<meta property="article:published_time" content="{date}T08:00:00+00:00"></head>
<body><header><nav><a href="/">Home</a> | <a href="/world">World</a> |
<a href="/business">Business</a></nav></header>
<main><article><h1>{escape(headline)}</h1>{body}</article></main>
<aside><h3>Most read</h3><ul><li><a href="/m/1">Markets close higher</a></li>
<li><a href="/m/2">Weather turns cold in the north</a></li></ul></aside>
<footer><p>Copyright {site}. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"""


def txt(headline: str, paragraphs: list[str]) -> str:
    return headline + "\n\n" + "\n\n".join(paragraphs) + "\n"


INDEX = """<!DOCTYPE html><html><head><title>Rail Daily - Latest news</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav><h1>Latest news</h1><ul>
<li><a href="/news/1.html">Freight train links Chengdu and Lodz</a></li>
<li><a href="/news/2.html">New rail service from Xi'an to Budapest launched</a></li>
<li><a href="/news/3.html">Yiwu train to Madrid carries small goods</a></li>
<li><a href="/news/4.html">Border port handles record container traffic this year</a></li>
<li><a href="/news/5.html">Logistics park expands its warehouse space again</a></li></ul></body></html>"""


def rss(entries: list[tuple[str, str, str, str]]) -> str:
    """RSS 2.0 whose items (title, link, RFC 822 date, summary) hold only a summary."""
    items = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link><pubDate>{d}</pubDate>"
        f"<description>{escape(s)}</description></item>"
        for t, link, d, s in entries
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Rail Daily</title>'
        f"<link>https://news.example.org/</link><description>Rail news</description>{items}</channel></rss>"
    )


def atom(entries: list[tuple[str, str, str, str]]) -> str:
    """An Atom feed whose entries (title, link, ISO date, HTML content) carry their whole text."""
    items = "".join(
        f'<entry><title>{escape(t)}</title><link href="{escape(link)}"/><id>{escape(link)}</id>'
        f"<updated>{d}T08:00:00Z</updated><published>{d}T08:00:00Z</published>"
        f'<content type="html">{escape(c)}</content></entry>'
        for t, link, d, c in entries
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Freight Times</title><id>urn:freight-times</id><updated>2022-01-01T00:00:00Z</updated>"
        f"{items}</feed>"
    )


def _rfc822(date: str) -> str:
    return dt.date.fromisoformat(date).strftime("%a, %d %b %Y 08:00:00 +0000")


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "cache", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture()
def site(tmp_path):
    """A served folder: the first two articles as pages (linked from an RSS feed of summaries), the
    third in an Atom feed with its content, plus an index page, a PDF and a huge page."""
    root = tmp_path / "site"
    (root / "news").mkdir(parents=True)
    with Server(root) as server:
        for slug, head, paras, date, name in ARTICLES[:2]:
            (root / "news" / f"{slug}.html").write_text(
                page_html(slug, head, paras, date, name, base=server.url("").rstrip("/")), encoding="utf-8"
            )
        (root / "feed.rss").write_text(
            rss(
                [
                    (h, server.url(f"news/{s}.html"), _rfc822(d), p[0][:40] + "...")
                    for s, h, p, d, _ in ARTICLES[:2]
                ]
            ),
            encoding="utf-8",
        )
        slug, head, paras, date, _ = ARTICLES[2]
        content = "".join(f"<p>{escape(p)}</p>" for p in paras)
        (root / "feed.atom").write_text(
            atom([(head, f"https://freight.example.com/{slug}?utm_campaign=x", date, content)]),
            encoding="utf-8",
        )
        (root / "index.html").write_text(INDEX, encoding="utf-8")
        (root / "report.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n")
        (root / "huge.html").write_text(
            "<html><body>" + "<p>Rail freight keeps growing.</p>" * 200_000 + "</body></html>",
            encoding="utf-8",
        )
        yield server


# -- pages ---------------------------------------------------------------------------------
def test_a_saved_page_gives_main_text_title_site_date_and_canonical_url():
    slug, head, paras, date, site = ARTICLES[0]
    article = read_page(page_html(slug, head, paras, date, site).encode(), name="a.html")
    assert article.text == "\n\n".join([head, *paras])  # no navigation, sidebar or footer
    assert (article.title, article.publisher, str(article.date)) == (head, site, date)
    assert article.url == article.source == f"https://news.example.org/news/{slug}.html"  # utm_* dropped


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (INDEX.encode(), "an index page"),
        (b"", "empty"),
        (
            b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1>"
            b"<p>The requested URL was not found on this server.</p></body></html>",
            "page not found",
        ),
        (b"<html><body><script>render()</script></body></html>", "no article text"),
    ],
)
def test_a_page_that_is_no_article_says_why_in_one_line(raw, reason):
    with pytest.raises(NotAnArticle, match=reason) as info:
        read_page(raw, name="p.html")
    assert "\n" not in str(info.value)


def test_normalised_urls_drop_case_fragment_and_tracking():
    assert (
        normalise_url("HTTP://Example.ORG:80/a?utm_source=x&fbclid=1&id=3#c") == "http://example.org/a?id=3"
    )
    assert normalise_url("https://example.org") == "https://example.org/"
    assert normalise_url("https://example.org:8443/a?b=2&a=1") == "https://example.org:8443/a?a=1&b=2"


# -- feeds ---------------------------------------------------------------------------------
def test_feed_entries_with_content_are_articles_with_their_metadata():
    slug, head, paras, date, _ = ARTICLES[2]
    content = "".join(f"<p>{escape(p)}</p>" for p in paras)
    [(name, article)] = list(
        read_feed(atom([(head, f"https://f.example.com/{slug}#x", date, content)]).encode(), name="f.atom")
    )
    assert name == f"f.example.com/{slug}"
    assert article.text == "\n\n".join([head, *paras])
    assert (article.title, article.publisher, str(article.date)) == (head, "Freight Times", date)
    assert article.url == f"https://f.example.com/{slug}"


def test_fragment_text_keeps_paragraphs():
    assert (
        fragment_text("<p>One <b>bold</b> line.</p><p>Two.<br>Three.</p>")
        == "One bold line.\n\nTwo.\n\nThree."
    )


def test_not_a_feed():
    with pytest.raises(NotAnArticle):
        list(read_feed(b"<?xml version='1.0'?><catalog><book/></catalog>", name="c.xml"))


# -- fetching and the cache -----------------------------------------------------------------
def test_the_web_cache_lives_in_kgs_cache_folder_and_off_turns_it_off(site, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "cache", None)
    monkeypatch.delenv("KG_CACHE", raising=False)
    monkeypatch.setattr(settings, "cache_dir", str(tmp_path / "kgcache"))
    url = site.url("news/chengdu-lodz.html")
    with Fetcher() as f:
        assert f.cache == tmp_path / "kgcache" / "http"
        f.get(url)
    assert any((tmp_path / "kgcache" / "http").iterdir())
    monkeypatch.setattr(settings, "cache_dir", "off")
    before = len(site.requests)
    with Fetcher() as f:
        assert f.cache is None
        first, second = f.get(url), f.get(url)
    assert first.body == second.body and not second.from_cache and len(site.requests) == before + 2


def test_the_cache_serves_a_second_get_without_a_request_and_revalidates_when_old(site, cache):
    url = site.url("news/chengdu-lodz.html")
    with Fetcher() as f:
        first = f.get(url)
    with Fetcher() as f:
        again = f.get(url)
    assert first.body == again.body and again.from_cache and not first.from_cache
    assert site.requests == ["/news/chengdu-lodz.html"]
    with Fetcher(refresh=True) as f:  # asks the server, which says "not modified"
        checked = f.get(url)
    assert checked.body == first.body and checked.from_cache and len(site.requests) == 2


def test_fetch_errors_are_one_line_and_retries_are_bounded(site, cache):
    site.status["/busy"] = 503
    with Fetcher(retries=2) as f:
        with pytest.raises(FetchError, match="HTTP 503"):
            f.get(site.url("busy"))
        assert site.requests.count("/busy") == 3
        with pytest.raises(FetchError, match="HTTP 404"):
            f.get(site.url("missing.html"))
        with pytest.raises(FetchError, match="limit") as info:
            f.get(site.url("huge.html"))
        assert "\n" not in str(info.value)
    with Fetcher(retries=1, timeout=2) as f, pytest.raises(FetchError, match="cannot connect"):
        f.get("http://127.0.0.1:9/nothing-listens-here")


def test_user_agent_names_kg_and_its_version():
    from kg.inputs.fetch import USER_AGENT

    assert USER_AGENT.startswith(f"kg/{kg.__version__} ")


def test_read_inputs_reads_feeds_pages_and_skips_what_is_no_article(site, cache):
    urls = [
        site.url(p)
        for p in ("feed.rss", "feed.atom", "index.html", "missing.html", "report.pdf", "huge.html")
    ]
    found = read_inputs(urls)
    assert sorted(a.title for a in found.articles) == sorted(a[1] for a in ARTICLES)
    reasons = {s.name.rsplit("/", 1)[-1]: s.reason for s in found.skipped}
    assert set(reasons) == {"index.html", "missing.html", "report.pdf", "huge.html"}
    assert "index page" in reasons["index.html"] and "404" in reasons["missing.html"]
    assert "PDF" in reasons["report.pdf"] and "limit" in reasons["huge.html"]
    by_title = {a.title: a for a in found.articles}
    paged = by_title[ARTICLES[0][1]]  # the RSS entry held a summary: its page was read
    assert paged.text.endswith(ARTICLES[0][2][-1]) and paged.publisher == "Rail Daily"


# -- building (the real pipeline) -------------------------------------------------------------
def _routes(store: Path) -> set[tuple]:
    return {(r["origin"], r["destination"], tuple(r["via"])) for r in kg.routes(store=store)}


@pytest.mark.slow
def test_build_from_urls_finds_the_routes_of_the_text_and_a_rerun_fetches_nothing(
    site, cache, tmp_path, runner
):
    texts = tmp_path / "texts"
    texts.mkdir()
    for slug, head, paras, _, _ in ARTICLES:
        (texts / f"{slug}.txt").write_text(txt(head, paras), encoding="utf-8")
    kg.build([texts], store=tmp_path / "from-text")
    expected = _routes(tmp_path / "from-text")
    assert len(expected) >= 3

    urls = [
        site.url(p)
        for p in ("feed.rss", "feed.atom", "index.html", "missing.html", "report.pdf", "huge.html")
    ]
    store = tmp_path / "from-web"
    result = runner.invoke(app, ["build", *urls, "--store", str(store), "-q"])
    assert result.exit_code == 1, result.output  # something was skipped, the rest is stored
    skipped = [ln for ln in result.output.splitlines() if ln.startswith("kg: skipped ")]
    assert len(skipped) == 4 and all(any(u in ln for ln in skipped) for u in urls[2:])
    assert _routes(store) == expected
    assert {r["title"] for r in _documents(store)} == {a[1] for a in ARTICLES}

    asked = len(site.requests)
    assert asked >= 6
    again = runner.invoke(app, ["build", *urls[:2], "--store", str(store), "-q"])
    assert again.exit_code == 0, again.output
    assert "3 unchanged" in again.output
    assert len(site.requests) == asked  # the cache answered everything


def _documents(store: Path) -> list[dict]:
    return kg.query(
        "SELECT ?d ?title WHERE { ?d a kgo:Document . OPTIONAL { ?d dcterms:title ?title } }", store=store
    ).records()


def test_kg_fetch_saves_pages_that_later_builds_read_with_their_address(site, cache, tmp_path, runner):
    (Path(site.httpd.RequestHandlerClass.keywords["directory"]) / "plain.html").write_text(
        "<html><body><article><p>A freight train left Hefei for Hamburg on Sunday, carrying machinery "
        "and electronics.</p></article></body></html>",
        encoding="utf-8",
    )
    out = tmp_path / "saved"
    urls = [
        site.url("news/chengdu-lodz.html"),
        site.url("plain.html"),
        site.url("feed.atom"),
        site.url("missing.html"),
    ]
    result = runner.invoke(app, ["fetch", *urls, "-o", str(out)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert sum(ln.startswith("saved ") for ln in lines) == 3
    assert [ln for ln in lines if ln.startswith("kg: error:")] == [
        f"kg: error: {urls[3]}: the server answered HTTP 404 File not found; check the address"
    ]
    assert sorted(p.suffix for p in out.iterdir()) == [".atom", ".html", ".html"]
    asked = len(site.requests)
    found = read_inputs([out])
    assert len(site.requests) == asked  # the saved Atom feed carries its text: nothing to download
    urls_read = sorted(a.url for a in found.articles)
    assert urls_read == sorted(
        [
            site.url("news/chengdu-lodz.html"),
            site.url("plain.html"),
            "https://freight.example.com/yiwu-madrid",
        ]
    )
