"""Sizes and shapes of what a request sends, checked before anything is coerced or runs.

After validation and before execution (:class:`InputLimits`), in this order:

1. **The write grant.** A mutation (or subscription) the viewer's role is not granted is
   refused with ``FORBIDDEN`` before its variables are looked at (the attempt is in the
   audit entry, as the ``Writes`` permission notes it).
2. **Sizes.** The variables as JSON are at most ``max_variables_bytes``; every string at most
   its argument's length (:data:`MAX_LENGTHS`, else ``max_string``); every list at most
   ``max_list`` items; objects and lists nested at most ``max_depth`` deep.
3. **Text.** No markup (``<``, ``>``) and no control or format characters in any string
   (line breaks and tabs only in free text: :data:`FREE_TEXT`): names and notes are shown
   to other departments, in pages and exports.
4. **Types.** The variables are coerced once here, so a value of the wrong type (an Int past
   2^31, a date ``0000-00-00``) is a ``BAD_USER_INPUT`` naming the variable, and never an
   unexpected error with the value in the server's log. A subscription sent over HTTP is a
   ``BAD_REQUEST`` (subscriptions run over a WebSocket).

A refusal says which variable (and where in it) and why, never the value sent.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    ObjectFieldNode,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    VariableNode,
    Visitor,
    get_named_type,
    is_input_type,
    type_from_ast,
    visit,
)
from graphql.execution.values import get_variable_values
from strawberry.extensions import SchemaExtension

from hub.config import ApiLimits
from schema.context import Context

#: Characters of a string, per argument (``Type.field.argument``) or input field
#: (``Input.field``); anything else gets ``ApiLimits.max_string``.
NAME, CODE, TEXT = 50, 40, 1000
MAX_LENGTHS: Mapping[str, int] = {
    "ResidentRegistration.name": NAME,
    "PersonFilter.name": NAME,
    "PersonFilter.nameSoundsLike": NAME,
    "Query.personByResidentId.residentId": CODE,
    "ResidentRegistration.residentId": CODE,
    "ResidentRegistration.sex": 8,
    "PersonFilter.sex": 8,
    "ResidentRegistration.birthDate": CODE,
    "ResidentRegistration.phone": CODE,
    "ResidentUpdate.phone": CODE,
    "ReportEventInput.reporterPhone": CODE,
    "ReportEventInput.category": CODE,
    "ResidentRegistration.address": 200,
    "ResidentUpdate.address": 200,
    "Mutation.reportMove.address": 200,
    "ReportEventInput.address": 200,
    "ResidentRegistration.note": TEXT,
    "ResidentUpdate.note": TEXT,
    "Mutation.reportMove.note": TEXT,
    "Mutation.reportDeath.note": TEXT,
    "ReportEventInput.description": TEXT,
    "Mutation.assignReport.note": TEXT,
    "Mutation.handleReport.note": TEXT,
    "Mutation.answerReport.answer": TEXT,
    "Mutation.rateReport.note": TEXT,
    "Mutation.confirmMoveRequest.note": TEXT,
    "Mutation.rejectMoveRequest.reason": TEXT,
}
#: Where a string may hold line breaks and tabs: notes, descriptions, answers, reasons.
FREE_TEXT = re.compile(r"\.(note|description|answer|reason)$")
_ALLOWED_IN_FREE_TEXT = frozenset("\n\r\t")


@dataclass(frozen=True, slots=True)
class Usage:
    """Where a variable is used: the argument or input field it fills, and its type there."""

    coordinate: str
    type: GraphQLInputType


def usages(schema: GraphQLSchema, document: DocumentNode) -> dict[str, list[Usage]]:
    """Each variable's uses in ``document``, by variable name."""
    found: dict[str, list[Usage]] = {}
    type_info = TypeInfo(schema)
    fields: list[str] = []
    where: list[str] = []

    class Uses(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            fields.append(node.name.value)

        def leave_field(self, node: FieldNode, *_: Any) -> None:
            fields.pop()

        def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
            parent = type_info.get_parent_type()
            owner = parent.name if parent is not None else "?"
            where.append(f"{owner}.{fields[-1] if fields else '?'}.{node.name.value}")

        def leave_argument(self, node: ArgumentNode, *_: Any) -> None:
            where.pop()

        def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
            parent = type_info.get_parent_input_type()
            named = get_named_type(parent) if parent is not None else None
            where.append(f"{getattr(named, 'name', '?')}.{node.name.value}")

        def leave_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
            where.pop()

        def enter_variable(self, node: VariableNode, *_: Any) -> None:
            expected = type_info.get_input_type()
            if where and expected is not None:
                found.setdefault(node.name.value, []).append(Usage(where[-1], expected))

    visit(document, TypeInfoVisitor(type_info, Uses()))
    return found


class InputRefused(Exception):
    """One value of the variables cannot be taken; the message names where and why."""


class _Walk:
    """Checks one variable's value against the limits, by where it is used."""

    def __init__(self, limits: ApiLimits, name: str) -> None:
        self.limits = limits
        self.name = name

    def value(self, value: Any, kind: GraphQLInputType | None, coordinate: str | None,
              path: str, depth: int) -> None:  # fmt: skip
        if depth > self.limits.max_depth:
            raise InputRefused(f"{path} nests deeper than {self.limits.max_depth} levels.")
        if isinstance(kind, GraphQLNonNull):
            kind = kind.of_type
        if isinstance(value, str):
            self.text(value, coordinate, path)
        elif isinstance(value, list):
            if len(value) > self.limits.max_list:
                raise InputRefused(f"{path} has more than {self.limits.max_list} items.")
            inner = kind.of_type if isinstance(kind, GraphQLList) else kind
            for n, item in enumerate(value):
                self.value(item, inner, coordinate, f"{path}[{n}]", depth + 1)
        elif isinstance(value, dict):
            if len(value) > self.limits.max_list:
                raise InputRefused(f"{path} has more than {self.limits.max_list} entries.")
            fields = kind.fields if isinstance(kind, GraphQLInputObjectType) else {}
            owner = kind.name if isinstance(kind, GraphQLInputObjectType) else None
            for key, item in value.items():
                self.text(str(key), coordinate, f"{path} (a key)")
                field = fields.get(key)
                inner = field.type if field is not None else None
                where = f"{owner}.{key}" if owner is not None else coordinate
                self.value(item, inner, where, f"{path}.{key}", depth + 1)

    def text(self, value: str, coordinate: str | None, path: str) -> None:
        most = MAX_LENGTHS.get(coordinate or "", self.limits.max_string)
        if len(value) > most:
            raise InputRefused(f"{path} is longer than {most} characters.")
        if "<" in value or ">" in value:
            raise InputRefused(f"{path} holds markup (< or >), which is not accepted.")
        free = coordinate is not None and FREE_TEXT.search(coordinate) is not None
        for char in value:
            if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
                if free and char in _ALLOWED_IN_FREE_TEXT:
                    continue
                raise InputRefused(f"{path} holds a control or format character.")


def check_sizes(
    variables: Mapping[str, Any],
    found: Mapping[str, list[Usage]],
    declared: Mapping[str, GraphQLInputType],
    limits: ApiLimits,
) -> None:
    """Every variable within the limits (:class:`InputRefused` for the first that is not)."""
    size = len(json.dumps(variables, ensure_ascii=False, default=str).encode())
    if size > limits.max_variables_bytes:
        raise InputRefused(f"The variables are over {limits.max_variables_bytes} bytes.")
    for name, value in variables.items():
        uses: list[Usage | None] = list(found.get(name, ()))
        if not uses:  # declared and unused, or not declared at all: the type alone, if any
            uses = [Usage("", declared[name])] if name in declared else [None]
        walk = _Walk(limits, name)
        for use in uses:
            walk.value(value, use.type if use else None, use.coordinate if use else None,
                       f"${name}", 0)  # fmt: skip


_COERCION_AT = re.compile(r" at '([^']*)'")


def coercion_errors(
    schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> list[GraphQLError]:
    """The variables coerced as execution will coerce them; each failure as a
    ``BAD_USER_INPUT`` that names the variable (and the place in it), not the value."""
    coerced = get_variable_values(schema, operation.variable_definitions or (), dict(variables))
    if not isinstance(coerced, list):
        return []
    declared = {d.variable.name.value: type_from_ast(schema, d.type)
                for d in operation.variable_definitions or ()}  # fmt: skip
    errors = []
    for error in coerced:
        if "got invalid value" not in error.message:  # says what is missing, not what was sent
            errors.append(GraphQLError(error.message, error.nodes,
                                       extensions={"code": "BAD_USER_INPUT"}))  # fmt: skip
            continue
        name = _variable_of(error.message)
        at = _COERCION_AT.search(error.message)
        path = at.group(1).split(".")[1:] if at else []  # the place after the variable's name
        kind = _type_at(declared.get(name), path)
        place = ".".join([f"${name}", *path])
        problem = ("is required" if "was not provided" in error.message
                   or "must not be null" in error.message
                   else f"is not a valid {kind}" if kind else "is not valid")  # fmt: skip
        errors.append(GraphQLError(f"Variable {place} {problem}.", error.nodes,
                                   extensions={"code": "BAD_USER_INPUT"}))  # fmt: skip
    return errors


def _variable_of(message: str) -> str:
    found = re.match(r"Variable '\$([_A-Za-z][_0-9A-Za-z]*)'", message)
    return found.group(1) if found else "?"


def _type_at(kind: Any, path: list[str]) -> str | None:
    """The name of the type at ``path`` inside the input type ``kind`` (None if unknown)."""
    for step in path:
        named = get_named_type(kind) if kind is not None else None
        if isinstance(named, GraphQLInputObjectType) and step in named.fields:
            kind = named.fields[step].type
        elif not step.isdigit():
            return None
    named = get_named_type(kind) if kind is not None else None
    return getattr(named, "name", None)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    chosen = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)
              and (name is None or (d.name is not None and d.name.value == name))]  # fmt: skip
    return chosen[0] if len(chosen) == 1 else None


