"""GraphQL enums, derived from the model's enums (never declared twice).

``strawberry.enum`` marks the model's own class, so resolvers return the model's members and
type checkers see one class.
"""

from __future__ import annotations

import inspect

import strawberry

from hub.resolution.tags import Tag
from hub.sources.problems import Reason
from hub.storage.models import DeliveryStatus, EntityStatus, GridLevel

strawberry.enum(
    EntityStatus,
    description="Whether a person or house is active, ended (kept, not deleted) or merged.",
)
strawberry.enum(GridLevel, description=inspect.getdoc(GridLevel))
strawberry.enum(DeliveryStatus, description="What the hub did with a delivered file.")
strawberry.enum(Reason, name="QuarantineReason", description=inspect.getdoc(Reason))
strawberry.enum(Tag, description="Derived tags, computed once per publication.")

__all__ = ["DeliveryStatus", "EntityStatus", "GridLevel", "Reason", "Tag"]
