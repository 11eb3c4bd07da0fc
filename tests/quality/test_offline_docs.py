"""Data Docs work offline: the vendored files are the npm registry's, cover every CDN asset
GX's installed templates load, and a built site links only to files inside itself."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from sqlalchemy.orm import Session

from expectations.base import gx
from hub.api import tokens as api_tokens
from hub.api.app import QUALITY_DOCS_PATH, create_app
from hub.config import load_settings
from hub.quality import offline
from hub.quality.docs import build_data_docs, validation_page
from hub.quality.report import ExpectationOutcome, QualityReport
from hub.storage import migrate
from hub.storage.session import make_engine
from tests.access import policy
from tests.api.conftest import headers, serve

TEMPLATES = Path(gx.__file__).parent / "render" / "view" / "templates"
GX_STATIC = TEMPLATES.parent / "static"
MANIFEST = json.loads(offline.MANIFEST.read_text(encoding="utf-8"))
CHROMIUM = shutil.which("chromium")
# Offline even where the machine has internet: every host name fails to resolve.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--host-resolver-rules=MAP * ~NOTFOUND")  # fmt: skip
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")


class _Assets(HTMLParser):
    """Every asset a page loads (script, stylesheet, icon, image, CSS url) and every link."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.links: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in {"script", "img"} and found.get("src"):
            self.assets.append(str(found["src"]))
        elif tag == "link" and found.get("href"):
            self.assets.append(str(found["href"]))
        elif tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        for key, value in attrs:
            if key == "style" and value:
                self.assets.extend(_CSS_URL.findall(value))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.assets.extend(u for u in _CSS_URL.findall(data) if not u.startswith("data:"))


def _parse(page: Path) -> _Assets:
    parser = _Assets()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _is_external(url: str) -> bool:
    return bool(urlsplit(url).scheme) or url.startswith("//")


def _target(page: Path, url: str) -> Path:
    return (page.parent / unquote(urlsplit(url).path)).resolve()


def _report(suite: str, target: str, run_name: str, started: str) -> QualityReport:
    outcomes = (
        ExpectationOutcome("expect_column_values_to_not_be_null", "record_id",
                           {"column": "record_id", "batch_id": target}, True, True,
                           {"element_count": 10, "unexpected_count": 0}, 0, []),
        ExpectationOutcome("expect_column_values_to_be_in_set", "phone_valid",
                           {"column": "phone_valid", "value_set": [True], "batch_id": target},
                           False, False, {"element_count": 10, "unexpected_count": 2}, 2,
                           ["GA0000000001", "GA0000000002"]),
    )  # fmt: skip
    return QualityReport(suite, target, False, False, outcomes,
                         {"run_name": run_name, "started_at": started})  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[QualityReport]]:
    """A site of two builds: a delivery page nested five folders deep, a publication page
    four deep, suite pages, and the index."""
    docs = tmp_path_factory.mktemp("var") / "quality" / "docs"
    first = _report("gongan.population", "gongan.population", "delivery-5",
                    "2026-11-15T08:00:00+00:00")  # fmt: skip
    second = _report("published", "published", "publication", "2026-11-15T08:05:00+00:00")
    build_data_docs([first], docs)
    build_data_docs([first, second], docs)
    return docs, [first, second]


# -- the vendored files --------------------------------------------------------------------------


def test_vendored_files_are_the_packages_files_with_their_licences() -> None:
    for package in MANIFEST["packages"]:
        folder = offline.VENDOR_DIR / package["folder"]
        assert (folder / package["license_file"]).is_file(), package["npm"]
        shipped = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
        assert shipped == {*package["files"], package["license_file"]}, package["npm"]
        for name, sha256 in package["files"].items():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == sha256, name
    every = {f"{p['folder']}/{name}" for p in MANIFEST["packages"] for name in p["files"]}
    assert set(MANIFEST["links"].values()) <= every


def test_every_cdn_asset_of_the_installed_templates_is_vendored() -> None:
    """A GX upgrade that loads another asset (or another version) fails here first."""
    pattern = re.compile(
        r"""(?:src|href)=["']((?:https?:)?//[^"']+)["']|url\(['"]?(https?://[^'")]+)"""
    )
    used = set()
    for path in [*TEMPLATES.rglob("*.j2"), *GX_STATIC.rglob("*.css")]:
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            used.add(match.group(1) or match.group(2))
    assets = {url for url in used if not url.startswith("https://greatexpectations.io")}
    assert assets, "no CDN link found: has GX moved its templates?"
    assert assets <= set(offline.site_links())


def test_vendored_files_match_the_templates_integrity_hashes() -> None:
    tag = re.compile(r"""src="(https://[^"]+)"[^>]*integrity="sha384-([^"]+)\"""")
    checked = 0
    for path in TEMPLATES.rglob("*.j2"):
        for url, digest in tag.findall(path.read_text(encoding="utf-8")):
            local = offline.site_links()[url].removeprefix(offline.SITE_VENDOR + "/")
            data = (offline.VENDOR_DIR / local).read_bytes()
            assert base64.b64encode(hashlib.sha384(data).digest()).decode() == digest, url
            checked += 1
    assert checked == 2  # popper.js and bootstrap.js


# -- rewriting -----------------------------------------------------------------------------------