def root_fields(operation: OperationDefinitionNode) -> Iterator[str]:
    """The coordinates of an operation's root fields (``Mutation.registerResident``)."""
    root = {OperationType.MUTATION: "Mutation", OperationType.SUBSCRIPTION: "Subscription",
            OperationType.QUERY: "Query"}[operation.operation]  # fmt: skip
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode):
            yield f"{root}.{selection.name.value}"


class InputLimits(SchemaExtension):
    """Refuses, after validation and before anything runs, a mutation the role may not use
    and variables over the limits or of the wrong type (module docstring)."""

    def __init__(self, limits: ApiLimits, uses: Callable[[str, DocumentNode],
                 Mapping[str, list[Usage]]]) -> None:  # fmt: skip
        self.limits = limits
        self.uses = uses

    def on_validate(self) -> Iterator[None]:
        # Before the yield: ValidationCache (listed before) has validated the document, and
        # errors set here are what the request answers (execution does not start).
        errors = self._refusals()
        if errors:
            self.execution_context.pre_execution_errors = errors
        yield

    def _refusals(self) -> list[GraphQLError]:
        run = self.execution_context
        document, query = run.graphql_document, run.query
        if run.pre_execution_errors or document is None or query is None:
            return []
        operation = _operation(document, run.operation_name)
        if operation is None:
            return []
        context = run.context
        if (
            isinstance(context, Context)
            and operation.operation is OperationType.SUBSCRIPTION
            and context.http
        ):
            message = "Subscriptions run over a WebSocket (graphql-transport-ws), not HTTP POST."
            return [GraphQLError(message, extensions={"code": "BAD_REQUEST"})]
        if isinstance(context, Context) and operation.operation is OperationType.MUTATION:
            for coordinate in root_fields(operation):
                if not context.viewer.may_write(coordinate):
                    context.reads.record(coordinate, None, allowed=False)
                    return [GraphQLError("Not granted: this write.",
                                         extensions={"code": "FORBIDDEN"})]  # fmt: skip
        schema = run.schema._schema
        declared: dict[str, GraphQLInputType] = {}
        for definition in operation.variable_definitions or ():
            kind = type_from_ast(schema, definition.type)
            if kind is not None and is_input_type(kind):
                declared[definition.variable.name.value] = cast(GraphQLInputType, kind)
        variables = run.variables or {}
        try:
            check_sizes(variables, self.uses(query, document), declared, self.limits)
        except InputRefused as refused:
            return [GraphQLError(str(refused), extensions={"code": "BAD_USER_INPUT"})]
        return coercion_errors(schema, operation, variables)
