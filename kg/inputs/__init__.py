"""Inputs to articles: ``.txt`` files, saved web pages, RSS/Atom feeds and http(s) URLs.

Every input becomes zero or more :class:`kg.model.Article` records holding the text to parse
and what is known about the document (canonical URL, title, site, publication date).  An input
that holds no article (an index page, a 404, a PDF, an empty or huge page, a URL that cannot be
downloaded) becomes one :class:`Skipped` line and the others go on::

    from kg.inputs import read_inputs
    found = read_inputs(["saved/", "https://example.org/news/feed.xml"])
    found.articles, [s.line() for s in found.skipped]

A missing path, or a ``.txt`` file that is not UTF-8 or is empty, is still an
:class:`~kg._errors.InputError` raised before anything is read further: those are typing
mistakes to fix, not pages to skip.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import InputError
from ..identity import is_url, url_name
from ..model import Article
from .fetch import Fetcher, FetchError
from .kinds import NotAnArticle, sniff

__all__ = [
    "FetchError",
    "Fetcher",
    "Inputs",
    "NotAnArticle",
    "Saved",
    "Skipped",
    "collect_inputs",
    "iter_inputs",
    "read_inputs",
    "save_pages",
]

SUFFIXES = (".txt", ".html", ".htm", ".rss", ".atom")
"""What a folder is searched for (a feed saved as ``.xml`` is read when named itself)."""


@dataclass
class Skipped:
    """An input that gave no article, and why."""

    name: str
    reason: str

    def line(self) -> str:
        """``NAME: reason`` on one line."""
        return f"{self.name}: {self.reason}"


@dataclass
class Inputs:
    """The articles read from some inputs, and the inputs skipped."""

    articles: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def collect_inputs(specs: Iterable[str | Path]) -> list[str | Path]:
    """URLs as they are, files as paths, folders expanded to the articles, pages and feeds they hold.

    Raises
    ------
    InputError
        When a path does not exist or a folder holds nothing ``kg`` reads.
    """
    out: list[str | Path] = []
    for spec in specs:
        if isinstance(spec, str) and is_url(spec):
            out.append(spec.strip())
            continue
        path = Path(spec)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            if not found:
                raise InputError(
                    f"{path}: the folder holds no article (.txt, .html, .rss, .atom); "
                    "point at article files or pages"
                )
            out.extend(found)
        elif path.is_file():
            out.append(path)
        elif str(spec).lower().startswith(("http:", "https:")):
            raise InputError(
                f"{spec}: not a well-formed http(s) URL; give the full address, e.g. https://example.org/news/1"
            )
        else:
            raise InputError(f"{path}: no such file or folder; check the path")
    return list(dict.fromkeys(out))


def read_inputs(specs: Iterable[str | Path], *, fetcher: Fetcher | None = None) -> Inputs:
    """Read every input into articles; what holds no article is skipped with its reason.

    Parameters
    ----------
    specs
        ``.txt`` files, saved pages, feed files, folders of them, and http(s) URLs.
    fetcher
        Downloads URLs (and the pages of summary-only feed entries) through the cache; one is
        made when needed.

    Raises
    ------
    InputError
        Before reading, for a missing path; for a ``.txt`` file that is not UTF-8 or is empty.
    """
    found = Inputs()
    for name, result in iter_inputs(specs, fetcher=fetcher):
        if isinstance(result, Article):
            found.articles.append(result)
        else:
            found.skipped.append(Skipped(name, result))
    return found


def iter_inputs(specs: Iterable[str | Path], *,
                fetcher: Fetcher | None = None) -> Iterator[tuple[str, Article | str]]:
    """Like :func:`read_inputs`, one ``(name, Article)`` or ``(name, reason skipped)`` at a time.

    Only the input being read is in memory (a build spools each article to disk as it comes,
    see :mod:`kg.inputs.spool`).  Paths are checked before the first is read.

    Raises
    ------
    InputError
        Before reading, for a missing path; for a ``.txt`` file that is not UTF-8 or is empty.
    """
    items = collect_inputs(specs)
    own = fetcher is None
    fetch = fetcher or Fetcher()
    try:
        for item in items:
            yield from _read_one(item, fetch)
    finally:
        if own:
            fetch.close()


def _read_one(item: str | Path, fetch: Fetcher) -> Iterator[tuple[str, Article | str]]:
    if isinstance(item, str):
        try:
            page = fetch.get(item)
        except FetchError as exc:
            yield item, _without_url(str(exc), item)
            return
        yield from _read_bytes(
            page.body,
            name=url_name(page.final_url),
            url=page.final_url,
            content_type=page.content_type,
            fetch=fetch,
            label=item,
        )
        return
    from ..extract.reading import read_article

    try:
        raw = item.read_bytes()
    except OSError as exc:
        raise InputError(f"{item}: cannot read it ({exc.strerror}); check the path") from exc
    try:
        kind = sniff(raw, suffix=item.suffix)
    except NotAnArticle as exc:
        yield item.name, str(exc)
        return
    if kind == "text":
        yield item.name, read_article(item)
        return
    yield from _read_bytes(raw, name=item.name, url=None, kind=kind, fetch=fetch)


def _read_bytes(
    raw: bytes,
    *,
    name: str,
    url: str | None,
    fetch: Fetcher,
    content_type: str = "",
    kind: str | None = None,
    label: str | None = None,
) -> Iterator[tuple[str, Article | str]]:
    """The article(s) in a page, feed or text; ``label`` names the input in skip lines (default ``name``)."""
    from .feeds import read_feed
    from .pages import read_page

    try:
        kind = kind or sniff(raw, suffix=Path(name).suffix, content_type=content_type)
        if kind == "feed":
            yield from read_feed(
                raw, name=name, url=url, page=lambda link, hints: _entry_page(link, hints, fetch)
            )
        elif kind == "html":
            yield name, read_page(raw, name=name, url=url)
        else:
            yield name, _text_article(raw, name=name, url=url)
    except NotAnArticle as exc:
        yield label or name, str(exc)


def _entry_page(link: str, hints: dict[str, Any], fetch: Fetcher) -> Article:
    """The page a summary-only feed entry links to, read as a page."""
    from .pages import read_page

    try:
        page = fetch.get(link)
    except FetchError as exc:
        raise NotAnArticle(f"its page could not be downloaded: {_without_url(str(exc), link)}") from exc
    kind = sniff(page.body, content_type=page.content_type)
    if kind != "html":
        raise NotAnArticle(f"its link leads to a {kind} document, not a page")
    return read_page(page.body, name=url_name(page.final_url), url=page.final_url, **hints)


def _text_article(raw: bytes, *, name: str, url: str) -> Article:
    """A plain-text answer from a web server, read like a ``.txt`` file."""
    import hashlib

    from ..extract.reading import article_date, split_metadata

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if not text.strip():
        raise NotAnArticle("the page is empty")
    meta, _ = split_metadata(text)
    return Article(
        name=name,
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        date=article_date(text),
        source=meta.get("source") or url,
        url=url,
        title=meta.get("title"),
        publisher=meta.get("publisher"),
    )


def _without_url(message: str, url: str) -> str:
    """A fetch error's reason without the URL it starts with (the skip line names the input)."""
    return message[len(url) + 2 :] if message.startswith(url + ": ") else message


