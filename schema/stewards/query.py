"""Steward queries: uncertain matches to review, and the decisions stored."""

from __future__ import annotations

import json
from functools import cache

import strawberry
from sqlalchemy.orm import Session

from hub.api.access import DataCategory
from hub.resolution.splink_model import PersonModel, load_model
from hub.stewards import decisions, review
from hub.stewards.actions import persons_of
from hub.storage import models
from schema.context import Info
from schema.errors import BadUserInput
from schema.fields import field
from schema.pagination import (
    After,
    Connection,
    Edge,
    First,
    PageRequest,
    decode_cursor,
    encode_cursor,
    keyset_page,
)
from schema.stewards.types import ComparisonEvidence, MatchReview, StewardDecision

_KIND = "MatchReview"


@cache
def person_model() -> PersonModel:
    """The trained model, read once per process (its files ship with the code)."""
    return load_model()


@strawberry.type
class StewardQuery:
    @field(reads=DataCategory.LINEAGE)
    async def uncertain_matches(
        self,
        info: Info,
        within_bits: float = review.DEFAULT_WITHIN_BITS,
        include_reviewed: bool = False,
        first: First = 20,
        after: After = None,
    ) -> Connection[MatchReview]:
        """Scored pairs of person records within ``withinBits`` of the model's threshold,
        nearest first, with the evidence of each comparison; pairs a steward already ruled on
        are left out unless ``includeReviewed``."""
        page = PageRequest.of(_KIND, first, None)
        if not 0 < within_bits <= 64:
            raise BadUserInput("withinBits must be above 0 and at most 64.")
        position = None if after is None else _position(after)
        model = person_model()

        def fetch(session: Session) -> tuple[list[MatchReview], bool, int]:
            pairs, more = review.uncertain_pairs(
                session, model, within_bits=within_bits, first=page.first, after=position,
                include_reviewed=include_reviewed,
            )  # fmt: skip
            persons = persons_of(session, {u for p in pairs for u in (p.uid_l, p.uid_r)})
            total = review.count_uncertain(session, model, within_bits=within_bits,
                                           include_reviewed=include_reviewed)  # fmt: skip
            return [_review(p, persons) for p in pairs], more, total

        reviews, more, total = await info.context.db(fetch)
        edges = [Edge(cursor=_cursor(r), node=r) for r in reviews]

        async def count() -> int:
            return total

        return Connection(
            edges=edges,
            page_info=strawberry.relay.PageInfo(
                has_next_page=more, has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            count=count,
        )  # fmt: skip

    @field(reads=DataCategory.LINEAGE)
    async def steward_decisions(
        self,
        info: Info,
        include_revoked: bool = False,
        actor: str | None = None,
        first: First = 20,
        after: After = None,
    ) -> Connection[StewardDecision]:
        """Steward decisions, newest first: who made each, when, why and about which records;
        those in force only unless ``includeRevoked``; one steward's only with ``actor``."""
        page = PageRequest.of("StewardDecision", first, after)
        stmt = decisions.decisions_query(include_revoked=include_revoked, actor=actor)
        return await keyset_page(
            info.context.db, stmt, models.StewardDecision.id, page, StewardDecision.from_row,
            descending=True,
        )  # fmt: skip


def _review(pair: review.UncertainPair, persons: dict[str, str]) -> MatchReview:
    return MatchReview(
        left_uid=pair.uid_l, right_uid=pair.uid_r, match_probability=pair.match_probability,
        match_weight=pair.match_weight, distance=pair.distance,
        evidence=[ComparisonEvidence(comparison=c.name, description=c.description,
                                     level=c.level, weight=c.weight) for c in pair.comparisons],
        left_person_id=persons.get(pair.uid_l), right_person_id=persons.get(pair.uid_r),
    )  # fmt: skip


def _cursor(item: MatchReview) -> str:
    return encode_cursor(_KIND, json.dumps([item.distance, item.left_uid, item.right_uid]))


def _position(cursor: str) -> review.Position:
    key = decode_cursor(_KIND, cursor)
    try:
        d, left, right = json.loads(str(key))
        return float(d), str(left), str(right)
    except (ValueError, TypeError):
        raise BadUserInput(f"after is not a cursor of a {_KIND} list.") from None
