"""Read articles wait their turn on disk, so a build's memory does not grow with the corpus.

A build reads every input before it writes anything (to refuse a bad file, download URLs, skip
unchanged documents), but extracts the articles one at a time.  Each article read goes into a
:class:`Spool`, a temporary file deleted when the spool closes, and only its :class:`Held`
record (name, identity, hash: a few hundred bytes) stays in memory until its turn comes::

    with Spool() as spool:
        held = [spool.add(article) for article in articles]
        for h in held:
            article = spool.load(h)    # the Article as it was read, text included

A page or feed is therefore downloaded and read (trafilatura, feedparser) once, and every
article is extracted from the text read at the start of the build, even if its file changes
in the meantime.
"""

from __future__ import annotations

import pickle
import tempfile
from dataclasses import dataclass
from types import TracebackType
from typing import IO

from ..model import Article


@dataclass(frozen=True)
class Held:
    """What a build knows of a spooled article before its turn (see :meth:`Spool.load`)."""

    name: str
    key: str
    """:attr:`kg.model.Article.key`: the document's identity."""
    sha256: str
    offset: int
    """Where the article starts in its spool."""

    @property
    def iri(self) -> str:
        """The document IRI (:func:`kg.rdf.document_iri` of the article)."""
        from ..rdf import KGR

        return str(KGR["doc/" + self.key])


class Spool:
    """A temporary file of articles, written once and read back in any order."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="kg-build-")
        self._end = 0

    def add(self, article: Article) -> Held:
        """Write one article to the spool; returns its record."""
        held = Held(name=article.name, key=article.key, sha256=article.sha256, offset=self._end)
        self._file.seek(self._end)
        pickle.dump(article, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._end = self._file.tell()
        return held

    def load(self, held: Held) -> Article:
        """The article ``held`` stands for, as it was added."""
        self._file.seek(held.offset)
        article: Article = pickle.load(self._file)
        return article

    @property
    def size(self) -> int:
        """Bytes written so far."""
        return self._end

    def close(self) -> None:
        """Delete the file."""
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
