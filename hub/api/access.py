"""Who is asking and what they may read: the seam that tokens, the policy file and the audit
trail plug into.

Personal data is grouped in categories (:class:`DataCategory`). A :class:`Viewer` holds a
:class:`Grant` per category (anything not granted is denied) and an optional grid scope, a
grid code prefix that limits which residents it sees. The GraphQL schema asks the viewer before
it resolves a personal field; it never decides access itself.

A request's viewer comes from a :data:`ViewerForRequest` callable given to
:func:`hub.api.app.create_app`. Until tokens exist, the development app uses
:func:`development_viewer` (full access) and every other app :func:`anonymous_viewer`, which
reads no personal data at all.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sqlalchemy.orm import Session
from starlette.requests import Request

from hub.normalise import mask_phone, mask_resident_id


class DataCategory(enum.StrEnum):
    """Categories of personal data a grant names (PIPL: health data is sensitive)."""

    IDENTITY = "identity"  # name, sex, birth date, age, ethnicity
    RESIDENT_ID = "resident_id"  # maskable
    PHONE = "phone"  # maskable
    RESIDENCE = "residence"  # house, household, registration, the grid someone lives in
    TAGS = "tags"  # derived tags (health-derived ones also need HEALTH)
    BENEFITS = "benefits"
    HEALTH = "health"  # vaccinations, key health groups
    PARTY = "party"
    REPORTS = "reports"  # citizen reports a person filed
    LINEAGE = "lineage"  # source records, provenance, quarantined raw rows: values verbatim


class Grant(enum.StrEnum):
    """How much of one category a viewer sees."""

    DENY = "deny"
    MASKED = "masked"  # only for categories with a mask (resident ID, phone)
    FULL = "full"


_MASKS: Mapping[DataCategory, Callable[[str], str]] = MappingProxyType(
    {DataCategory.RESIDENT_ID: mask_resident_id, DataCategory.PHONE: mask_phone}
)


class AccessPolicyError(ValueError):
    """A viewer whose grants contradict each other (a policy file must not build one)."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The reader of one request: a role, an optional grid scope and grants per category."""

    role: str
    grid_scope: str | None = None  # grid code prefix; None sees the whole county
    grants: Mapping[DataCategory, Grant] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for category, grant in self.grants.items():
            if grant is Grant.MASKED and category not in _MASKS:
                raise AccessPolicyError(f"{category} has no mask: grant it in full or deny it")
        # Lineage shows delivered values verbatim, so it would unmask what a mask hides.
        if self.reads(DataCategory.LINEAGE) and any(self.masks(c) for c in _MASKS):
            raise AccessPolicyError("lineage needs full resident IDs and phones")

    def grant(self, category: DataCategory) -> Grant:
        """The grant for ``category``; anything not granted is denied."""
        return self.grants.get(category, Grant.DENY)

    def reads(self, category: DataCategory) -> bool:
        """Whether the viewer may read ``category`` at all (masked or in full)."""
        return self.grant(category) is not Grant.DENY

    def masks(self, category: DataCategory) -> bool:
        """Whether values of ``category`` are shown masked."""
        return self.grant(category) is Grant.MASKED

    def sees(self, grid_code: str | None) -> bool:
        """Whether a resident or house in ``grid_code`` lies inside the viewer's grid scope."""
        if self.grid_scope is None:
            return True
        return grid_code is not None and grid_code.startswith(self.grid_scope)

    def show(self, category: DataCategory, value: str | None) -> str | None:
        """``value`` as the viewer may see it: masked when the grant says so.

        Callers check :meth:`reads` first; a denied category raises here as a last guard.
        """
        if not self.reads(category):
            raise PermissionError(f"{self.role} may not read {category}")
        if value is None or not self.masks(category):
            return value
        return _MASKS[category](value)


#: Builds the viewer of one request. Runs in the request's database thread with the request's
#: session (a token lookup needs it); it must not commit.
ViewerForRequest = Callable[[Request, Session], Viewer]


def full_access(role: str = "developer", grid_scope: str | None = None) -> Viewer:
    """A viewer granted every category in full."""
    return Viewer(role, grid_scope, {category: Grant.FULL for category in DataCategory})


def no_access(role: str = "anonymous") -> Viewer:
    """A viewer that reads no personal data (aggregates and reference data only)."""
    return Viewer(role)


def development_viewer(request: Request, session: Session) -> Viewer:
    """Full access; :func:`hub.api.app.create_app` uses it only in development mode."""
    return full_access()


def anonymous_viewer(request: Request, session: Session) -> Viewer:
    """Deny by default: the viewer of every request until tokens are plugged in."""
    return no_access()
