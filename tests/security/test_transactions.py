"""Issue 16, item 4: a mutation whose audit entry fails stores nothing.

As the attack was made, against a real ``hub serve``: the audit table refuses inserts (as a
full disk would), and a grid worker takes down a citizen's report. The answer must be 503
``AUDIT_UNAVAILABLE`` and nothing of the report stored: on SQLite the savepoint the mutation
opened first used to become the outer transaction, and its RELEASE committed the report."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.api import audit
from hub.storage.models import AuditEntry, CitizenReport, ReportStep
from hub.storage.session import make_engine
from tests.api.conftest import refuse_audit_entries
from tests.security.live import LiveHub

REPORT = {
    "input": {
        "category": "市容秩序",
        "description": "占道堆放杂物",
        "address": "龙浔镇英山社区英山路8号",
    }
}


def counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (CitizenReport, ReportStep, AuditEntry)
        )


def test_a_write_whose_audit_entry_fails_is_not_stored(fresh_hub: LiveHub) -> None:
    engine = make_engine(fresh_hub.database_url)
    try:
        stored = fresh_hub.op("ReportEvent", REPORT, role="grid_worker")
        assert stored.status_code == 200, stored.text
        assert stored.json()["data"]["reportEvent"]["__typename"] == "CitizenReport"
        before = counts(engine)
        refuse_audit_entries(engine)
        refused = fresh_hub.op("ReportEvent", REPORT, role="grid_worker")
        assert refused.status_code == 503
        assert refused.json() == {"data": None, "errors": [{
            "message": "The read could not be written to the audit trail, so nothing is "
                       "returned.", "extensions": {"code": "AUDIT_UNAVAILABLE"}}]}  # fmt: skip
        assert counts(engine) == before  # no report, no step, no entry
        with Session(engine) as session:
            assert audit.verify(session).ok
        assert "disk full" not in refused.text
    finally:
        engine.dispose()
