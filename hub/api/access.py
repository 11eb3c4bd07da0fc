"""Who is asking and what they may read: the viewer that tokens, the policy file and the
audit trail plug into.

Data is grouped in categories (:class:`DataCategory`). A :class:`Viewer` holds a
:class:`Grant` per category (anything not granted is denied), optional grants per field where
a category is too coarse (``"Person.healthGroups"``), the tags it may see, filter on and count,
and an optional grid scope, a grid code prefix that limits which residents and houses it sees.
The GraphQL schema asks the viewer before it resolves a gated field, and before it runs a
mutation (:meth:`Viewer.may_write`, by mutation name and :class:`WriteScope`); it never decides
access itself. Viewers are built from the policy file (:mod:`hub.api.policy`) for the role of a
request's token (:mod:`hub.api.tokens`).

A request's viewer comes from a :data:`ViewerForRequest` callable given to
:func:`hub.api.app.create_app`; ``None`` means "no valid credentials" (HTTP 401).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sqlalchemy.orm import Session
from starlette.requests import Request

from hub.normalise import mask_phone, mask_resident_id
from hub.resolution.tags import Tag


class DataCategory(enum.StrEnum):
    """Categories of data a grant names (PIPL: health data is sensitive)."""

    IDENTITY = "identity"  # the resident list itself; name, sex, birth date, age, ethnicity
    RESIDENT_ID = "resident_id"  # maskable
    PHONE = "phone"  # maskable
    RESIDENCE = "residence"  # house, household, registration, the grid someone lives in
    TAGS = "tags"  # derived tags: which ones, the viewer's tag list says
    BENEFITS = "benefits"
    HEALTH = "health"  # vaccinations, key health groups
    PARTY = "party"
    REPORTS = "reports"  # citizen reports a person filed
    LINEAGE = "lineage"  # source records, provenance, quarantined raw rows: values verbatim
    AUDIT = "audit"  # who read which resident's data, when and why
    QUALITY = "quality"  # deliveries, quality runs, quarantine metadata (no personal data)

    @property
    def personal(self) -> bool:
        """Whether reading this category reads personal data (and so needs a purpose)."""
        return self is not DataCategory.QUALITY

    @property
    def maskable(self) -> bool:
        """Whether values of this category can be shown masked."""
        return self in (DataCategory.RESIDENT_ID, DataCategory.PHONE)


class Grant(enum.StrEnum):
    """How much of one category (or field) a viewer sees."""

    DENY = "deny"
    MASKED = "masked"  # only for categories with a mask (resident ID, phone)
    FULL = "full"


_MASKS: Mapping[DataCategory, Callable[[str], str]] = MappingProxyType(
    {DataCategory.RESIDENT_ID: mask_resident_id, DataCategory.PHONE: mask_phone}
)

#: Tags derived from sensitive health data, and the field each is derived from: a viewer
#: granted such a tag must be able to read that field (PIPL art. 28). Other tags are coarse
#: facts the policy grants by name (health may know who is low-income, not the amounts).
HEALTH_TAG_SOURCES: Mapping[Tag, str] = MappingProxyType(
    {Tag.UNVACCINATED: "Person.vaccinations", Tag.KEY_HEALTH_GROUP: "Person.healthGroups"}
)

#: Lineage shows delivered rows verbatim, which carry every kind of personal data.
_LINEAGE_NEEDS = tuple(
    c for c in DataCategory if c.personal and c not in (DataCategory.LINEAGE, DataCategory.AUDIT)
)


class WriteScope(enum.StrEnum):
    """Where a role may use a write (a mutation) the policy grants it."""

    GRID = "grid"  # only on residents and houses of the token's grid subtree
    COUNTY = "county"  # anywhere


class AccessPolicyError(ValueError):
    """A viewer whose grants contradict each other (a policy file must not build one)."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The reader of one request: a role, an optional grid scope, grants per category and
    per field, and the tags it may see."""

    role: str
    grid_scope: str | None = None  # grid code prefix; None sees the whole county
    grants: Mapping[DataCategory, Grant] = field(default_factory=dict)
    fields: Mapping[str, Grant] = field(default_factory=dict)  # "Type.field" -> grant
    tags: frozenset[Tag] = frozenset()
    actor: str = ""  # who: the token's name, written to the audit trail
    writes: Mapping[str, WriteScope] = field(default_factory=dict)  # "Mutation.x" -> scope

    def __post_init__(self) -> None:
        for category, grant in self.grants.items():
            if grant is Grant.MASKED and not category.maskable:
                raise AccessPolicyError(f"{category} has no mask: grant it in full or deny it")
        if self.reads(DataCategory.LINEAGE):
            partial = [c for c in _LINEAGE_NEEDS if self.grant(c) is not Grant.FULL]
            if partial or any(g is not Grant.FULL for g in self.fields.values()):
                raise AccessPolicyError(
                    "lineage shows delivered rows verbatim: it needs every personal category "
                    f"in full and no narrower field rule (not full: {', '.join(partial) or '-'})"
                )
        if self.tags and not self.reads(DataCategory.TAGS):
            raise AccessPolicyError("tags are listed but the tags category is denied")
        if self.reads(DataCategory.TAGS) and not self.tags:
            raise AccessPolicyError("the tags category is granted but no tag is listed")
        for tag in sorted(self.tags):
            source = HEALTH_TAG_SOURCES.get(tag)
            if source is not None and not self.reads(DataCategory.HEALTH, source):
                raise AccessPolicyError(f"tag {tag.name} is derived from {source}, not granted")

    def grant(self, category: DataCategory, field: str | None = None) -> Grant:
        """The grant for ``field`` (of ``category``); anything not granted is denied."""
        if field is not None:
            found = self.fields.get(field)
            if found is not None:
                return found
        return self.grants.get(category, Grant.DENY)

    def reads(self, category: DataCategory, field: str | None = None) -> bool:
        """Whether the viewer may read ``category`` (or its ``field``) at all."""
        return self.grant(category, field) is not Grant.DENY

    def masks(self, category: DataCategory, field: str | None = None) -> bool:
        """Whether values of ``category`` (or its ``field``) are shown masked."""
        return self.grant(category, field) is Grant.MASKED

    def sees(self, grid_code: str | None) -> bool:
        """Whether a resident or house in ``grid_code`` lies inside the viewer's grid scope."""
        if self.grid_scope is None:
            return True
        return grid_code is not None and grid_code.startswith(self.grid_scope)

    def counts(self, grid_code: str) -> bool:
        """Whether roll-ups of the grid ``grid_code`` stay inside the viewer's grid scope."""
        return self.grid_scope is None or grid_code.startswith(self.grid_scope)

    def may_write(self, mutation: str) -> bool:
        """Whether the viewer may run ``mutation`` (``"Mutation.registerResident"``) at all,
        somewhere: granted, and a grid grant only with a token that names a grid."""
        scope = self.writes.get(mutation)
        return scope is WriteScope.COUNTY or (scope is WriteScope.GRID and bool(self.grid_scope))

    def writes_at(self, mutation: str, grid_code: str | None) -> bool:
        """Whether the viewer may run ``mutation`` on something in ``grid_code``: granted, and
        inside the grid scope when the grant is the token's grid (nothing without a grid)."""
        scope = self.writes.get(mutation)
        if scope is WriteScope.COUNTY:
            return self.sees(grid_code)
        return scope is WriteScope.GRID and bool(self.grid_scope) and self.sees(grid_code)

    def show(
        self, category: DataCategory, value: str | None, field: str | None = None
    ) -> str | None:
        """``value`` as the viewer may see it: masked when the grant says so.

        Callers check :meth:`reads` first; a denied category raises here as a last guard.
        """
        if not self.reads(category, field):
            raise PermissionError(f"{self.role} may not read {field or category}")
        if value is None or not self.masks(category, field):
            return value
        return _MASKS[category](value)


#: Builds the viewer of one request, or ``None`` when the request carries no valid
#: credentials (the app answers 401). Runs in a worker thread with the request's session (a
#: token lookup needs it); it may end its transaction and begin another to write (a token's
#: last use), and the caller commits what it leaves.
ViewerForRequest = Callable[[Request, Session], Viewer | None]

DEVELOPER = "developer"


class _EveryWrite(Mapping[str, WriteScope]):
    """Every write, anywhere: the full-access viewer's (development and tests)."""

    def __getitem__(self, key: str) -> WriteScope:
        return WriteScope.COUNTY

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def full_access(role: str = DEVELOPER, grid_scope: str | None = None) -> Viewer:
    """A viewer granted every category, every tag and every write in full."""
    return Viewer(
        role, grid_scope, {category: Grant.FULL for category in DataCategory},
        tags=frozenset(Tag), writes=_EveryWrite(),
    )  # fmt: skip


def no_access(role: str = "anonymous") -> Viewer:
    """A viewer that reads no personal data (aggregates and reference data only)."""
    return Viewer(role)


def development_viewer(request: Request, session: Session) -> Viewer:
    """Full access; :func:`hub.api.app.create_app` accepts it in development mode only."""
    return full_access()
