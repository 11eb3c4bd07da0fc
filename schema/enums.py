"""GraphQL enums, derived from the model's enums (never declared twice).

``strawberry.enum`` marks the model's own class, so resolvers return the model's members and
type checkers see one class.
"""

from __future__ import annotations

import inspect

import strawberry

from hub.reports.status import Handler, ReportStatus
from hub.resolution.changes import ChangeKind
from hub.resolution.decisions import DecisionKind
from hub.resolution.tags import Tag
from hub.sources.problems import Reason
from hub.storage.models import DeliveryStatus, EntityKind, EntityStatus, GridLevel

strawberry.enum(
    EntityStatus,
    description="Whether a person or house is active, ended (kept, not deleted) or merged.",
)
strawberry.enum(GridLevel, description=inspect.getdoc(GridLevel))
strawberry.enum(DeliveryStatus, description="What the hub did with a delivered file.")
strawberry.enum(Reason, name="QuarantineReason", description=inspect.getdoc(Reason))
strawberry.enum(Tag, description="Derived tags, computed once per publication.")
strawberry.enum(EntityKind, description="What a change-feed event is about.")
strawberry.enum(ChangeKind, description=inspect.getdoc(ChangeKind))
strawberry.enum(DecisionKind, description=inspect.getdoc(DecisionKind))
strawberry.enum(ReportStatus, description=inspect.getdoc(ReportStatus))
strawberry.enum(Handler, name="ReportHandler", description=inspect.getdoc(Handler))

__all__ = [
    "ChangeKind",
    "DecisionKind",
    "DeliveryStatus",
    "EntityKind",
    "EntityStatus",
    "GridLevel",
    "Handler",
    "Reason",
    "ReportStatus",
    "Tag",
]
