"""Downloading pages and feeds: httpx with timeouts, bounded retries, a size limit and an on-disk cache.

The cache keeps each answer (body and the headers that matter) under a hash of its URL.  A
page cached less than :data:`kg.settings.cache_ttl` seconds ago is used without asking the
server, so a rerun fetches nothing; an older one is revalidated (``If-None-Match`` /
``If-Modified-Since``) and downloaded again only when it changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__, settings
from .._errors import KgError
from .._files import write_file

USER_AGENT = f"kg/{__version__} (freight-train knowledge graph; reads news pages and feeds)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_KEPT_HEADERS = ("content-type", "etag", "last-modified")


class FetchError(KgError):
    """A URL could not be downloaded; the message is one line saying why and what to do."""


@dataclass
class Page:
    """One downloaded (or cached) answer."""

    url: str
    """The URL asked for."""
    final_url: str
    """Where redirects led."""
    content_type: str
    body: bytes
    from_cache: bool = False


def cache_dir() -> Path | None:
    """The web cache folder: ``KG_CACHE`` when set, else ``http/`` under kg's cache folder.

    kg's cache folder is :data:`kg.settings.cache_dir` (``KG_CACHE_DIR``, default
    ``$XDG_CACHE_HOME/kg`` or ``~/.cache/kg``); None, no web cache, when it is ``off``.
    """
    if settings.cache:
        return Path(settings.cache)
    if os.environ.get("KG_CACHE"):
        return Path(os.environ["KG_CACHE"])
    if settings.cache_dir == "off":
        return None
    return Path(settings.cache_dir) / "http"


class Fetcher:
    """Download URLs through the on-disk cache.

    Parameters
    ----------
    cache
        Cache folder (default :func:`cache_dir`; with no cache every page is downloaded).
    refresh
        Ask the server about every cached page (conditional request) instead of trusting
        pages younger than ``ttl``.
    ttl, timeout, retries, max_bytes
        Default to :mod:`kg.settings` (``cache_ttl``, ``fetch_timeout``, ``fetch_retries``,
        ``max_page_bytes``).

    ``requests`` counts the HTTP requests sent (retries included).
    """

    def __init__(
        self,
        *,
        cache: str | Path | None = None,
        refresh: bool = False,
        ttl: float | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        max_bytes: int | None = None,
    ) -> None:
        self.cache: Path | None = Path(cache) if cache is not None else cache_dir()
        self.refresh = refresh
        self.ttl = settings.cache_ttl if ttl is None else ttl
        self.timeout = settings.fetch_timeout if timeout is None else timeout
        self.retries = settings.fetch_retries if retries is None else retries
        self.max_bytes = settings.max_page_bytes if max_bytes is None else max_bytes
        self.requests = 0
        self._client: Any = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def get(self, url: str) -> Page:
        """The page at ``url``, from the cache when fresh.

        Raises
        ------
        FetchError
            On a network error, a timeout, an HTTP error status, a page over the size limit
            or a URL that is not http(s), after the retries.
        """
        if not url.lower().startswith(("http://", "https://")):
            raise FetchError(f"{url}: not an http(s) URL; give the page's web address")
        entry = self._load(url)
        if entry is not None and not self.refresh and time.time() - entry["stored"] < self.ttl:
            return self._page(url, entry, from_cache=True)
        headers = {}
        if entry is not None:
            if entry["headers"].get("etag"):
                headers["If-None-Match"] = entry["headers"]["etag"]
            if entry["headers"].get("last-modified"):
                headers["If-Modified-Since"] = entry["headers"]["last-modified"]
        status, final, got, body = self._download(url, headers)
        if status == 304 and entry is not None:
            entry["stored"] = time.time()
            self._save(url, entry, None)
            return self._page(url, entry, from_cache=True)
        entry = {
            "url": url,
            "final_url": final,
            "stored": time.time(),
            "headers": {k: got[k] for k in _KEPT_HEADERS if k in got},
        }
        self._save(url, entry, body)
        return Page(url, final, entry["headers"].get("content-type", ""), body)

    # -- the network ----------------------------------------------------------------------
    def _download(self, url: str, headers: dict[str, str]) -> tuple[int, str, dict[str, str], bytes]:
        import httpx

        if self._client is None:
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.timeout),
                follow_redirects=True,
                max_redirects=5,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": "text/html, application/xhtml+xml, "
                    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/plain;q=0.8, "
                    "*/*;q=0.1",
                },
            )
        pause = 0.5
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            self.requests += 1
            try:
                with self._client.stream("GET", url, headers=headers) as resp:
                    if resp.status_code in RETRY_STATUS and not last:
                        wait = _retry_after(resp.headers.get("retry-after"), pause)
                        resp.close()
                        time.sleep(wait)
                        pause *= 2
                        continue
                    if resp.status_code == 304:
                        return 304, str(resp.url), dict(resp.headers), b""
                    if resp.status_code >= 400:
                        raise FetchError(
                            f"{url}: the server answered HTTP {resp.status_code} "
                            f"{resp.reason_phrase or ''}".rstrip()
                            + "; check the address"
                        )
                    return resp.status_code, str(resp.url), dict(resp.headers), self._read(url, resp)
            except httpx.TooManyRedirects as exc:
                raise FetchError(
                    f"{url}: too many redirects; open it in a browser and give the final address"
                ) from exc
            except httpx.TransportError as exc:
                if last:
                    raise FetchError(
                        f"{url}: {_network_reason(exc)} (after {self.retries + 1} tries); "
                        "check the address and the network, then build again"
                    ) from exc
                time.sleep(pause)
                pause *= 2
        raise AssertionError("unreachable")

    def _read(self, url: str, resp: Any) -> bytes:
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(_too_big(url, int(declared), self.max_bytes))
        chunks, size = [], 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(_too_big(url, size, self.max_bytes, more=True))
            chunks.append(chunk)
        return b"".join(chunks)

    # -- the cache ------------------------------------------------------------------------
    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
        assert self.cache is not None
        return self.cache / f"{key}.json", self.cache / f"{key}.body"

    def _load(self, url: str) -> dict[str, Any] | None:
        if self.cache is None:
            return None
        meta, body = self._paths(url)
        try:
            entry = json.loads(meta.read_text(encoding="utf-8"))
            if entry.get("url") != url or not body.is_file():
                return None
            return dict(entry)
        except (OSError, ValueError):
            return None

    def _save(self, url: str, entry: dict[str, Any], body: bytes | None) -> None:
        """Write the entry (and body) beside the final names, then rename: a killed run leaves no half entry.

        A cache that cannot be written (read-only, full disk) only costs a later download.
        """
        if self.cache is None:
            return
        meta, body_path = self._paths(url)
        try:
            self.cache.mkdir(parents=True, exist_ok=True)
            if body is not None:
                write_file(body_path, body)
            write_file(meta, json.dumps(entry).encode("utf-8"))
        except (OSError, KgError):
            pass

    def _page(self, url: str, entry: dict[str, Any], *, from_cache: bool) -> Page:
        body = self._paths(url)[1].read_bytes()
        return Page(
            url, entry.get("final_url") or url, entry["headers"].get("content-type", ""), body, from_cache
        )


def _retry_after(value: str | None, default: float) -> float:
    """Seconds to wait before a retry: the server's ``Retry-After`` (at most 5 s) or ``default``."""
    if value and value.strip().isdigit():
        return min(float(value.strip()), 5.0)
    return default


def _too_big(url: str, size: int, limit: int, *, more: bool = False) -> str:
    size_text = "larger than" if more else f"{size / 1e6:.1f} MB, over"
    return (
        f"{url}: the page is {size_text} the {limit / 1e6:.1f} MB limit; not an article? "
        "(KG_MAX_PAGE_BYTES raises the limit)"
    )


def _network_reason(exc: Exception) -> str:
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time (timeout; KG_FETCH_TIMEOUT sets it)"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
            return "unknown host"
        return "cannot connect (connection refused or no route)"
    return (
        f"network error ({type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else 'no detail'})"
    )
