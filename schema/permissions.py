"""Field permissions: a personal field asks the request's viewer before it resolves."""

from __future__ import annotations

from typing import Any

from strawberry import Info
from strawberry.permission import BasePermission

from hub.api.access import DataCategory
from hub.storage.models import House, Person
from schema.errors import Forbidden


class Reads(BasePermission):
    """Granted when the viewer reads ``category`` and, for a person or house, sees its grid."""

    error_class = Forbidden

    def __init__(self, category: DataCategory) -> None:
        self.category = category
        self.message = f"Not granted: {category} data."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer = info.context.viewer
        if not viewer.reads(self.category):
            return False
        # Backstop behind the scope filters of queries: nested residents outside the scope.
        row = getattr(source, "row", None)
        return not isinstance(row, Person | House) or viewer.sees(row.grid_code)

    def on_unauthorized(self) -> None:
        raise Forbidden(self.message or "Forbidden.")
