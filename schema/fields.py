"""Strawberry decorators that take GraphQL descriptions from docstrings, and say in the
description which grant a personal field needs (so the SDL diff shows access changes)."""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

import strawberry
from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import PermissionExtension
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField

from hub.api.access import DataCategory
from schema.permissions import Reads, Writes

T = TypeVar("T", bound=type)
R = TypeVar("R")


@dataclass_transform(kw_only_default=True, field_specifiers=(strawberry.field, StrawberryField))
def object_type(cls: T) -> T:
    """``strawberry.type`` with the class docstring as the type's description."""
    return strawberry.type(cls, description=inspect.getdoc(cls))


@dataclass_transform(kw_only_default=True, field_specifiers=(strawberry.field, StrawberryField))
def input_type(cls: T) -> T:
    """``strawberry.input`` with the class docstring as the input's description."""
    return strawberry.input(cls, description=inspect.getdoc(cls))


def field(resolver: Callable[..., Any] | None = None, *, reads: DataCategory | None = None) -> Any:
    """A resolver field described by its docstring; ``reads`` gates it behind a grant.

    Usable bare (``@field``) or with arguments (``@field(reads=DataCategory.HEALTH)``).
    """

    def build(fn: Callable[..., Any]) -> Any:
        description = inspect.getdoc(fn) or ""
        extensions: list[Any] = []
        if reads is not None:
            description = f"{description} Requires the `{reads}` grant.".strip()
            extensions.append(PermissionExtension([Reads(reads)], use_directives=False))
        return strawberry.field(resolver=fn, description=description, extensions=extensions)

    return build if resolver is None else build(resolver)


def mutation(fn: Callable[..., Any]) -> Any:
    """A mutation described by its docstring, behind the policy's ``writes`` (deny by
    default: a role the policy does not grant it gets ``FORBIDDEN``)."""
    description = f"{inspect.getdoc(fn) or ''} Requires a write grant.".strip()
    extensions: list[FieldExtension] = [PermissionExtension([Writes()], use_directives=False)]
    return strawberry.mutation(resolver=fn, description=description, extensions=extensions)


def from_row(cls: Callable[..., R], source: object, /, **values: Any) -> R:
    """An instance of a Strawberry type whose plain fields are copied from ``source``.

    Only the fields the GraphQL type declares are read (deny by default); ``values`` fills or
    overrides the rest (private fields, renamed columns).
    """
    copied = {name: getattr(source, name) for name in _plain_fields(cls) if name not in values}
    return cls(**copied, **values)


@functools.cache
def _plain_fields(cls: Callable[..., Any]) -> tuple[str, ...]:
    """The fields of a Strawberry type without a resolver (a type's fields are fixed once it
    is built: read them once, not per row)."""
    definition = get_object_definition(cls, strict=True)
    return tuple(f.python_name for f in definition.fields if f.base_resolver is None)


def subscription(reads: DataCategory) -> Callable[[Callable[..., Any]], Any]:
    """A subscription described by its docstring, gated behind ``reads`` like a field."""

    def build(fn: Callable[..., Any]) -> Any:
        description = f"{inspect.getdoc(fn) or ''} Requires the `{reads}` grant.".strip()
        permission = PermissionExtension([Reads(reads)], use_directives=False)
        return strawberry.subscription(
            resolver=fn, description=description, extensions=[permission]
        )

    return build


def utc(moment: dt.datetime) -> dt.datetime:
    """A stored time with its zone: SQLite hands them back without one (they are UTC)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
