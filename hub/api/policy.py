"""The access policy file: roles and what each may read, loaded and validated at start.

``policy.yaml`` beside this module is the policy the hub runs with; review its diff like code.
Its shape (``docs/access.md`` explains each entry)::

    version: 1
    roles:
      grid_worker:
        description: 网格员 ...
        grid_scope: required          # required | optional | none (default)
        grants: {identity: full, resident_id: masked, ...}   # category -> full|masked|deny
        fields: {Person.healthGroups: full}                  # narrower rules, GraphQL names
        tags: [ELDERLY, LIVING_ALONE]                        # may see, filter on and count
        writes: {Mutation.registerResident: grid}            # mutation -> grid | county

Anything not granted is denied: a mutation not listed under ``writes`` is refused. ``grid``
lets a grid-scoped role write inside its token's grid subtree only; ``county`` anywhere the
role sees. Every mistake (unknown role key,
category, grant, field, tag, mutation; a mask where none exists; grants that contradict each
other) is a :class:`PolicyError` naming the file, the line and the entry.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from hub.api.access import AccessPolicyError, DataCategory, Grant, Viewer, WriteScope
from hub.resolution.tags import Tag

DEFAULT_POLICY = Path(__file__).with_name("policy.yaml")
VERSION = 1
_ROLE_NAME = re.compile(r"^[a-z][a-z_]{1,31}$")  # api_token.role is 32 characters
_MUTATION = re.compile(r"^Mutation\.[a-z][A-Za-z0-9]*$")
_ROLE_KEYS = frozenset({"description", "grid_scope", "grants", "fields", "tags", "writes"})


class PolicyError(ValueError):
    """The policy file is wrong; the message names the file, line and entry."""


class GridScope(enum.StrEnum):
    """Whether a role's tokens carry a grid code that limits what they see."""

    REQUIRED = "required"  # every token names a grid: the role sees that subtree only
    OPTIONAL = "optional"
    NONE = "none"  # the whole county; a token may not name a grid


@dataclass(frozen=True, slots=True)
class Role:
    """One role of the policy: what its tokens read, as a viewer without scope or actor."""

    name: str
    description: str
    grid_scope: GridScope
    viewer: Viewer


@dataclass(frozen=True, slots=True)
class Policy:
    """The roles of one policy file."""

    path: Path
    roles: Mapping[str, Role]

    def role(self, name: str) -> Role:
        """The role called ``name``; an unknown one is a :class:`PolicyError`."""
        found = self.roles.get(name)
        if found is None:
            raise PolicyError(f"unknown role {name!r} (roles: {', '.join(sorted(self.roles))})")
        return found

    def check_grid(self, role: str, grid_code: str | None) -> None:
        """Refuse a grid code the role's ``grid_scope`` does not allow (or a missing one)."""
        scope = self.role(role).grid_scope
        if scope is GridScope.REQUIRED and not grid_code:
            raise PolicyError(f"role {role} sees one grid subtree: give its grid code")
        if scope is GridScope.NONE and grid_code:
            raise PolicyError(f"role {role} sees the whole county: it takes no grid code")

    def viewer(self, role: str, *, grid_code: str | None, actor: str) -> Viewer:
        """The viewer of a token of ``role`` (scoped to ``grid_code``) held by ``actor``."""
        self.check_grid(role, grid_code)
        return replace(self.role(role).viewer, grid_scope=grid_code or None, actor=actor)


