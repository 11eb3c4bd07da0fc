"""Trusted documents: in production the API runs only the operations published in the
repository (``schema/operations/*.graphql``), recognised by the SHA-256 of their text.

A client sends either the document itself, byte for byte as in the file (its hash must be in
the list), or only the hash, in Apollo's persisted-query form::

    {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}, "variables": ...}

A hash of the exact UTF-8 text, not of a normalised form: what runs is what was reviewed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any


class NotAllowListed(ValueError):
    """The request names no published operation."""


def document_hash(document: str) -> str:
    """The SHA-256 (hex) of a document's UTF-8 text, as the allow-list keys it."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AllowList:
    """Published operations by hash: the document and the file it came from."""

    documents: Mapping[str, str]
    names: Mapping[str, str]

    @classmethod
    def from_directory(cls, folder: Path) -> AllowList:
        """Every ``*.graphql`` file of ``folder``; an empty or missing folder is an error."""
        files = sorted(folder.glob("*.graphql"))
        if not files:
            raise FileNotFoundError(f"{folder}: no published operations (*.graphql)")
        documents: dict[str, str] = {}
        names: dict[str, str] = {}
        for path in files:
            text = path.read_text(encoding="utf-8")
            digest = document_hash(text)
            documents[digest] = text
            names[digest] = path.stem
        return cls(MappingProxyType(documents), MappingProxyType(names))

    def document(self, query: str | None, extensions: Mapping[str, Any] | None) -> str:
        """The document to run for a request's ``query`` and ``extensions``."""
        persisted = (extensions or {}).get("persistedQuery")
        wanted = persisted.get("sha256Hash") if isinstance(persisted, Mapping) else None
        if wanted is not None and not isinstance(wanted, str):
            raise NotAllowListed("persistedQuery.sha256Hash must be a hex string.")
        if query is not None:
            digest = document_hash(query)
            if wanted is not None and wanted != digest:
                raise NotAllowListed("The query does not match persistedQuery.sha256Hash.")
            wanted = digest
        if wanted is None:
            raise NotAllowListed("Send a published operation or its sha256Hash.")
        document = self.documents.get(wanted.lower())
        if document is None:
            raise NotAllowListed(
                "Only published operations run here (schema/operations, byte for byte, or their "
                "SHA-256 as persistedQuery.sha256Hash)."
            )
        return document
