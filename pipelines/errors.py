"""Dagster's record of a step's error, reduced to what an engineer acts on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Dagster does not export the type of a step's error
    from dagster._utils.error import SerializableErrorInfo


def root_cause(error: SerializableErrorInfo | None) -> str:
    """The innermost error (``module.Class: message``) on one line; Dagster wraps user errors."""
    if error is None:
        return ""
    root = error
    while root.cause is not None:
        root = root.cause
    return " ".join(root.message.split())


def full_text(error: SerializableErrorInfo | None) -> str:
    """The root cause, then the whole chain with stack traces."""
    return "" if error is None else f"{root_cause(error)}\n\n{error.to_string()}"
