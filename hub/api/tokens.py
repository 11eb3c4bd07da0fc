"""API tokens: one per department user, shown once, stored as a SHA-256 hash only.

A token is ``hub_`` followed by 43 URL-safe characters (256 random bits). The hub keeps its
hash, the holder's name, the role and, for grid-scoped roles, the grid code. A request sends
``Authorization: Bearer hub_...``; :class:`TokenViewers` turns it into the request's viewer,
or ``None`` (HTTP 401) when the header is missing, malformed, unknown or revoked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from starlette.requests import Request

from hub.api.access import Viewer
from hub.api.policy import Policy, PolicyError
from hub.storage.models import ApiToken, Grid
from hub.storage.session import writing

PREFIX = "hub_"
_SECRET_BYTES = 32
#: ``last_used_at`` is refreshed at most this often per token: not a write per request.
TOUCH_EVERY = dt.timedelta(minutes=15)
MAX_NAME = 128

logger = logging.getLogger(__name__)


class TokenError(ValueError):
    """A token cannot be created or revoked as asked; the message says why."""


def hash_secret(secret: str) -> str:
    """The SHA-256 the hub stores for ``secret`` (hex)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: its row, and the secret, which exists nowhere else once printed."""

    token: ApiToken
    secret: str


def create(
    session: Session, policy: Policy, *, name: str, role: str, grid_code: str | None = None
) -> IssuedToken:
    """A new token for ``name`` with ``role``; the caller commits and shows the secret once."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise TokenError(f"a token needs a name of 1 to {MAX_NAME} characters")
    try:
        policy.check_grid(role, grid_code)
    except PolicyError as exc:
        raise TokenError(str(exc)) from exc
    if grid_code and session.get(Grid, grid_code) is None:
        raise TokenError(f"no grid has the code {grid_code}")
    taken = session.scalar(
        select(ApiToken.id).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
    )
    if taken is not None:
        raise TokenError(f"an active token is already named {name!r}: revoke it first")
    secret = PREFIX + secrets.token_urlsafe(_SECRET_BYTES)
    token = ApiToken(name=name, role=role, grid_code=grid_code or None,
                     token_hash=hash_secret(secret))  # fmt: skip
    session.add(token)
    session.flush()
    return IssuedToken(token, secret)


def revoke(
    session: Session,
    name_or_id: str | None = None,
    *,
    name: str | None = None,
    token_id: int | None = None,
    now: dt.datetime | None = None,
) -> ApiToken:
    """Revoke one active token: by ``name``, by ``token_id``, or by ``name_or_id`` when that
    names exactly one (digits that are both a token's name and another's id are refused as
    ambiguous: one argument revokes one token). The token revoked."""
    if sum(x is not None for x in (name_or_id, name, token_id)) != 1:
        raise TokenError("say which token: a name or an id")
    active = ApiToken.revoked_at.is_(None)
    by_name = by_id = None
    if name is not None or name_or_id is not None:
        wanted = name if name is not None else name_or_id
        by_name = session.scalars(select(ApiToken).where(ApiToken.name == wanted, active)).first()
    if token_id is not None or (name_or_id is not None and name_or_id.isdigit()):
        wanted_id = token_id if token_id is not None else int(name_or_id or 0)
        by_id = session.scalars(select(ApiToken).where(ApiToken.id == wanted_id, active)).first()
    if by_name is not None and by_id is not None and by_name.id != by_id.id:
        raise TokenError(f"{name_or_id!r} is the name of token {by_name.id} and the id of "
                         f"token {by_id.id} ({by_id.name}): use --name or --id")  # fmt: skip
    found = by_name or by_id
    if found is None:
        what = f"named {name!r}" if name is not None else (
            f"with id {token_id}" if token_id is not None
            else f"named {name_or_id!r} or with that id")  # fmt: skip
        raise TokenError(f"no active token is {what}")
    found.revoked_at = now or dt.datetime.now(dt.UTC)
    session.flush()
    return found


def listed(session: Session, *, revoked: bool = False) -> list[ApiToken]:
    """Tokens by id (active only unless ``revoked``); never their secrets."""
    stmt = select(ApiToken).order_by(ApiToken.id)
    if not revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    return list(session.scalars(stmt))


def bearer(header: str | None) -> str | None:
    """The secret of an ``Authorization: Bearer hub_...`` header, if it is one."""
    if header is None:
        return None
    scheme, _, secret = header.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    return secret


class TokenViewers:
    """The viewer of a request with a valid token, per the policy; ``None`` otherwise.

    One indexed lookup per request; ``last_used_at`` is written at most every
    :data:`TOUCH_EVERY`, in a short writer's transaction of its own after the lookup's (the
    caller commits it): a transaction that read first could not take SQLite's write lock
    once another writer committed (:mod:`hub.storage.session`). A touch that cannot be
    written in time is given up (logged), not the request.
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def __call__(self, request: Request, session: Session) -> Viewer | None:
        secret = bearer(request.headers.get("authorization"))
        if secret is None:
            return None
        row = session.execute(
            select(ApiToken.id, ApiToken.name, ApiToken.role, ApiToken.grid_code,
                   ApiToken.last_used_at)
            .where(ApiToken.token_hash == hash_secret(secret), ApiToken.revoked_at.is_(None))
        ).one_or_none()  # fmt: skip
        if row is None:
            return None
        try:
            viewer = self.policy.viewer(row.role, grid_code=row.grid_code, actor=row.name)
        except PolicyError:
            return None  # a role the policy no longer has, or a scope it no longer allows
        now = dt.datetime.now(dt.UTC)
        last = row.last_used_at
        if last is None or now - (last if last.tzinfo else last.replace(tzinfo=dt.UTC)) > (
            TOUCH_EVERY
        ):
            _touch(session, row.id, now)
        return viewer


def _touch(session: Session, token_id: int, now: dt.datetime) -> None:
    """Write a token's last use in a writer's transaction of its own (committed by the
    caller); given up when the database is busy."""
    session.commit()  # end the lookup's read
    try:
        writing(session)
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
    except OperationalError:
        session.rollback()
        logger.warning("token %d: last use not recorded, the database is busy", token_id)
