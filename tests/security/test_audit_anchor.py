"""Issue 16, item 8: the audit chain against someone with write access to the database.

As the attacks were made: departments read through a real ``hub serve`` (keyed, writing its
head out of the database every second), then someone who can write the database but holds no
key (1) deletes the newest entries and puts back the head row as it was before them, and (2)
rewrites an entry and recomputes the whole chain and head. ``hub audit verify`` (with the key
and the anchor file, as an administrator runs it) must exit 1 for both: the first against the
anchor written after the cut entries, the second on the first entry's MAC.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from hub.api import audit
from hub.storage.models import AuditEntry, AuditHead
from hub.storage.session import make_engine
from tests.api.conftest import issue_tokens
from tests.api.test_audit import recompute, tamper
from tests.security.conftest import small_world
from tests.security.live import ROOT, LiveHub, live_hub

SUBJECT_GID = "UGVyc29uOlAwMDAwMDAx"


@pytest.fixture
def anchored_hub(backend: str, tmp_path: Path, request: pytest.FixtureRequest
                 ) -> Iterator[LiveHub]:  # fmt: skip
    url = small_world(backend, tmp_path, request)
    with live_hub(url, tmp_path / "var", tokens=issue_tokens(url),
                  env={"HUB_AUDIT_ANCHOR_SECONDS": "1"}) as server:  # fmt: skip
        yield server


def read(hub: LiveHub, times: int) -> None:
    for _ in range(times):
        answer = hub.op("PersonContact", {"id": SUBJECT_GID}, role="civil_affairs")
        assert answer.status_code == 200, answer.text


def anchors_file(hub: LiveHub) -> Path:
    return hub.var_dir / "audit" / "anchors.log"


def wait_for_anchor(hub: LiveHub, length: int) -> None:
    """Until the server has written a head of ``length`` entries out of the database (a hang
    guard of a minute, not a time budget: it writes every second)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(a.length >= length for a in audit.read_anchors(anchors_file(hub))):
            return
        time.sleep(0.2)
    raise AssertionError(f"no anchor of {length} entries: {hub.log_text()[-2000:]}")


def verify(hub: LiveHub) -> subprocess.CompletedProcess[str]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HUB_")},
           "HUB_DATABASE_URL": hub.database_url, "HUB_VAR_DIR": str(hub.var_dir),
           "HUB_AUDIT_KEY": hub.audit_key}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "hub.cli", "audit", "verify"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)  # fmt: skip


def head_row(engine: Engine) -> dict[str, Any]:
    with Session(engine) as session:
        head = session.get(AuditHead, audit.HEAD_ID)
        assert head is not None
        return {"length": head.length, "entry_id": head.entry_id,
                "entry_hash": head.entry_hash, "head_mac": head.head_mac}  # fmt: skip


def test_a_cut_with_the_head_put_back_is_found(anchored_hub: LiveHub) -> None:
    engine = make_engine(anchored_hub.database_url)
    try:
        read(anchored_hub, 3)
        saved = head_row(engine)  # the attacker keeps the head of this moment...
        read(anchored_hub, 2)
        wait_for_anchor(anchored_hub, 5)
        assert verify(anchored_hub).returncode == 0
        with Session(engine) as session:
            last_kept = session.scalar(
                select(AuditEntry.id).where(AuditEntry.entry_hash == saved["entry_hash"])
            )
        # ...and later deletes what came after it and puts that head back.
        tamper(engine, f"delete from audit_person where entry_id > {last_kept}",
               f"delete from audit_entry where id > {last_kept}",
               "update audit_head set length = {length}, entry_id = {entry_id}, "
               "entry_hash = '{entry_hash}', head_mac = '{head_mac}'".format(**saved))  # fmt: skip
    finally:
        engine.dispose()
    found = verify(anchored_hub)
    assert found.returncode == 1, found.stdout
    assert "BROKEN" in found.stderr and "anchor" in found.stderr and "deleted" in found.stderr


def test_a_recomputed_chain_is_found(anchored_hub: LiveHub) -> None:
    engine = make_engine(anchored_hub.database_url)
    try:
        read(anchored_hub, 3)
        assert verify(anchored_hub).returncode == 0
        recompute(engine, "someone else")  # every hash right again: only the MACs say no
        with engine.connect() as conn:
            assert conn.execute(text("select count(*) from audit_entry")).scalar_one() >= 3
    finally:
        engine.dispose()
    found = verify(anchored_hub)
    assert found.returncode == 1
    assert "BROKEN at entry" in found.stderr and "MAC" in found.stderr
