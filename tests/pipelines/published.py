"""Helpers for end-to-end tests: a landing folder to run on, and a fingerprint of what readers
see (golden persons, houses and tags, without timestamps)."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from pathlib import Path

from sqlalchemy import Table, select

from hub.storage.models import House, Person, PersonTag
from hub.storage.session import make_engine

TIMESTAMPS = {"created_at", "updated_at"}


def copy_landing(generated: Path, landing: Path) -> None:
    """The generated deliveries, copied so a test may add or break files."""
    shutil.copytree(generated, landing, dirs_exist_ok=True)


def published_hash(url: str) -> str:
    """SHA-256 of the person, house and tag tables' rows in key order, timestamps left out."""
    digest = hashlib.sha256()
    engine = make_engine(url)
    with engine.connect() as conn:
        for model in (Person, House, PersonTag):
            table: Table = model.__table__  # type: ignore[assignment]
            columns = [c for c in table.columns if c.name not in TIMESTAMPS]
            rows = conn.execute(select(*columns).order_by(*table.primary_key.columns)).all()
            digest.update(f"{table.name}:{rows!r}".encode())
    engine.dispose()
    return digest.hexdigest()


def write_population_with_invalid_ids(source: Path, target: Path) -> int:
    """A copy of a population file in which nine of ten resident IDs fail their check digit."""
    text = source.read_bytes().decode("gb18030")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    column = rows[0].index("公民身份号码")
    broken = 0
    for number, row in enumerate(rows[1:]):
        if len(row) > column and len(row[column]) == 18 and number % 10:
            last = row[column][-1]
            row[column] = row[column][:-1] + ("0" if last != "0" else "1")
            broken += 1
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    target.write_bytes(buffer.getvalue().encode("gb18030"))
    return broken


def write_population_with_blank_names(source: Path, target: Path) -> int:
    """A copy of a population file in which every third person's name is blank (the export
    the issue describes: a third of the names lost)."""
    text = source.read_bytes().decode("gb18030")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    column = rows[0].index("姓名")
    blanked = 0
    for number, row in enumerate(rows[1:], 1):
        if number % 3 == 0 and len(row) == len(rows[0]):
            row[column] = ""
            blanked += 1
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    target.write_bytes(buffer.getvalue().encode("gb18030"))
    return blanked
