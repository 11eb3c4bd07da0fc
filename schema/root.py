"""The one schema every department queries: the area queries composed, and the extensions
that keep it safe (masked errors, depth and alias limits, resident IDs only as variables, no
introspection in production)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionContext

from schema.errors import is_unexpected
from schema.grids.query import GridQuery
from schema.grids.types import Grid
from schema.houses.query import HouseQuery
from schema.houses.types import House
from schema.node import NodeQuery
from schema.persons.query import PersonQuery
from schema.persons.types import Person
from schema.provenance.query import ProvenanceQuery
from schema.quality.query import QualityQuery
from schema.validation import SensitiveArgumentsAsVariables

#: Deep enough for a person's household members' houses' grids' parents; no deeper.
MAX_DEPTH = 10
MAX_ALIASES = 15


@strawberry.type(
    description="The published model of Dehua county: residents, houses and grids as one, "
    "with each department's facts, lineage and the stewards' view of the deliveries."
)
class Query(NodeQuery, PersonQuery, HouseQuery, GridQuery, ProvenanceQuery, QualityQuery):
    pass


class HubSchema(strawberry.Schema):
    """A schema that logs only unexpected errors (with their traces, server-side)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        super().process_errors([e for e in errors if is_unexpected(e)], execution_context)


def build_schema(*, development: bool = False) -> strawberry.Schema:
    """The schema; ``development`` allows introspection (GraphiQL needs it)."""
    extensions: list[Callable[[], SchemaExtension]] = [
        partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
        partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
        partial(AddValidationRules, [SensitiveArgumentsAsVariables]),
        partial(MaskErrors, should_mask_error=is_unexpected),
    ]
    if not development:
        extensions.append(DisableIntrospection)
    # Node types reached only through the Node interface must be named to be in the schema.
    return HubSchema(query=Query, types=[Person, House, Grid], extensions=extensions)
