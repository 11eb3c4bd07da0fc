"""Trusted documents: in production the API runs only the operations published in the
repository (``schema/operations/*.graphql``).

A client sends one of:

- the document's text, as in the file or as a GraphQL client re-prints it: a document whose
  *canonical form* (parsed and printed by graphql-core: comments, commas and layout gone)
  equals a published operation's is that operation. ``gql``, Apollo and Relay send the
  printed form, not the file's bytes;
- only a hash, in Apollo's automatic persisted-query form::

      {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}, "variables": ...}

  where the hash is the SHA-256 of the file's text or of its canonical form (what Apollo
  clients compute). An unknown hash gets ``PersistedQueryNotFound`` (code
  ``PERSISTED_QUERY_NOT_FOUND``), on which an APQ client sends the text with the hash; the
  text must then hash to it and be a published operation.

Whatever was sent, what runs is the published file's own text, so what runs is what was
reviewed: the canonical form only decides *which* published operation a request names. Two
documents with one canonical form are the same operation to the executor (same operations,
same fields, same arguments, same variables), so accepting a re-printed one runs nothing that
was not reviewed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar

from graphql import GraphQLError, parse, print_ast

#: Tokens a document may have to be looked at (the executor's own limit is lower): a request
#: cannot make the allow-list parse an arbitrarily long text.
MAX_TOKENS = 2000
#: Canonical forms kept per process: the published operations, and some unknown documents.
CACHED = 512


class NotAllowListed(ValueError):
    """The request names no published operation."""

    code: ClassVar[str] = "OPERATION_NOT_ALLOWED"


class PersistedQueryNotFound(NotAllowListed):
    """A hash alone that names no published operation (Apollo's APQ error: the client may
    send the text with it)."""

    code: ClassVar[str] = "PERSISTED_QUERY_NOT_FOUND"

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotFound")


def document_hash(document: str) -> str:
    """The SHA-256 (hex) of a document's UTF-8 text, as the allow-list keys it."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


@lru_cache(maxsize=CACHED)
def canonical(document: str) -> str | None:
    """The document parsed and printed by graphql-core (what GraphQL clients send); None for
    a text that does not parse (it names no published operation)."""
    try:
        return print_ast(parse(document, no_location=True, max_tokens=MAX_TOKENS))
    except GraphQLError:
        return None


@dataclass(frozen=True, slots=True)
class AllowList:
    """Published operations: by hash (of the file and of its canonical form) and by
    canonical form, each to the file's text; and the operation's name by hash."""

    documents: Mapping[str, str]
    names: Mapping[str, str]
    forms: Mapping[str, str]

    @classmethod
    def from_directory(cls, folder: Path) -> AllowList:
        """Every ``*.graphql`` file of ``folder``; an empty or missing folder, or a file that
        does not parse, is an error."""
        files = sorted(folder.glob("*.graphql"))
        if not files:
            raise FileNotFoundError(f"{folder}: no published operations (*.graphql)")
        documents: dict[str, str] = {}
        names: dict[str, str] = {}
        forms: dict[str, str] = {}
        for path in files:
            text = path.read_text(encoding="utf-8")
            form = canonical(text)
            if form is None:
                raise ValueError(f"{path}: the published operation does not parse")
            if form in forms:
                raise ValueError(f"{path}: the same operation as another published file")
            forms[form] = text
            for digest in (document_hash(text), document_hash(form)):
                documents[digest] = text
                names[digest] = path.stem
        return cls(MappingProxyType(documents), MappingProxyType(names), MappingProxyType(forms))

    def document(self, query: str | None, extensions: Mapping[str, Any] | None) -> str:
        """The published text to run for a request's ``query`` and ``extensions``."""
        persisted = (extensions or {}).get("persistedQuery")
        wanted = persisted.get("sha256Hash") if isinstance(persisted, Mapping) else None
        if wanted is not None and not isinstance(wanted, str):
            raise NotAllowListed("persistedQuery.sha256Hash must be a hex string.")
        if query is not None:
            if wanted is not None and wanted.lower() != document_hash(query):
                raise NotAllowListed("The query does not match persistedQuery.sha256Hash.")
            found = self.documents.get(document_hash(query))
            if found is None:
                form = canonical(query)
                found = self.forms.get(form) if form is not None else None
            if found is None:
                raise NotAllowListed(
                    "Only published operations run here (schema/operations: the file's text, "
                    "the same document re-printed, or its SHA-256 as "
                    "persistedQuery.sha256Hash)."
                )
            return found
        if wanted is None:
            raise NotAllowListed("Send a published operation or its sha256Hash.")
        found = self.documents.get(wanted.lower())
        if found is None:
            raise PersistedQueryNotFound()
        return found