def load_policy(
    path: Path = DEFAULT_POLICY,
    gated_fields: Mapping[str, DataCategory] | None = None,
    write_fields: Collection[str] | None = None,
) -> Policy:
    """Read and validate the policy at ``path``.

    ``gated_fields`` (``"Type.field" -> category``, from the schema) checks field rules: each
    must name a gated field, and a mask only where the field's category has one.
    ``write_fields`` (``"Mutation.field"``, from the schema) checks that each write granted
    names a mutation.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file: {exc.strerror}") from exc
    document = _Document(path, text, write_fields)
    return document.policy(gated_fields)


class _Document:
    """The parsed file with the line of every entry, for error messages."""

    def __init__(self, path: Path, text: str, write_fields: Collection[str] | None) -> None:
        self.path = path
        self.write_fields = None if write_fields is None else frozenset(write_fields)
        self.lines: dict[tuple[str, ...], int] = {}
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            raise PolicyError(f"{path}: not valid YAML: {exc}") from exc
        self.data = self._value(node, ()) if node is not None else None

    def fail(self, at: tuple[str, ...], reason: str) -> PolicyError:
        line = self.lines.get(at) or self.lines.get(at[:-1])
        where = f"{self.path}:{line}" if line else str(self.path)
        return PolicyError(f"{where}: {'.'.join(at) or '(top)'}: {reason}")

    def _value(self, node: yaml.Node, at: tuple[str, ...]) -> Any:
        self.lines.setdefault(at, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in out:
                    raise self.fail((*at, key), "duplicate entry")
                self.lines[(*at, key)] = key_node.start_mark.line + 1
                out[key] = self._value(value_node, (*at, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._value(item, (*at, str(i))) for i, item in enumerate(node.value)]
        return yaml.SafeLoader("").construct_object(node)  # a scalar, typed as YAML types it

    def policy(
        self,
        gated_fields: Mapping[str, DataCategory] | None,
        mutations: Collection[str] | None = None,
    ) -> Policy:
        data = self.data
        if not isinstance(data, dict):
            raise self.fail((), "expected a mapping with `version` and `roles`")
        unknown = set(data) - {"version", "roles"}
        if unknown:
            raise self.fail((sorted(unknown)[0],), "unknown entry (expected version, roles)")
        if data.get("version") != VERSION:
            raise self.fail(("version",), f"expected version {VERSION}")
        roles = data.get("roles")
        if not isinstance(roles, dict) or not roles:
            raise self.fail(("roles",), "expected a mapping of role names")
        built = {
            name: self.role(name, spec, gated_fields, mutations) for name, spec in roles.items()
        }
        return Policy(self.path, MappingProxyType(built))

    def role(
        self,
        name: str,
        spec: Any,
        gated_fields: Mapping[str, DataCategory] | None,
        mutations: Collection[str] | None = None,
    ) -> Role:
        at = ("roles", name)
        if not _ROLE_NAME.match(name):
            raise self.fail(at, "a role name is lower case letters and _, at most 32")
        if not isinstance(spec, dict):
            raise self.fail(at, "expected a mapping")
        unknown = set(spec) - _ROLE_KEYS
        if unknown:
            known = ", ".join(sorted(_ROLE_KEYS))
            raise self.fail((*at, sorted(unknown)[0]), f"unknown entry (expected {known})")
        description = spec.get("description")
        if not isinstance(description, str) or not description.strip():
            raise self.fail((*at, "description"), "every role says who holds it")
        grants = self.grants((*at, "grants"), spec.get("grants") or {})
        fields = self.fields((*at, "fields"), spec.get("fields") or {}, grants, gated_fields)
        tags = self.tags((*at, "tags"), spec.get("tags") or [])
        scope = self.choice((*at, "grid_scope"), spec.get("grid_scope", "none"), GridScope)
        writes = self.writes((*at, "writes"), spec.get("writes") or {}, scope)
        try:
            viewer = Viewer(name, None, grants, fields, tags, writes=writes)
        except AccessPolicyError as exc:
            raise self.fail(at, str(exc)) from exc
        return Role(name, description.strip(), scope, viewer)

    def grants(self, at: tuple[str, ...], spec: Any) -> dict[DataCategory, Grant]:
        if not isinstance(spec, dict):
            raise self.fail(at, "expected a mapping of category -> full|masked|deny")
        grants: dict[DataCategory, Grant] = {}
        for key, value in spec.items():
            category = self.choice((*at, key), key, DataCategory, what="category")
            grants[category] = self.choice((*at, key), value, Grant)
        return grants

    def fields(
        self,
        at: tuple[str, ...],
        spec: Any,
        grants: Mapping[DataCategory, Grant],
        gated_fields: Mapping[str, DataCategory] | None,
    ) -> dict[str, Grant]:
        if not isinstance(spec, dict):
            raise self.fail(at, "expected a mapping of Type.field -> full|masked|deny")
        rules: dict[str, Grant] = {}
        for key, value in spec.items():
            grant = self.choice((*at, key), value, Grant)
            if gated_fields is not None:
                category = gated_fields.get(key)
                if category is None:
                    raise self.fail((*at, key), "not a gated field of the schema")
                if grants.get(category, Grant.DENY) is grant:
                    raise self.fail((*at, key), f"same as the `{category}` grant: remove it")
                if grant is Grant.MASKED and not category.maskable:
                    raise self.fail((*at, key), f"{category} has no mask: full or deny")
            rules[key] = grant
        return rules

    def writes(
        self, at: tuple[str, ...], spec: Any, scope: GridScope
    ) -> MappingProxyType[str, WriteScope]:
        if not isinstance(spec, dict):
            raise self.fail(at, "expected a mapping of Mutation.field -> grid|county")
        writes: dict[str, WriteScope] = {}
        for key, value in spec.items():
            if not isinstance(key, str) or not _MUTATION.match(key):
                raise self.fail((*at, str(key)), "a write is named Mutation.<field>")
            if self.write_fields is not None and key not in self.write_fields:
                raise self.fail((*at, key), "not a mutation of the schema")
            where = self.choice((*at, key), value, WriteScope, what="write scope")
            if where is WriteScope.GRID and scope is GridScope.NONE:
                raise self.fail((*at, key), "a grid write needs tokens that name a grid "
                                "(grid_scope required or optional)")  # fmt: skip
            writes[key] = where
        return MappingProxyType(writes)

    def tags(self, at: tuple[str, ...], spec: Any) -> frozenset[Tag]:
        if not isinstance(spec, list):
            raise self.fail(at, "expected a list of tags")
        tags: list[Tag] = []
        for i, name in enumerate(spec):
            if not isinstance(name, str) or name not in Tag.__members__:
                known = ", ".join(Tag.__members__)
                raise self.fail((*at, str(i)), f"unknown tag {name!r} (tags: {known})")
            tags.append(Tag[name])
        if len(set(tags)) != len(tags):
            raise self.fail(at, "a tag is listed twice")
        return frozenset(tags)

    def choice(
        self, at: tuple[str, ...], value: Any, kind: type[enum.StrEnum], what: str = "value"
    ) -> Any:
        try:
            return kind(value)
        except ValueError:
            known = ", ".join(m.value for m in kind)
            raise self.fail(at, f"unknown {what} {value!r} (expected {known})") from None
