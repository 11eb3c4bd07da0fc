"""The one schema every department queries: the area queries composed, and the extensions
that keep it safe (masked errors; depth, alias and token limits; personal values only as
variables; a stated purpose for personal data; no introspection in production)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionContext

from hub.api.access import DataCategory
from schema.audit.query import AuditQuery
from schema.context import Context
from schema.errors import is_unexpected
from schema.grids.query import GridQuery
from schema.grids.types import Grid
from schema.houses.query import HouseQuery
from schema.houses.types import House
from schema.node import NodeQuery
from schema.permissions import gated_fields
from schema.persons.query import PersonQuery
from schema.persons.types import Person
from schema.provenance.query import ProvenanceQuery
from schema.quality.query import QualityQuery
from schema.validation import SensitiveArgumentsAsVariables, purpose_rule

#: Deep enough for a person's household members' houses' grids' parents; no deeper.
MAX_DEPTH = 10
MAX_ALIASES = 15
#: Tokens per document: the largest example operation (PersonEverything) has about 150.
MAX_TOKENS = 1000


@strawberry.type(
    description="The published model of Dehua county: residents, houses and grids as one, "
    "with each department's facts, lineage and the stewards' view of the deliveries."
)
class Query(
    NodeQuery, PersonQuery, HouseQuery, GridQuery, ProvenanceQuery, QualityQuery, AuditQuery
):
    pass


class PurposeRequired(SchemaExtension):
    """Refuses an operation that selects personal data without a stated purpose, and notes
    the personal fields it selects in the request's read log (for the audit entry)."""

    def __init__(self, gated: Mapping[str, DataCategory]) -> None:
        self.gated = gated

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):
            rule = purpose_rule(self.gated, context.reads, purpose_given=bool(context.purpose))
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                rule,
            )
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):
            context.operation = self.execution_context.operation_name
        yield


class HubSchema(strawberry.Schema):
    """A schema that logs only unexpected errors (with their traces, server-side)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        super().process_errors([e for e in errors if is_unexpected(e)], execution_context)


def build_schema(*, development: bool = False) -> strawberry.Schema:
    """The schema; ``development`` allows introspection (GraphiQL needs it)."""
    gated: dict[str, DataCategory] = {}
    extensions: list[Callable[[], SchemaExtension]] = [
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
        partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
        partial(AddValidationRules, [SensitiveArgumentsAsVariables]),
        partial(PurposeRequired, gated),
        partial(MaskErrors, should_mask_error=is_unexpected),
    ]
    if not development:
        extensions.append(DisableIntrospection)
    # Node types reached only through the Node interface must be named to be in the schema.
    schema = HubSchema(query=Query, types=[Person, House, Grid], extensions=extensions)
    gated.update(gated_fields(schema))  # the purpose rule reads it; filled once, here
    return schema
