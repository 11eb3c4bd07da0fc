"""Validation rules of our own, checked before anything executes.

- Personal values stay out of query text (it lands in logs): resident IDs, names and phone
  numbers must come as variables.
- An operation that selects personal data needs a stated purpose: :func:`personal_fields`
  finds what it selects (once per document text), the schema refuses it without one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    ObjectFieldNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    ValidationRule,
    VariableNode,
    Visitor,
    get_named_type,
    visit,
)

from hub.api.access import DataCategory
from hub.api.purpose import PURPOSE_HEADER, holds_personal_number

#: Arguments that carry identifying numbers: inline, they would land in query-text logs.
SENSITIVE_ARGUMENTS = frozenset({"residentId"})
#: Input fields that carry personal values, as ``Input.field``.
SENSITIVE_INPUT_FIELDS = frozenset({"PersonFilter.name", "PersonFilter.nameSoundsLike"})


class SensitiveArgumentsAsVariables(ValidationRule):
    """Refuse a resident ID, a name or a phone number written into the query text."""

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        if node.name.value in SENSITIVE_ARGUMENTS and not isinstance(node.value, VariableNode):
            self._refuse(node.name.value, node)

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
        parent = self.context.get_parent_input_type()
        named = get_named_type(parent) if parent is not None else None
        coordinate = f"{getattr(named, 'name', '')}.{node.name.value}"
        if coordinate in SENSITIVE_INPUT_FIELDS and not isinstance(node.value, VariableNode):
            self._refuse(node.name.value, node)

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if holds_personal_number(node.value):
            self.report_error(
                GraphQLError(
                    "A resident ID or phone number in the query text: pass it as a variable.",
                    node,
                )
            )

    def _refuse(self, name: str, node: ArgumentNode | ObjectFieldNode) -> None:
        self.report_error(GraphQLError(f"Pass {name} as a variable, not in the query text.", node))


def personal_fields(
    schema: GraphQLSchema, document: DocumentNode, gated: Mapping[str, DataCategory]
) -> frozenset[str]:
    """The gated fields of personal categories that ``document`` selects, as
    ``"Type.field"`` (fragments and inline fragments included)."""
    found: set[str] = set()
    type_info = TypeInfo(schema)

    class Fields(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = type_info.get_parent_type()
            if parent is None:
                return
            coordinate = f"{parent.name}.{node.name.value}"
            category = gated.get(coordinate)
            if category is not None and category.personal:
                found.add(coordinate)

    visit(document, TypeInfoVisitor(type_info, Fields()))
    return frozenset(found)


def purpose_required(coordinate: str) -> GraphQLError:
    """The refusal of an operation that selects ``coordinate`` without a stated purpose."""
    return GraphQLError(
        f"{coordinate} is personal data: state why you read it in the {PURPOSE_HEADER} header "
        "(a case number or reason).",
        extensions={"code": "PURPOSE_REQUIRED"},
    )
