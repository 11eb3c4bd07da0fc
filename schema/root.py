"""The one schema every department queries: the area queries composed, and the extensions
that keep it safe (masked errors; depth, alias and token limits; personal values only as
variables; a stated purpose for personal data; no introspection in production)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial

import strawberry
from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
)
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
    max_aliases,
    query_depth_limiter,
)
from strawberry.types import ExecutionContext

from hub.api.access import DataCategory
from hub.config import ApiLimits
from schema.audit.query import AuditQuery
from schema.changes.query import ChangeQuery
from schema.changes.subscription import ChangeSubscription
from schema.context import Context
from schema.entries.mutations import EntryMutation
from schema.entries.query import EntryQuery
from schema.errors import is_unexpected
from schema.grids.query import GridQuery
from schema.grids.types import Grid
from schema.houses.query import HouseQuery
from schema.houses.types import House
from schema.limits import InputLimits, Usage, usages
from schema.node import NodeQuery
from schema.permissions import gated_fields
from schema.persons.query import PersonQuery
from schema.persons.types import Person
from schema.provenance.query import ProvenanceQuery
from schema.quality.query import QualityQuery
from schema.reports.mutations import ReportMutation
from schema.reports.query import ReportQuery
from schema.stewards.mutations import StewardMutation
from schema.stewards.query import StewardQuery
from schema.validation import SensitiveArgumentsAsVariables, personal_fields, purpose_required

#: Deep enough for a person's household members' houses' grids' parents; no deeper.
MAX_DEPTH = 10
MAX_ALIASES = 15
#: Tokens per document: the largest example operation (PersonEverything) has about 150.
MAX_TOKENS = 1000
#: Documents whose parse, validation and personal fields are kept: the published operations
#: and then some (bounded, so that unknown documents cannot grow the memory).
CACHED_DOCUMENTS = 256


@strawberry.type(
    description="The published model of Dehua county: residents, houses and grids as one, "
    "with each department's facts, lineage and the stewards' view of the deliveries."
)
class Query(
    NodeQuery, PersonQuery, HouseQuery, GridQuery, ReportQuery, ChangeQuery, ProvenanceQuery,
    QualityQuery, StewardQuery, AuditQuery, EntryQuery,
):  # fmt: skip
    pass


@strawberry.type(description="The change feed, live over WebSocket (graphql-transport-ws).")
class Subscription(ChangeSubscription):
    pass


@strawberry.type(
    description="Writes, each behind a grant of the access policy (`writes`): what grid "
    "workers enter once for every department, steward actions and the snap-and-report loop. "
    "Expected failures are data."
)
class Mutation(EntryMutation, StewardMutation, ReportMutation):
    pass


class PersonalFields:
    """The personal fields each document selects, kept per document text."""

    def __init__(self, schema: GraphQLSchema, gated: Mapping[str, DataCategory]) -> None:
        self.schema, self.gated = schema, gated
        self.known: dict[str, frozenset[str]] = {}

    def __call__(self, query: str, document: DocumentNode) -> frozenset[str]:
        found = self.known.get(query)
        if found is None:
            found = personal_fields(self.schema, document, self.gated)
            if len(self.known) >= CACHED_DOCUMENTS:
                self.known.pop(next(iter(self.known)))
            self.known[query] = found
        return found


class PurposeRequired(SchemaExtension):
    """Notes the personal fields an operation selects in the request's read log (for the
    audit entry), and refuses the operation when it selects any without a stated purpose.

    Runs after validation (cached) and before execution: a valid document without a purpose
    gets ``PURPOSE_REQUIRED`` and nothing runs.
    """

    def __init__(self, fields: Callable[[str, DocumentNode], frozenset[str]]) -> None:
        self.fields = fields

    def on_validate(self) -> Iterator[None]:
        run = self.execution_context
        context = run.context
        if isinstance(context, Context) and run.graphql_document is not None and run.query:
            context.operation = run.operation_name
            selected = self.fields(run.query, run.graphql_document)
            for coordinate in selected:
                context.reads.requested(coordinate)
            if selected and not context.purpose and not run.pre_execution_errors:
                run.pre_execution_errors = [purpose_required(min(selected))]
        yield


class VariableUses:
    """Where each document's variables are used (:func:`schema.limits.usages`), kept per
    document text."""

    def __init__(self) -> None:
        self.schema: GraphQLSchema | None = None
        self.known: dict[str, dict[str, list[Usage]]] = {}

    def __call__(self, query: str, document: DocumentNode) -> dict[str, list[Usage]]:
        found = self.known.get(query)
        if found is None:
            assert self.schema is not None, "bound by build_schema"
            found = usages(self.schema, document)
            if len(self.known) >= CACHED_DOCUMENTS:
                self.known.pop(next(iter(self.known)))
            self.known[query] = found
        return found


class HubSchema(strawberry.Schema):
    """A schema that logs only unexpected errors (with their traces, server-side)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        super().process_errors([e for e in errors if is_unexpected(e)], execution_context)


def build_schema(
    *, development: bool = False, limits: ApiLimits | None = None
) -> strawberry.Schema:
    """The schema; ``development`` allows introspection (GraphiQL needs it); ``limits`` are
    what variables may hold (:mod:`schema.limits`; the defaults of :class:`ApiLimits`)."""
    rules: list[type[ASTValidationRule]] = [
        query_depth_limiter.create_validator(MAX_DEPTH, None),
        max_aliases.create_validator(MAX_ALIASES),
        SensitiveArgumentsAsVariables,
    ]
    if not development:
        rules.append(NoSchemaIntrospectionCustomRule)
    gated: dict[str, DataCategory] = {}
    fields = _LateFields()
    uses = VariableUses()
    # The same rule classes for every request, so that validation is cached per document.
    extensions: list[Callable[[], SchemaExtension]] = [
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        partial(ParserCache, maxsize=CACHED_DOCUMENTS),
        partial(AddValidationRules, rules),
        partial(ValidationCache, maxsize=CACHED_DOCUMENTS),
        partial(PurposeRequired, fields),
        partial(InputLimits, limits or ApiLimits(), uses),
        partial(MaskErrors, should_mask_error=is_unexpected),
    ]
    # Node types reached only through the Node interface must be named to be in the schema.
    schema = HubSchema(
        query=Query, mutation=Mutation, subscription=Subscription,
        types=[Person, House, Grid], extensions=extensions,
    )  # fmt: skip
    gated.update(gated_fields(schema))
    fields.bind(PersonalFields(schema._schema, gated))
    uses.schema = schema._schema
    return schema


class _LateFields:
    """:class:`PersonalFields` of a schema that does not exist yet when its extensions are
    listed."""

    def __init__(self) -> None:
        self.fields: PersonalFields | None = None

    def bind(self, fields: PersonalFields) -> None:
        self.fields = fields

    def __call__(self, query: str, document: DocumentNode) -> frozenset[str]:
        assert self.fields is not None, "bound by build_schema"
        return self.fields(query, document)
