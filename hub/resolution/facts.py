"""Department facts read from the current source records' normalised fields.

Values are pulled out with the database's own JSON functions (one query per dataset), so the
county's ~900k vaccination records never pass through ``json.loads`` in Python.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.sources import catalog
from hub.storage.bulk import chunks
from hub.storage.frames import read_frame
from hub.storage.models import SourceRecord

# dataset -> {column: (field name in ``fields``, kind)}: what golden records and tags read of a
# dataset's records (the fact tables themselves are written by the database:
# :mod:`hub.resolution.fact_tables`).
FACT_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    catalog.POPULATION.key: {
        "ethnicity": ("ethnicity", "str"),
        "relation_to_head": ("relation", "str"),
        "registration_type": ("registration_type", "str"),
        "cancelled": ("cancelled", "bool"),
    },
    catalog.ASSISTANCE.key: {
        "category": ("category", "str"),
        "monthly_amount": ("monthly_amount", "str"),
        "covered_count": ("covered_count", "int"),
        "start_date": ("start_date", "str"),
        "township": ("township", "str"),
        "note": ("note", "str"),
    },
    catalog.ENTRIES_KEY: {
        "lives_alone": ("lives_alone", "bool"),
        "event": ("event", "str"),  # died, moved_away: the person is no longer a resident
        "target": ("person_id", "str"),  # the person the worker edited (not for a register)
        "author": ("author", "str"),
        "recorded_at": ("recorded_at", "str"),
    },
}


def load_facts(
    session: Session, dataset: str, record_ids: Collection[str] | None = None
) -> pd.DataFrame:
    """uid, record_id, valid_from and the dataset's fact columns, for current records (only
    those of ``record_ids``, when given), in record id order."""
    spec: Mapping[str, tuple[str, str]] = FACT_FIELDS[dataset]
    columns = []
    for name, (key, kind) in spec.items():
        element = SourceRecord.fields[key]
        expr = {"str": element.as_string(), "int": element.as_integer(),
                "bool": element.as_boolean()}[kind]  # fmt: skip
        columns.append(expr.label(name))
    stmt = select(SourceRecord.record_id, SourceRecord.valid_from, *columns).where(
        SourceRecord.dataset == dataset, SourceRecord.valid_to.is_(None)
    )
    if record_ids is None:
        frame = read_frame(session, stmt.order_by(SourceRecord.record_id), dates=["valid_from"])
    else:
        wanted = sorted(set(record_ids))
        parts = [
            read_frame(session, stmt.where(SourceRecord.record_id.in_(batch)),
                       dates=["valid_from"])
            for batch in chunks(wanted, 2000)
        ]  # fmt: skip
        frame = (
            pd.concat(parts, ignore_index=True)
            if parts
            else read_frame(
                session, stmt.where(SourceRecord.record_id.in_([])), dates=["valid_from"]
            )
        )
        frame = frame.sort_values("record_id", ignore_index=True)
    for name, (_, kind) in spec.items():
        if kind == "bool":  # SQLite's JSON functions give 0/1
            frame[name] = frame[name].map(lambda v: None if v is None or pd.isna(v) else bool(v))
        elif kind == "int":  # whole numbers stay whole where some are missing
            frame[name] = frame[name].astype("Int64")
    frame.insert(0, "uid", dataset + ":" + frame["record_id"])
    return frame