@dataclass
class Saved:
    """A URL saved by :func:`save_pages`."""

    url: str
    path: Path
    size: int
    from_cache: bool


def save_pages(
    urls: Iterable[str], folder: str | Path, *, fetcher: Fetcher | None = None
) -> tuple[list[Saved], list[Skipped]]:
    """Download pages and feeds into ``folder`` (through the cache) for later builds.

    Each is named after its address (``host_path.html``; ``.rss``/``.atom`` for feeds, ``.txt``
    for text).  A page keeps its address in a first line ``<!-- saved from url=(N)URL -->``, as
    browsers write it, so a build of the saved file knows its URL even when the page names no
    canonical one.

    Raises
    ------
    InputError
        When ``folder`` exists and is not a folder, or a URL is not an http(s) URL.
    """
    from .._files import write_file

    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} is a file; give a folder to save the pages in (-o DIR)")
    bad = [u for u in urls if not is_url(u)]
    if bad:
        raise InputError(f"{bad[0]}: not an http(s) URL; kg fetch downloads web addresses")
    out.mkdir(parents=True, exist_ok=True)
    saved, failed = [], []
    own = fetcher is None
    fetch = fetcher or Fetcher()
    try:
        for url in urls:
            try:
                page = fetch.get(url)
                kind = sniff(page.body, content_type=page.content_type)
            except (FetchError, NotAnArticle) as exc:
                failed.append(Skipped(url, _without_url(str(exc), url)))
                continue
            body = page.body
            if kind == "html":
                mark = f"<!-- saved from url=({len(page.final_url):04d}){page.final_url} -->\n".encode()
                body = mark + body
            suffix = {"html": ".html", "text": ".txt"}.get(kind) or (
                ".atom" if b"<feed" in body[:4096].lower() else ".rss"
            )
            path = write_file(out / _file_name(page.final_url, suffix), body)
            saved.append(Saved(url, path, len(body), page.from_cache))
    finally:
        if own:
            fetch.close()
    return saved, failed


def _file_name(url: str, suffix: str) -> str:
    """``news.example.org_2021_train`` + suffix: the address as a safe file name."""
    import re

    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", url_name(url)).strip("._")[:150] or "page"
    stem = re.sub(r"\.(html?|rss|atom|xml|txt|php|aspx?)$", "", stem, flags=re.I)
    return stem + suffix
