"""Issue 16, item 6: stored XSS in the Data Docs.

As the attack was made: public security delivers a population file whose 性别 and 与户主关系
hold markup; the hub ingests and checks it and builds the Data Docs; a steward opens the
validation page at ``/quality/docs`` of a real ``hub serve``. The page must show the values
as text, and the response must carry a Content-Security-Policy that allows no script but the
site's own (and the other headers); so must every other response of the server.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from hub.pipeline import ingest_dataset
from hub.quality.csp import page_hashes
from hub.quality.docs import validation_page
from hub.quality.report import QualityReport
from hub.sources import catalog
from hub.storage.session import make_engine, session_factory
from tests.ingest.files import POP_HEADER, person, write_csv
from tests.security.live import LiveHub, headers

SCRIPT = "<script>alert(document.cookie)</script>"
IMAGE = '<img src=x onerror="alert(1)">'
EXPECTED_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def deliver(hub: LiveHub) -> Path:
    """A population file with markup in two coded columns, ingested and checked with the
    Data Docs built where the server serves them; the validation page's path."""
    rows = [person(f"GA{n:010d}", f"居民{n}", 性别=SCRIPT if n < 3 else "女",
                   与户主关系=IMAGE if n < 3 else "户主") for n in range(1, 11)]  # fmt: skip
    landing = hub.var_dir / "landing"
    write_csv(landing / "gongan" / catalog.POPULATION.file_name("20261201"), POP_HEADER, rows,
              encoding="gb18030")  # fmt: skip
    docs_dir = hub.var_dir / "quality" / "docs"
    engine = make_engine(hub.database_url)
    try:
        (checked,) = ingest_dataset(session_factory(engine), landing, catalog.POPULATION,
                                    docs_dir=docs_dir)  # fmt: skip
        with Session(engine):
            assert checked.quality is not None and not checked.quality.success
        from hub.pipeline import refresh_data_docs

        refresh_data_docs(session_factory(engine), docs_dir)
        report: QualityReport = checked.quality
    finally:
        engine.dispose()
    return validation_page(report, docs_dir)


@pytest.fixture
def page(fresh_hub: LiveHub) -> tuple[LiveHub, str]:
    built = deliver(fresh_hub)
    relative = built.relative_to(fresh_hub.var_dir / "quality" / "docs").as_posix()
    return fresh_hub, relative


def test_delivered_markup_is_text_and_only_the_sites_scripts_run(
    page: tuple[LiveHub, str],
) -> None:
    hub, relative = page
    url = f"http://127.0.0.1:{hub.port}/quality/docs/{relative}"
    response = httpx.get(url, headers=headers(hub.tokens["steward"]), timeout=60)
    assert response.status_code == 200
    text = response.text
    assert SCRIPT not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=" in text
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    sources = directives["script-src"].split()
    assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
    assert not [s for s in sources if s.startswith(("http", "*", "data:"))]
    scripts, handlers = page_hashes(text)
    assert scripts and scripts <= set(sources)  # GX's own inline scripts run
    assert handlers <= set(sources)
    assert directives["frame-ancestors"] == "'none'" and directives["connect-src"] == "'self'"
    assert "http" not in directives["img-src"]
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers[name] == value
    # An inline script that is not GX's (what an unescaped value would have become) would not
    # run: its hash is not in the policy.
    injected = page_hashes(f"<p>{SCRIPT}</p>")[0]
    assert not injected & set(sources)


@pytest.mark.parametrize("path", ["/graphql", "/quality/docs/", "/quality/docs/missing.html"])
def test_every_response_carries_the_headers(hub: LiveHub, path: str) -> None:
    url = f"http://127.0.0.1:{hub.port}{path}"
    answers = [
        httpx.post(url, json={"query": "{ __typename }"}, timeout=60),  # 401 / 405
        httpx.post(
            url,
            json={"query": "{ __typename }"},
            timeout=60,
            headers=headers(hub.tokens["steward"]),
        ),
        httpx.get(url, headers=headers(hub.tokens["steward"]), timeout=60),
    ]
    for response in answers:
        for name, value in EXPECTED_HEADERS.items():
            assert response.headers.get(name) == value, (path, response.status_code)
        policy = response.headers.get("content-security-policy", "")
        assert re.search(r"frame-ancestors 'none'", policy), (path, response.status_code)
