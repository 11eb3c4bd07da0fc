"""Data Docs that work without internet: GX's templates load Bootstrap, jQuery,
bootstrap-table, Font Awesome and Vega from public CDNs, and its logo from S3. The hub ships
those files (``static/vendor/``, from the npm registry; provenance and licences in
``static/assets.json`` and ``static/README.md``); :func:`make_offline` copies them into a
built site and points every page at them by relative links, so the site works from
``file://`` and from any mount point (the API serves it at ``/quality/docs/``)::

    make_offline(docs_dir)  # docs_dir/static/vendor/<package>-<version>/..., pages rewritten

Only asset references are rewritten: ``src``/``href`` of ``<script>``, ``<link>`` and ``<img>``,
and CSS ``url(...)``; links into the site's ``static/`` are re-rooted from each page's depth.
Navigation links (``<a href="https://greatexpectations.io">``) stay.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
MANIFEST = STATIC_DIR / "assets.json"
#: Where the vendored files go inside a site (next to GX's own ``static/images`` etc.).
SITE_VENDOR = "static/vendor"

_TAG = re.compile(r"<(?:script|link|img)\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""\b(?P<name>src|href)=(?P<q>["'])(?P<url>[^"']*)(?P=q)""")
_EXTERNAL = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
# GX counts the folders up to the site root per page type, and gets the favicon's one short
# on validation pages: links into the site's static/ are re-rooted from each page's depth.
_SITE_STATIC = re.compile(r"^(?:\./|(?:\.\./)+)?(?=static/)")
_CSS_URL = re.compile(r"""url\(\s*(?P<q>["']?)(?P<url>(?:https?:)?//[^"')]*)(?P=q)\s*\)""")
# A local file cannot pass a CDN's integrity check from file:// (each file is its own origin),
# and crossorigin makes Chromium refuse file:// scripts outright. The vendored files are the
# very bytes those hashes name (tests/quality/test_offline_docs.py checks them).
_SRI = re.compile(r"""\s+(?:integrity|crossorigin)=(["'])[^"']*\1""")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rewritten:
    """What :func:`make_offline` did to a site."""

    pages: int  # pages whose links changed
    external: tuple[str, ...]  # asset URLs still external (none when the manifest covers GX)


@cache
def site_links() -> dict[str, str]:
    """Each external asset URL GX's templates use (without its query) -> its path in a site."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    links = {url: f"{SITE_VENDOR}/{path}" for url, path in manifest["links"].items()}
    return links | dict(manifest["site_links"])


def make_offline(docs_dir: Path) -> Rewritten:
    """Vendor the assets into ``docs_dir`` and rewrite every page (and GX's stylesheets) there.

    Idempotent: pages of earlier builds, already rewritten, are left as they are. Asset URLs
    the manifest does not know are left alone, reported, and logged (a GX upgrade may add one).
    """
    vendor_into(docs_dir)
    changed, external = 0, set()
    for path in sorted(docs_dir.rglob("*")):
        if path.suffix not in {".html", ".css"} or _is_vendored(path, docs_dir):
            continue
        text = path.read_text(encoding="utf-8")
        rewritten, left = rewrite(text, _prefix(path, docs_dir))
        external.update(left)
        if rewritten != text:
            path.write_text(rewritten, encoding="utf-8")
            changed += 1
    if external:
        log.warning("Data Docs still load %d external assets: %s", len(external), sorted(external))
    return Rewritten(changed, tuple(sorted(external)))


def vendor_into(docs_dir: Path) -> Path:
    """Copy the vendored files into ``docs_dir/static/vendor`` (kept when already there)."""
    target = docs_dir / SITE_VENDOR
    shutil.copytree(VENDOR_DIR, target, dirs_exist_ok=True)
    return target


def rewrite(text: str, prefix: str) -> tuple[str, list[str]]:
    """``text`` with known asset URLs replaced by ``prefix`` + their path in the site, and
    the asset URLs it does not know."""
    links, unknown = site_links(), []

    def local(url: str) -> str | None:
        found = links.get(url.split("?", 1)[0].split("#", 1)[0])
        if found is None:
            unknown.append(url)
        return None if found is None else prefix + found

    def attribute(match: re.Match[str]) -> str:
        url = match["url"]
        new = (local(url) or url) if _EXTERNAL.match(url) else _SITE_STATIC.sub(prefix, url, 1)
        return f"{match['name']}={match['q']}{new}{match['q']}"

    def tag(match: re.Match[str]) -> str:
        element = match.group(0)
        swapped = _ATTR.sub(attribute, element)
        return _SRI.sub("", swapped) if swapped != element else element

    def css(match: re.Match[str]) -> str:
        found = local(match["url"])
        return match.group(0) if found is None else f"url({match['q']}{found}{match['q']})"

    return _CSS_URL.sub(css, _TAG.sub(tag, text)), unknown


def _prefix(path: Path, docs_dir: Path) -> str:
    """The relative way from ``path``'s folder up to the site's root: '' or '../../'."""
    up = os.path.relpath(docs_dir, path.parent)
    return "" if up == "." else up.replace(os.sep, "/") + "/"


def _is_vendored(path: Path, docs_dir: Path) -> bool:
    return path.is_relative_to(docs_dir / SITE_VENDOR)
