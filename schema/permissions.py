"""Field permissions: a gated field asks the request's viewer before it resolves, a mutation
asks whether the viewer may write it, and every answer, yes or no, goes into the request's
read log for the audit trail."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry import Info
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types.field import StrawberryField

from hub.api.access import DataCategory
from hub.api.limits import Quota
from hub.storage.models import House, Person
from schema.errors import Forbidden

OUTSIDE_SCOPE = "Outside your grid scope."


class Reads(BasePermission):
    """Granted when the viewer reads ``category`` (or this very field, where the policy has a
    rule for it) and, for a person or house, sees its grid."""

    error_class = Forbidden

    def __init__(self, category: DataCategory) -> None:
        self.category = category
        self.message = f"Not granted: {category} data."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        context = info.context
        viewer = context.viewer
        coordinate = f"{info._raw_info.parent_type.name}.{info.field_name}"
        row = getattr(source, "row", None)
        person_id = row.id if isinstance(row, Person) else None
        if not viewer.reads(self.category, coordinate):
            context.reads.record(coordinate, person_id, allowed=False)
            return False
        # Backstop behind the scope filters of queries: nested rows outside the scope.
        if isinstance(row, Person | House) and not viewer.sees(row.grid_code):
            context.reads.record(coordinate, person_id, allowed=False)
            raise Forbidden(OUTSIDE_SCOPE)
        if self.category.personal:
            context.reads.record(coordinate, person_id, allowed=True)
        return True

    def on_unauthorized(self) -> None:
        raise Forbidden(self.message or "Forbidden.")


class Writes(BasePermission):
    """Granted when the policy gives the viewer's role this mutation (``writes``); whether
    the rows it touches lie in the viewer's grid is the mutation's own check (it knows them).
    Every attempt, granted or not, goes into the read log, so the audit trail has it."""

    error_class = Forbidden
    message = "Not granted: this write."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        coordinate = f"{info._raw_info.parent_type.name}.{info.field_name}"
        allowed = info.context.viewer.may_write(coordinate)
        info.context.reads.record(coordinate, None, allowed=allowed)
        if allowed:
            info.context.charge(Quota.WRITE)  # RATE_LIMITED (HTTP 429) over the token's rate
        info.context.wrote |= allowed  # its commit rings the subscriptions' bell
        return bool(allowed)

    def on_unauthorized(self) -> None:
        raise Forbidden(self.message or "Forbidden.")


def check_write(info: Info, grid_code: str | None) -> None:
    """Refuse (``FORBIDDEN``) the running mutation on something in ``grid_code`` outside
    where the viewer's grant lets it write (``county``, or the token's ``grid``)."""
    coordinate = f"{info._raw_info.parent_type.name}.{info.field_name}"
    if not info.context.viewer.writes_at(coordinate, grid_code):
        info.context.reads.record(coordinate, None, allowed=False)
        raise Forbidden(OUTSIDE_SCOPE)


def write_fields(schema: strawberry.Schema) -> set[str]:
    """Every mutation behind a :class:`Writes` permission, as ``"Mutation.field"``: the names
    the policy's ``writes`` may grant."""
    found: set[str] = set()
    mutation = schema._schema.mutation_type
    for name, graphql_field in (mutation.fields if mutation is not None else {}).items():
        definition = (graphql_field.extensions or {}).get("strawberry-definition")
        if isinstance(definition, StrawberryField) and any(
            isinstance(permission, Writes)
            for extension in definition.extensions
            if isinstance(extension, PermissionExtension)
            for permission in extension.permissions
        ):
            found.add(f"{mutation.name}.{name}")  # type: ignore[union-attr]
    return found


def gated_fields(schema: strawberry.Schema) -> dict[str, DataCategory]:
    """Every field behind a :class:`Reads` permission, as ``"Type.field" -> category``.

    The policy's field rules are checked against it, the purpose rule reads it, and the
    access tests derive their matrix from it.
    """
    gated: dict[str, DataCategory] = {}
    for type_ in schema._schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, graphql_field in type_.fields.items():
            definition = (graphql_field.extensions or {}).get("strawberry-definition")
            if not isinstance(definition, StrawberryField):
                continue
            for extension in definition.extensions:
                if isinstance(extension, PermissionExtension):
                    for permission in extension.permissions:
                        if isinstance(permission, Reads):
                            gated[f"{type_.name}.{name}"] = permission.category
    return gated
