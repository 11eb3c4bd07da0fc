"""Keyset pagination behind Relay-style connections.

Every list is ordered by one unique key and a cursor is the opaque base64 of the last key
seen, so the next page is ``WHERE key > :after ORDER BY key LIMIT first + 1``: rows inserted
or removed before the cursor never shift a page, and page 1000 costs what page 1 costs.
``totalCount`` is a resolver of its own, so its COUNT query runs only when a client selects it.

Pages hold at most :data:`MAX_PAGE` items; ``first`` above that (or below 0) is a
``BAD_USER_INPUT`` error, not a silently shorter page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute
from strawberry import relay
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from schema.errors import BadUserInput
from schema.loaders import Db

MAX_PAGE = 100
DEFAULT_PAGE = 20

#: ``first`` and ``after`` as every connection field declares them.
First = Annotated[int, strawberry.argument(description=f"Page size, at most {MAX_PAGE}.")]
After = Annotated[
    str | None, strawberry.argument(description="The cursor of the last item already seen.")
]

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")
Key = str | int


@strawberry.type(description="An item of a connection and the cursor to continue after it.")
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type(description="One page of a list, in a stable order, with a cursor per item.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: relay.PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items match, on every page (counted when asked).")
    async def total_count(self) -> int:
        return await self.count()


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A validated ``first`` / ``after`` pair for one kind of connection."""

    kind: str
    first: int
    after: Key | None

    @classmethod
    def of(cls, kind: str, first: int | None, after: str | None) -> PageRequest:
        size = DEFAULT_PAGE if first is None else first
        if not 0 <= size <= MAX_PAGE:
            raise BadUserInput(f"first must be between 0 and {MAX_PAGE}, not {size}.")
        return cls(kind, size, None if after is None else decode_cursor(kind, after))


def encode_cursor(kind: str, key: Key) -> str:
    """An opaque cursor naming the connection kind and the last key."""
    text = json.dumps([kind, key], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(kind: str, cursor: str) -> Key:
    """The key inside ``cursor``; a cursor of another connection is refused."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        decoded = None
    if (
        not isinstance(decoded, list)
        or len(decoded) != 2
        or decoded[0] != kind
        or not isinstance(decoded[1], str | int)
    ):
        raise BadUserInput(f"after is not a cursor of a {kind} list.")
    key: Key = decoded[1]
    return key


async def keyset_page(
    db: Db,
    stmt: Select[RowT],
    key: InstrumentedAttribute[Any],
    page: PageRequest,
    wrap: Callable[[RowT], NodeT],
    *,
    descending: bool = False,
) -> Connection[NodeT]:
    """Fetch one page of ``stmt`` ordered by the unique ``key`` and wrap it as a connection."""
    paged = stmt
    if page.after is not None:
        paged = paged.where(key < page.after if descending else key > page.after)
    paged = paged.order_by(key.desc() if descending else key.asc()).limit(page.first + 1)
    rows: Sequence[RowT] = await db(lambda s: list(s.scalars(paged)))
    shown = rows[: page.first]
    edges = [
        Edge(cursor=encode_cursor(page.kind, getattr(row, key.key)), node=wrap(row))
        for row in shown
    ]
    counted = select(func.count()).select_from(stmt.order_by(None).subquery())

    async def count() -> int:
        total: int = await db(lambda s: s.execute(counted).scalar_one())
        return total

    return Connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=len(rows) > page.first,
            has_previous_page=page.after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count=count,
    )


def node_selections(info: strawberry.Info[Any, Any]) -> set[str]:
    """The names of the fields the current connection field selects on ``edges.node``
    (through fragments; directives aside, so a superset)."""
    found: set[str] = set()
    for connection in info.selected_fields:
        for edges in _fields(connection.selections, "edges"):
            for node in _fields(edges.selections, "node"):
                found.update(f.name for f in _fields(node.selections, None))
    return found


def _fields(selections: Sequence[Selection], name: str | None) -> list[SelectedField]:
    """The fields named ``name`` (any, with ``None``) among ``selections`` and their
    fragments."""
    found: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, FragmentSpread | InlineFragment):
            found += _fields(selection.selections, name)
        elif name is None or selection.name == name:
            found.append(selection)
    return found
