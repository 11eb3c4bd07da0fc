"""GraphiQL works without internet: the files Strawberry's page loads from a CDN are vendored
from the npm registry (the very bytes its integrity hashes name), served by the app in
development mode, and a headless Chromium that can resolve no host name renders GraphiQL from
a real ``hub serve --dev`` and runs a query in it."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from hub.api import graphiql
from hub.api.app import create_app
from hub.config import Settings
from tests.api.browser import CHROMIUM, offline_page
from tests.api.conftest import serve, world_database
from tests.api.servers import hub_server
from tests.schema.world import TOWNSHIP

MANIFEST = json.loads(graphiql.MANIFEST.read_text(encoding="utf-8"))
TEMPLATE = Path(graphiql.get_graphql_ide_html.__code__.co_filename).parents[1] / "static"


def test_vendored_files_are_the_packages_files_with_their_licences() -> None:
    for package in MANIFEST["packages"]:
        folder = graphiql.VENDOR_DIR / package["folder"]
        shipped = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
        assert shipped == {*package["files"], package["license_file"]}, package["npm"]
        for name, sha256 in package["files"].items():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == sha256, name


def test_every_cdn_asset_of_the_page_is_vendored_with_its_integrity_hash() -> None:
    """A Strawberry upgrade that loads another asset (or version) fails here first."""
    page = (TEMPLATE / "graphiql.html").read_text(encoding="utf-8")
    tags = re.findall(r'(?:src|href)="(https://[^"]+)"\s+integrity="sha384-([^"]+)"', page)
    assert len(tags) == 7 and {url for url, _ in tags} == set(MANIFEST["links"])
    for url, digest in tags:
        data = (graphiql.VENDOR_DIR / MANIFEST["links"][url]).read_bytes()
        assert base64.b64encode(hashlib.sha384(data).digest()).decode() == digest, url


def test_development_serves_the_page_and_its_assets_production_neither(
    settings: Settings,
) -> None:
    with serve(create_app(settings, development=True)) as client:
        page = client.get("/graphql", headers={"accept": "text/html"}).text
        local = re.findall(r'(?:src|href)="(/graphiql/vendor/[^"]+)"', page)
        assert len(local) == 7 and "https://unpkg.com" not in page
        for path in local:
            assert client.get(path).status_code == 200, path
    with serve(create_app(settings)) as client:
        assert client.get(local[0]).status_code == 404


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")
def test_chromium_offline_renders_graphiql_and_runs_a_query(tmp_path: Path) -> None:
    url = world_database(tmp_path)
    query = "{ grids(level: TOWNSHIP) { code name } }"
    with (
        hub_server(url, tmp_path, development=True) as server,
        offline_page(f"{server.url}?q={quote(query)}") as page,
    ):
        # Drawn by React and GraphiQL: the HTML itself holds only "Loading...".
        page.wait_for("!!document.querySelector('.graphiql-execute-button')")
        assert page.evaluate("typeof React + typeof GraphiQL") == "objectfunction"
        page.evaluate("document.querySelector('.graphiql-execute-button').click()")
        shown = page.wait_for(
            "(t => t.includes('龙浔镇') ? t : '')"
            "((document.querySelector('.result-window') || {}).innerText || '')"
        )
    assert TOWNSHIP in shown and '"grids"' in shown
