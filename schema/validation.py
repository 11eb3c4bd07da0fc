"""Validation rules of our own, checked before anything executes."""

from __future__ import annotations

from typing import Any

from graphql import ArgumentNode, GraphQLError, ValidationRule, VariableNode

#: Arguments that carry identifying numbers: inline, they would land in query-text logs.
SENSITIVE_ARGUMENTS = frozenset({"residentId"})


class SensitiveArgumentsAsVariables(ValidationRule):
    """Refuse a resident ID written into the query text; it must come as a variable."""

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        if node.name.value in SENSITIVE_ARGUMENTS and not isinstance(node.value, VariableNode):
            self.report_error(
                GraphQLError(f"Pass {node.name.value} as a variable, not in the query text.", node)
            )
