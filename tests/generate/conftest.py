"""One generated landing folder (two monthly snapshots) shared by the generator's tests."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hub.generate import GenerateOptions, GenerateReport, generate
from hub.sources.catalog import BY_KEY, DATASETS
from tests.generate.reading import File, read, read_truth

RESIDENTS = 4000
SEED = 3
NOISE = 2.0  # dirtier than the default, so that every quirk shows up in a small world


@dataclass
class Generated:
    options: GenerateOptions
    reports: list[GenerateReport]
    _files: dict[tuple[str, int], File] = field(default_factory=dict)

    @property
    def landing(self) -> Path:
        return self.options.out

    @property
    def truth(self) -> Path:
        return self.options.truth

    def file(self, key: str, snapshot: int = 0) -> File:
        """A dataset's file of a snapshot, read back (cached)."""
        if (key, snapshot) not in self._files:
            report = self.reports[snapshot]
            path = next(f.path for f in report.files if f.dataset == key)
            self._files[(key, snapshot)] = read(BY_KEY[key], self.landing / path)
        return self._files[(key, snapshot)]

    def bad_lines(self, key: str, snapshot: int = 0) -> dict[int, dict[str, str]]:
        """Line -> truth row of the bad rows listed for a dataset's file."""
        name = self.file(key, snapshot).path.name
        return {
            int(row["line"]): row
            for row in read_truth(self.truth / "bad_rows.csv")
            if row["file"] == name
        }

    def good(self, key: str, snapshot: int = 0) -> list[dict[str, object]]:
        """The values of the rows not listed as bad."""
        bad = self.bad_lines(key, snapshot)
        rows = []
        for row in self.file(key, snapshot).rows:
            if row.line not in bad:
                assert row.values is not None, f"{key} line {row.line} unreadable, not listed"
                rows.append(row.values)
        return rows

    def persons(self) -> dict[tuple[str, str], str]:
        return {
            (r["dataset"], r["record_id"]): r["person_key"]
            for r in read_truth(self.truth / "persons.csv")
        }

    def keys_by_person(self) -> dict[str, list[tuple[str, str]]]:
        grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for record, person in self.persons().items():
            grouped[person].append(record)
        return grouped


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    root = tmp_path_factory.mktemp("generated")
    options = GenerateOptions(
        residents=RESIDENTS, seed=SEED, out=root / "landing", truth=root / "truth", noise=NOISE
    )
    first = generate(options)
    second = generate(dataclasses.replace(options, next_snapshot=True))
    return Generated(options, [first, second])


ALL_KEYS = [d.key for d in DATASETS]
