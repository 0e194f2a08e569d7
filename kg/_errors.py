"""Exceptions raised by ``kg``.  Messages name the bad value and say what to do next."""

from __future__ import annotations


class KgError(Exception):
    """Base class of every error ``kg`` raises on purpose (the CLI prints it on one line)."""


class InputError(KgError, ValueError):
    """An input file, folder or value cannot be used."""


class UnknownPlaceError(KgError, LookupError):
    """A place name is not in the graph; carries close matches for the message."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown place {name!r}: it is not in the graph.{hint} (`kg places` lists them)")


class StoreError(KgError, OSError):
    """The store cannot be opened, read or written."""


class QueryError(KgError, ValueError):
    """A SPARQL query is malformed or not allowed."""


class ModelError(KgError, ImportError):
    """No usable spaCy pipeline is installed."""


class OutputError(KgError, OSError):
    """An output file cannot be written (full disk, no permission, a device that refuses)."""
