"""The truth files: which records are the same person or house, which rows and fields are bad.

Written to the truth folder (never the landing folder), UTF-8, ``\\n`` line endings:

    persons.csv       dataset,record_id,person_key
    houses.csv        dataset,record_id,house_key,building_key
    bad_rows.csv      dataset,file,line,record_id,reason
    field_issues.csv  dataset,record_id,field,code

They cover every snapshot written so far: a next snapshot loads them and adds its own rows.
A record id always belongs to the same person, so persons.csv is a union; houses.csv keeps a
record's house in the newest snapshot that has the record (people move); bad_rows.csv names
its file (the file name, without the source folder: names are unique across sources);
field_issues.csv is the union of all snapshots' damaged fields.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from hub.generate.options import FileStats
from hub.sources.problems import Reason

PERSONS = "persons.csv"
HOUSES = "houses.csv"
BAD_ROWS = "bad_rows.csv"
FIELD_ISSUES = "field_issues.csv"
HEADERS = {
    PERSONS: ("dataset", "record_id", "person_key"),
    HOUSES: ("dataset", "record_id", "house_key", "building_key"),
    BAD_ROWS: ("dataset", "file", "line", "record_id", "reason"),
    FIELD_ISSUES: ("dataset", "record_id", "field", "code"),
}


@dataclass(slots=True)
class Truth:
    """All four truth tables, keyed so a snapshot can be added to earlier ones."""

    persons: dict[tuple[str, str], str] = field(default_factory=dict)
    houses: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    bad_rows: list[tuple[str, str, int, str, str]] = field(default_factory=list)
    issues: dict[tuple[str, str, str, str], None] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> Truth:
        """The truth written so far (empty tables for files that do not exist)."""
        truth = cls()
        for row in _read(folder / PERSONS):
            truth.persons[(row[0], row[1])] = row[2]
        for row in _read(folder / HOUSES):
            truth.houses[(row[0], row[1])] = (row[2], row[3])
        for row in _read(folder / BAD_ROWS):
            truth.bad_rows.append((row[0], row[1], int(row[2]), row[3], row[4]))
        for row in _read(folder / FIELD_ISSUES):
            truth.issues[(row[0], row[1], row[2], row[3])] = None
        return truth

    def add_person(self, dataset: str, record_id: str, person_key: str) -> None:
        """A record about a person (the same record id always names the same person)."""
        self.persons[(dataset, record_id)] = person_key

    def add_house(self, dataset: str, record_id: str, house_key: str, building_key: str) -> None:
        """A record about a house or building; a later snapshot's house replaces it."""
        self.houses[(dataset, record_id)] = (house_key, building_key)

    def add_bad_row(
        self, dataset: str, file: str, line: int, record_id: str, reason: Reason
    ) -> None:
        """A row a loader must quarantine, where it is and why."""
        self.bad_rows.append((dataset, file, line, record_id, reason.value))

    def add_issue(self, dataset: str, record_id: str, column: str, code: str) -> None:
        """A field damaged on purpose (a FieldCode value)."""
        self.issues[(dataset, record_id, column, code)] = None

    def forget_file(self, file: str) -> None:
        """Drop the bad rows of a file about to be written again."""
        self.bad_rows = [row for row in self.bad_rows if row[1] != file]

    def write(self, folder: Path) -> list[FileStats]:
        """Write the four files; returns their stats."""
        folder.mkdir(parents=True, exist_ok=True)
        tables: dict[str, list[tuple[object, ...]]] = {
            PERSONS: [(*k, v) for k, v in self.persons.items()],
            HOUSES: [(*k, *v) for k, v in self.houses.items()],
            BAD_ROWS: list(self.bad_rows),
            FIELD_ISSUES: list(self.issues),
        }
        stats = []
        for name, rows in tables.items():
            path = folder / name
            with path.open("w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f, lineterminator="\n")
                writer.writerow(HEADERS[name])
                writer.writerows(rows)
            stats.append(FileStats(name, "truth", len(rows), 0, path.stat().st_size))
        return stats


def _read(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[1:]