def test_rewrite_swaps_assets_drops_cdn_integrity_and_keeps_navigation() -> None:
    page = (
        '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>\n'
        '<script src="https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js" '
        'integrity="sha384-x" crossorigin="anonymous"></script>\n'
        '<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png'
        '?d=20261115T080000Z">\n'
        '<link rel="shortcut icon" href="../../../../static/images/favicon.ico"/>\n'
        '<a href="https://greatexpectations.io">Great Expectations</a>\n'
        '<script src="https://cdn.example.org/new.js"></script>\n'
        "<style>a { background: url('https://great-expectations-web-assets.s3.us-east-2"
        ".amazonaws.com/full_logo_dark.png') }</style>"
    )
    text, unknown = offline.rewrite(page, "../../")
    assert text == (
        '<script src="../../static/vendor/jquery-3.7.1/dist/jquery.min.js"></script>\n'
        '<script src="../../static/vendor/bootstrap-4.3.1/dist/js/bootstrap.min.js"></script>\n'
        '<img src="../../static/images/logo-long.png">\n'
        '<link rel="shortcut icon" href="../../static/images/favicon.ico"/>\n'
        '<a href="https://greatexpectations.io">Great Expectations</a>\n'
        '<script src="https://cdn.example.org/new.js"></script>\n'
        "<style>a { background: url('../../static/images/logo-long.png') }</style>"
    )
    assert unknown == ["https://cdn.example.org/new.js"]
    assert offline.rewrite(text, "../../") == (text, unknown)  # idempotent


# -- a built site --------------------------------------------------------------------------------


def test_no_page_loads_anything_from_outside_the_site(site: tuple[Path, list]) -> None:
    docs, reports = site
    pages = sorted(docs.rglob("*.html"))
    assert validation_page(reports[0], docs) in pages and validation_page(reports[1], docs) in pages
    for page in pages:
        external = [url for url in _parse(page).assets if _is_external(url)]
        assert external == [], page.relative_to(docs)
    for sheet in (docs / "static" / "styles").glob("*.css"):
        assert not [u for u in _CSS_URL.findall(sheet.read_text()) if _is_external(u)], sheet


def test_every_relative_link_resolves_to_a_file_of_the_site(site: tuple[Path, list]) -> None:
    docs, reports = site
    root = docs.resolve()
    checked = 0
    for page in docs.rglob("*.html"):
        found = _parse(page)
        local = [u for u in found.assets + found.links if not _is_external(u)]
        for url in local:
            if not urlsplit(url).path:  # "#section-1"
                continue
            target = _target(page, url)
            assert target.is_relative_to(root) and target.is_file(), (page.relative_to(docs), url)
            checked += 1
    assert checked >= 100  # ~20 assets on each of the site's pages
    deep = _parse(validation_page(reports[0], docs)).assets
    assert "../../../../../static/vendor/jquery-3.7.1/dist/jquery.min.js" in deep
    assert "../../../../../static/images/favicon.ico" in deep  # GX's own link is one level short


def test_the_font_awesome_fonts_its_stylesheet_names_are_there(site: tuple[Path, list]) -> None:
    docs, _ = site
    sheet = next(docs.joinpath(offline.SITE_VENDOR).rglob("all.min.css"))
    fonts = set(_CSS_URL.findall(sheet.read_text(encoding="utf-8")))
    assert fonts and all((sheet.parent / url).resolve().is_file() for url in fonts)


def test_the_site_works_from_the_api_mount(site: tuple[Path, list], tmp_path: Path) -> None:
    docs, reports = site
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    settings = load_settings(
        {"HUB_VAR_DIR": str(docs.parent.parent), "HUB_DATABASE_URL": url}, cwd=tmp_path
    )
    assert settings.quality_docs_dir == docs
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():  # the docs need the `quality` grant
        secret = api_tokens.create(session, policy(), name="docs", role="steward").secret
    engine.dispose()
    steward = headers(secret, purpose=None)
    page = validation_page(reports[0], docs).relative_to(docs).as_posix()
    with serve(create_app(settings)) as client:
        for path in ("index.html", page):
            address = f"{QUALITY_DOCS_PATH}/{path}"
            assert client.get(address).status_code == 401  # no token, no docs
            response = client.get(address, headers=steward)
            assert response.status_code == 200
            parser = _Assets()
            parser.feed(response.text)
            for asset in {a for a in parser.assets if not _is_external(a)}:
                found = client.get(urljoin(address, asset), headers=steward)
                assert found.status_code == 200, asset


# -- in a browser --------------------------------------------------------------------------------


def _dom(page: Path) -> str:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom",
             page.resolve().as_uri()],
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
    return done.stdout


def _rows(dom: str, table_id: str) -> int:
    found = re.search(rf'<table[^>]*id="{table_id}"(.*?)</table>', dom, re.DOTALL)
    assert found is not None, table_id
    return len(re.findall(r"<tr[^>]*data-index=", found.group(1)))


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")
def test_chromium_offline_draws_the_index_table_of_validations(site: tuple[Path, list]) -> None:
    """The index's table of validations is drawn by jQuery and bootstrap-table: it has rows
    only when the vendored scripts load (the HTML itself has none)."""
    docs, reports = site
    index = docs / "index.html"
    assert "data-index=" not in index.read_text(encoding="utf-8")
    dom = _dom(index)
    assert _rows(dom, "section-1-content-block-2-1-body-table") == len(reports)
    assert _rows(dom, "section-1-content-block-2-2-body-table") == 2  # the suites
    page = validation_page(reports[0], docs)
    assert "bootstrap-table bootstrap4" not in page.read_text(encoding="utf-8")
    assert 'class="bootstrap-table bootstrap4"' in _dom(page)  # drawn by bootstrap-table
