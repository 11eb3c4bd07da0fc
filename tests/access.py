"""The policy file as the tests see it: the schema's gated fields and a viewer per role."""

from __future__ import annotations

from functools import cache

from hub.api.access import DataCategory, Viewer
from hub.api.policy import DEFAULT_POLICY, Policy, load_policy
from schema.permissions import gated_fields, write_fields
from schema.root import build_schema


@cache
def gated() -> dict[str, DataCategory]:
    """``"Type.field" -> category`` for every gated field of the schema."""
    return gated_fields(build_schema())


@cache
def writes() -> frozenset[str]:
    """``"Mutation.field"`` for every mutation behind a write grant."""
    return frozenset(write_fields(build_schema()))


@cache
def policy() -> Policy:
    """The repository's policy, validated against the schema as the app does."""
    return load_policy(DEFAULT_POLICY, gated(), writes())


def viewer(role: str, grid_code: str | None = None) -> Viewer:
    """A viewer of ``role`` as a token would make it (``grid_code`` for grid-scoped roles)."""
    return policy().viewer(role, grid_code=grid_code, actor=f"test/{role}")
