"""The Content-Security-Policy the Data Docs are served with.

GX's pages run inline scripts (table set-up, the "failed only" filter) and inline ``onclick``
handlers. Every delivered value is escaped before GX renders it (:mod:`hub.quality.docs`), so
once a site is built the only scripts in its pages are GX's own: :func:`write_policy` hashes
each of them in the pages of that build (``sha256-...``, the handlers under
``'unsafe-hashes'``) into ``csp.json`` beside the pages, and :func:`docs_policy` allows
exactly those and scripts from the site itself, nothing else: no script or frame from
elsewhere, no form, no ``<base>``, no connection to another host (an injected
``<img src=https://...>`` could not carry data out). A site without ``csp.json`` (built by an
older hub) is served with no inline script allowed at all.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

POLICY_FILE = "csp.json"
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>",
                            re.IGNORECASE | re.DOTALL)  # fmt: skip
_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_FIXED = (
    "default-src 'none'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
)


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def page_hashes(page: str) -> tuple[set[str], set[str]]:
    """The CSP hashes of ``page``'s inline scripts and of its inline event handlers."""
    scripts = {_digest(m.group(1)) for m in _INLINE_SCRIPT.finditer(page)}
    handlers = {_digest(html.unescape(m.group(1) if m.group(1) is not None else m.group(2)))
                for m in _HANDLER.finditer(page)}  # fmt: skip
    return scripts, handlers


def write_policy(docs_dir: Path, pages: Iterable[Path]) -> Path:
    """Hash the inline scripts and handlers of ``pages`` (the pages a build just rendered,
    escaped) into ``docs_dir/csp.json``; its path. Pages of earlier builds keep working where
    their scripts are GX's same ones; a script found only in an older page is not allowed."""
    scripts: set[str] = set()
    handlers: set[str] = set()
    for page in sorted(set(pages)):
        found_scripts, found_handlers = page_hashes(page.read_text(encoding="utf-8"))
        scripts |= found_scripts
        handlers |= found_handlers
    target = docs_dir / POLICY_FILE
    target.write_text(json.dumps({"scripts": sorted(scripts), "handlers": sorted(handlers)},
                                 indent=1), encoding="utf-8")  # fmt: skip
    return target


def docs_policy(docs_dir: Path) -> str:
    """The Content-Security-Policy header of the site at ``docs_dir``."""
    path = docs_dir / POLICY_FILE
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None
    return _policy(path, stamp)


@lru_cache(maxsize=8)
def _policy(path: Path, stamp: int | None) -> str:
    sources = ["'self'"]
    if stamp is not None:
        try:
            known = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        scripts = [h for h in known.get("scripts", []) if _is_hash(h)]
        handlers = [h for h in known.get("handlers", []) if _is_hash(h)]
        sources += scripts
        if handlers:
            sources += ["'unsafe-hashes'", *handlers]
    return "; ".join([*_FIXED, "script-src " + " ".join(sources)])


_HASH = re.compile(r"'sha256-[A-Za-z0-9+/=]{44}'")


def _is_hash(value: object) -> bool:
    return isinstance(value, str) and _HASH.fullmatch(value) is not None
