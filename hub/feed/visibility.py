"""What one reader may see of one change event: the same grants and masks as the ``Person``
and ``House`` fields, and the same grid scope.

Rules, in order (deny by default):

1. **Grid scope.** An event is shown when the entity's grid after the change, or the grid it
   left by the change, lies in the reader's scope: a grid worker sees a resident move out of
   their grid, then no more of them.
2. **Fields.** Each changed field is shown only when the reader may read the ``Person`` field
   it is (``phone`` needs ``Person.phone``); resident IDs and phones come masked where the
   grant is masked; tags are cut to the tags the reader's role may see (a health-derived tag
   never reaches a role without health data). A field without a rule here (a column added
   later) is left out until someone decides who may see it.
3. **Provenance.** A changed value's source record is named only to a reader who may read
   that dataset's kind of data (the record of a vaccination names a health record) or the
   lineage.
4. **Omission.** An ``updated`` event left with no change the reader may see is omitted: "this
   resident changed, but not in a way you may know" would itself say something. ``created``,
   ``ended`` and ``merged`` events are shown with what is left: that a resident exists, ended
   or was merged is what the resident list (``identity``) already shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from hub.api.access import DataCategory, Viewer
from hub.resolution.changes import ChangeKind
from hub.resolution.tags import Tag
from hub.sources import catalog
from hub.storage.models import ChangeEvent, EntityKind

#: A changed field's rule: the category and the GraphQL field it is read as; ``None``: the
#: field is as public as the entity itself (its status, the id it was merged into).
Rule = tuple[DataCategory, str] | None

_I, _R = DataCategory.IDENTITY, DataCategory.RESIDENCE
PERSON_FIELDS: Mapping[str, Rule] = MappingProxyType({
    "name": (_I, "Person.name"),
    "name_pinyin": (_I, "Person.namePinyin"),
    "sex": (_I, "Person.sex"),
    "birth_date": (_I, "Person.birthDate"),
    "birth_precision": (_I, "Person.birthPrecision"),
    "ethnicity": (_I, "Person.ethnicity"),
    "resident_id": (DataCategory.RESIDENT_ID, "Person.residentId"),
    "phone": (DataCategory.PHONE, "Person.phone"),
    "house_id": (_R, "Person.house"),
    "grid_code": (_R, "Person.grid"),
    "household_no": (_R, "Person.registration"),
    "relation_to_head": (_R, "Person.registration"),
    "registration_type": (_R, "Person.registration"),
    "lives_alone": (_R, "Person.livesAlone"),  # as the grid worker last reported it
    "tags": (DataCategory.TAGS, "Person.tags"),
    "status": None,
    "merged_into": None,
})  # fmt: skip
#: Houses are the county's standard addresses: every field the ``House`` type shows.
_HOUSE_COLUMNS = (
    "address_code", "building_code", "township", "village", "road", "number", "building",
    "unit", "room", "use", "grid_code", "status", "merged_into",
)  # fmt: skip
HOUSE_FIELDS: Mapping[str, Rule] = MappingProxyType(dict.fromkeys(_HOUSE_COLUMNS))
#: The kind of data a dataset's records are, to name one as a changed value's source.
DATASET_READS: Mapping[str, tuple[DataCategory, str | None]] = MappingProxyType({
    catalog.POPULATION.key: (_I, None),
    catalog.ADDRESSES.key: (_R, None),
    catalog.ASSISTANCE.key: (DataCategory.BENEFITS, "Person.benefits"),
    catalog.VACCINATIONS.key: (DataCategory.HEALTH, "Person.vaccinations"),
    catalog.HEALTH_GROUPS.key: (DataCategory.HEALTH, "Person.healthGroups"),
    catalog.PARTY_MEMBERS.key: (DataCategory.PARTY, "Person.partyMembership"),
    catalog.DOOR_PLATES.key: (_R, None),
    catalog.REPORTS.key: (DataCategory.REPORTS, "Person.citizenReports"),
    catalog.GRIDS.key: (_R, None),
    # Grid workers' own entries through the API (issue 8): what they saw of the resident.
    catalog.ENTRIES_KEY: (_I, None),
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class ShownChange:
    """One changed field as a reader sees it."""

    field: str  # the model's column name, e.g. ``resident_id``
    old: Any
    new: Any
    provenance: Mapping[str, Any] | None
    coordinate: str | None  # the GraphQL field read (for the audit trail), if gated


@dataclass(frozen=True, slots=True)
class ShownEvent:
    """One event as a reader sees it."""

    row: ChangeEvent
    changes: tuple[ShownChange, ...]

    @property
    def person_id(self) -> str | None:
        """The resident the event is about, if it is about one (for the audit trail)."""
        return self.row.entity_id if self.row.entity_kind == EntityKind.PERSON else None


def in_scope(viewer: Viewer, row: ChangeEvent) -> bool:
    """Rule 1: the entity's grid after the change, or the one it left, is in scope."""
    return viewer.sees(row.grid_code) or (row.grid_before is not None
                                          and viewer.sees(row.grid_before))  # fmt: skip


def show(viewer: Viewer, row: ChangeEvent) -> ShownEvent | None:
    """``row`` as ``viewer`` may see it, or ``None`` when it is not theirs to see."""
    if not in_scope(viewer, row):
        return None
    person = row.entity_kind == EntityKind.PERSON
    rules = PERSON_FIELDS if person else HOUSE_FIELDS
    provenance: Mapping[str, Any] = row.provenance or {}
    shown: list[ShownChange] = []
    for name, values in sorted((row.changes or {}).items()):
        if name not in rules:
            continue  # rule 2: no rule, no reader
        change = _field(viewer, rules[name], name, values)
        if change is not None:
            source = provenance.get(name)
            named = source if source is not None and _names(viewer, source) else None
            shown.append(ShownChange(name, change[0], change[1], named, change[2]))
    if not shown and row.kind == ChangeKind.UPDATED:
        return None  # rule 4
    return ShownEvent(row, tuple(shown))


def _field(
    viewer: Viewer, rule: Rule, name: str, values: Mapping[str, Any]
) -> tuple[Any, Any, str | None] | None:
    old, new = values.get("old"), values.get("new")
    if rule is None:
        return old, new, None
    category, coordinate = rule
    if not viewer.reads(category, coordinate):
        return None
    if category is DataCategory.TAGS:
        old, new = _tags(viewer, old), _tags(viewer, new)
        if old == new:
            return None  # only tags the reader may not see changed
    elif category.maskable:
        old = None if old is None else viewer.show(category, str(old), coordinate)
        new = None if new is None else viewer.show(category, str(new), coordinate)
    return old, new, coordinate


def _tags(viewer: Viewer, values: Any) -> list[str]:
    """Stored tag values -> the names of the ones ``viewer`` may see."""
    if not isinstance(values, list):
        return []
    return sorted(Tag(v).name for v in values if v in Tag._value2member_map_
                  and Tag(v) in viewer.tags)  # fmt: skip


def _names(viewer: Viewer, source: Mapping[str, Any]) -> bool:
    """Rule 3: whether ``viewer`` may know that this record of that dataset exists."""
    if viewer.reads(DataCategory.LINEAGE):
        return True
    reads = DATASET_READS.get(str(source.get("dataset")))
    return reads is not None and viewer.reads(*reads)
