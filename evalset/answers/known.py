"""What the checker knows: the truth folder (who is who, the residents' facts) and the hub's
links (which records it put in which published person)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from evalset.answers.client import AnswersError

Record = tuple[str, str]  # (dataset, record_id)


@dataclass(frozen=True, slots=True)
class Resident:
    key: str
    name: str
    status: str
    active: bool
    township: str
    grid: str
    elderly: bool
    living_alone: bool
    low_income: bool
    vaccinated: bool
    household: str = ""


@dataclass(slots=True)
class Truth:
    snapshot: date
    residents: dict[str, Resident]
    person_of: dict[Record, str]
    records_of: dict[str, list[Record]] = field(default_factory=dict)
    households: dict[str, list[Resident]] = field(default_factory=dict)  # active members

    def others_at_home(self, key: str) -> list[Resident]:
        """The other active members of the person's household (the register)."""
        resident = self.residents[key]
        return [r for r in self.households.get(resident.household, []) if r.key != key]

    @classmethod
    def read(cls, folder: Path) -> Truth:
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            snapshot = date.fromisoformat(meta["snapshot_date"])
            residents = {}
            with (folder / "residents.csv").open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    residents[row["person_key"]] = Resident(
                        key=row["person_key"],
                        name=row["name"],
                        status=row["status"],
                        active=row["active"] == "1",
                        township=row["township"],
                        grid=row["grid_code"],
                        elderly=row["elderly"] == "1",
                        living_alone=row["living_alone"] == "1",
                        low_income=row["low_income"] == "1",
                        vaccinated=row["vaccinated"] == "1",
                        household=row["household"],
                    )
            person_of: dict[Record, str] = {}
            with (folder / "persons.csv").open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    person_of[(row["dataset"], row["record_id"])] = row["person_key"]
        except (OSError, KeyError, ValueError) as exc:
            raise AnswersError(
                f"{folder}: not a truth folder of evalset generate ({exc})"
            ) from None
        truth = cls(snapshot=snapshot, residents=residents, person_of=person_of)
        for record, key in person_of.items():
            truth.records_of.setdefault(key, []).append(record)
        for resident in residents.values():
            if resident.active and resident.household:
                truth.households.setdefault(resident.household, []).append(resident)
        return truth


@dataclass(slots=True)
class Links:
    """The hub's person links, and each published person's real identity: the truth person of
    the majority of its records (ties: the smallest key), or None when none of its records is
    in the truth."""

    entity_of: dict[Record, str]
    records_of: dict[str, list[Record]] = field(default_factory=dict)
    person: dict[str, str | None] = field(default_factory=dict)
    by_person: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path, truth: Truth) -> Links:
        entity_of: dict[Record, str] = {}
        try:
            with path.open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    entity_of[(row["source"], row["record_id"])] = row["entity_id"]
        except (OSError, KeyError) as exc:
            raise AnswersError(f"{path}: not a `hub export links` file ({exc})") from None
        links = cls(entity_of=entity_of)
        for record, entity in entity_of.items():
            links.records_of.setdefault(entity, []).append(record)
        for entity, records in links.records_of.items():
            votes = Counter(truth.person_of[r] for r in records if r in truth.person_of)
            if not votes:
                links.person[entity] = None
                continue
            top = max(votes.values())
            key = links.person[entity] = min(k for k, v in votes.items() if v == top)
            links.by_person.setdefault(key, []).append(entity)
        return links

    def entities_holding(self, truth: Truth, key: str) -> set[str]:
        """Published persons holding any record of the truth person ``key``."""
        return {self.entity_of[r] for r in truth.records_of.get(key, []) if r in self.entity_of}

    def main_entities(self, key: str) -> list[str]:
        """Published persons whose identity is ``key``, the one with most records first."""
        found = self.by_person.get(key, [])
        return sorted(found, key=lambda e: (-len(self.records_of[e]), e))
