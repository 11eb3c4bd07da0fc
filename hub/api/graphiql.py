"""GraphiQL without internet: Strawberry's GraphiQL page loads React, ReactDOM, js-cookie,
GraphiQL and its explorer plugin from a CDN. The hub ships those files (``static/vendor/``,
from the npm registry; provenance and licences in ``static/assets.json`` and
``static/README.md``); in development mode the app serves them at :data:`ASSETS_PATH` and
:func:`graphiql_html` points the page at them::

    <script src="https://unpkg.com/react@18.2.0/umd/react.production.min.js" integrity=...>
    ->  <script src="/graphiql/vendor/react-18.2.0/umd/react.production.min.js" integrity=...>

The integrity hashes stay: the vendored files are the very bytes they name.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from starlette.staticfiles import StaticFiles
from strawberry.http.ides import get_graphql_ide_html

STATIC_DIR = Path(__file__).parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
MANIFEST = STATIC_DIR / "assets.json"
#: Where the vendored files are served (development mode only).
ASSETS_PATH = "/graphiql/vendor"


class UnknownAsset(LookupError):
    """The page loads a URL the manifest does not cover (a Strawberry upgrade changed it)."""


@cache
def links() -> dict[str, str]:
    """Each CDN URL of the page -> the path it is served at here."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return {url: f"{ASSETS_PATH}/{path}" for url, path in manifest["links"].items()}


@cache
def graphiql_html() -> str:
    """Strawberry's GraphiQL page with every CDN asset pointed at the vendored copy;
    :class:`UnknownAsset` when it loads one the manifest does not know."""
    page = get_graphql_ide_html(graphql_ide="graphiql")
    for url, local in links().items():
        page = page.replace(f'"{url}"', f'"{local}"')
    left = [u for u in ("https://unpkg.com", "https://cdn.jsdelivr.net", "https://esm.sh")
            if u in page]  # fmt: skip
    if left:
        raise UnknownAsset(f"the GraphiQL page still loads assets from {', '.join(left)}")
    return page


def assets() -> StaticFiles:
    """The vendored files, as an ASGI app to mount at :data:`ASSETS_PATH`."""
    return StaticFiles(directory=VENDOR_DIR)
