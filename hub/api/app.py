"""The Starlette app: GraphQL at ``/graphql``, one session, one viewer and one audit entry per
request.

A request flows:

1. **token** -> ``Authorization: Bearer hub_...`` is looked up (one indexed query); missing,
   unknown or revoked: HTTP 401, nothing else;
2. **viewer** -> the token's role, grid scope and holder, per the policy file;
3. **purpose** -> ``X-Hub-Purpose`` is read; an operation that selects personal data without
   one is refused before it runs (``PURPOSE_REQUIRED``);
4. **execution** -> in production only published operations (by hash); limits on depth,
   aliases and tokens; every gated field asks the viewer and lands in the read log;
5. **audit** -> one hash-chained entry (who, role, when, purpose, persons, fields, allowed or
   refused) is written and committed in the request's transaction;
6. **response** -> only then; if the entry cannot be written, the client gets
   ``AUDIT_UNAVAILABLE`` (HTTP 503) and no data.

Production mode (the default) accepts POST only, hides GraphiQL and refuses introspection.
Development mode serves GraphiQL and gives a request without a token full access (a token,
when sent, still gets its role). The engine is created here and disposed when the app stops.

Limits (``docs/security.md``, values in :class:`hub.config.ApiLimits`): the body is capped
while it is read (413) and each token has a rate (429) before anything is parsed; variables
are checked for size before they are coerced and a mutation's grant before it runs
(:mod:`schema.limits`); database work runs in worker threads apart from the event loop, HTTP's
apart from the subscriptions', on a pool as large as both (a connection or lock not free in
time: 503 ``BUSY``); subscriptions are counted per token and in all, and open WebSockets in
all. Every response carries the security headers (:mod:`hub.api.middleware`).

Subscriptions (the change feed) run over WebSocket on the same path, graphql-transport-ws
only. A browser cannot set headers on a WebSocket, so the token and the purpose come in the
``connection_init`` payload (``{"Authorization": "Bearer hub_...", "X-Hub-Purpose": "..."}``):
a missing or unknown token closes the connection (4403) before anything runs. Then as over
HTTP: published operations only (subscriptions only), the same viewer, and every delivery
audited before it is sent (:mod:`schema.changes.subscription`). A mutation's commit rings the
subscriptions' bell, so they look for new events at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from cross_web import HTTPException
from graphql import GraphQLError, OperationDefinitionNode, parse
from graphql import OperationType as AstOperationType
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http import process_result as http_result
from strawberry.http.async_base_view import AsyncHTTPRequestAdapter
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.utils.aio import aclosing

from hub.api import audit
from hub.api.access import (
    DEVELOPER,
    DataCategory,
    Viewer,
    ViewerForRequest,
    development_viewer,
    full_access,
    no_access,
)
from hub.api.allowlist import AllowList, NotAllowListed
from hub.api.graphiql import ASSETS_PATH as GRAPHIQL_ASSETS
from hub.api.graphiql import assets as graphiql_assets
from hub.api.graphiql import graphiql_html
from hub.api.guard import (
    BUSY,
    RETRY_BUSY_SECONDS,
    BadBody,
    Guard,
    decode_body,
    pool_options,
    quota_key,
    send_busy,
    send_rate_limited,
)
from hub.api.health import ServiceUnavailable, check_database
from hub.api.limits import Quota, RateLimited
from hub.api.middleware import API_CSP, BodyLimit, SecurityHeaders
from hub.api.middleware import HEADERS as SECURITY_HEADERS
from hub.api.policy import DEFAULT_POLICY, Policy, load_policy
from hub.api.purpose import PURPOSE_HEADER, PurposeError, parse_purpose
from hub.api.tokens import TokenViewers
from hub.config import Mode, Settings, load_settings
from hub.quality.csp import docs_policy
from hub.storage.models import AuditHead
from hub.storage.session import is_busy, make_engine, session_factory
from schema.context import Bell, Context, Outage
from schema.export import OPERATIONS_DIR
from schema.permissions import gated_fields, write_fields
from schema.root import build_schema

GRAPHQL_PATH = "/graphql"
#: The Great Expectations Data Docs of the latest validations, for stewards.
QUALITY_DOCS_PATH = "/quality/docs"
#: The purpose recorded for a development request that states none.
DEVELOPMENT_PURPOSE = "development"
_SESSION_KEY = "hub.session"
_READER_KEY = "hub.reader"
_VIEWER_KEY = "hub.viewer"
_CONTEXT_KEY = "hub.context"
_RESPONSE_KEY = "hub.response"
#: Errors that mean the request was refused, in part or whole.
_REFUSALS = frozenset({"FORBIDDEN", "PURPOSE_REQUIRED"})
#: GraphiQL's page (development only) loads and runs scripts: only framing is ruled out.
DEVELOPMENT_IDE_CSP = "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
AUDIT_UNAVAILABLE: GraphQLHTTPResponse = {
    "data": None,
    "errors": [
        {
            "message": "The read could not be written to the audit trail, so nothing is returned.",
            "extensions": {"code": "AUDIT_UNAVAILABLE"},
        }
    ],
}

logger = logging.getLogger(__name__)


class _Busy(Exception):
    """The database had no connection or lock free in time for a WebSocket's token."""


async def _unauthorized(scope: Scope, receive: Receive, send: Send) -> None:
    await Response(status_code=401, headers={"WWW-Authenticate": 'Bearer realm="hub"'})(
        scope, receive, send
    )


class Authenticator:
    """Names the viewer of a request in a session of its own (kept for the request).

    The token lookup runs in a worker thread (``limiter``) and ends its transaction there:
    no connection is held while the request goes on (a token's last use, when due, is
    written in a short transaction of its own, see :class:`hub.api.tokens.TokenViewers`)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        viewer_for_request: ViewerForRequest,
        limiter: anyio.CapacityLimiter | None = None,
    ) -> None:
        self.sessions = sessions
        self.viewer_for_request = viewer_for_request
        self.limiter = limiter

    async def __call__(self, scope: Scope) -> Viewer | None:
        session = self.sessions()
        scope[_SESSION_KEY] = session
        request = Request(scope)

        def look_up() -> Viewer | None:
            try:
                viewer = self.viewer_for_request(request, session)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            return viewer

        found: Viewer | None = await anyio.to_thread.run_sync(look_up, limiter=self.limiter)
        return found

    async def admit(self, scope: Scope, receive: Receive, send: Send) -> Viewer | None:
        """The request's viewer; None once it was answered: 401 without a valid token, 503
        when the database had no connection or lock free in time."""
        try:
            viewer = await self(scope)
        except Exception as exc:
            if not is_busy(exc):
                raise
            await send_busy(send)
            return None
        if viewer is None:
            await _unauthorized(scope, receive, send)
        return viewer

    @staticmethod
    async def close(scope: Scope) -> None:
        session: Session | None = scope.pop(_SESSION_KEY, None)
        if session is not None:
            session.close()


class HubTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws with the allow-list, and subscriptions only."""

    view: HubGraphQL

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged:
            payload = message["payload"]
            extensions = payload.get("extensions")
            document = payload.get("query")
            allowlist = self.view.allowlist
            try:
                if allowlist is not None:
                    document = allowlist.document(
                        document, extensions if isinstance(extensions, dict) else None
                    )
                _subscription_only(document, payload.get("operationName"))
            except NotAllowListed as exc:
                await self._refuse(message["id"], str(exc), exc.code)
                return
            except ValueError as exc:
                await self._refuse(message["id"], str(exc), "BAD_USER_INPUT")
                return
            message = {**message, "payload": {**payload, "query": document}}
        await super().handle_subscribe(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        """As Strawberry's; a database that is busy closes the connection with 1013 (try
        again later) rather than failing it."""
        try:
            await super().handle_connection_init(message)
        except _Busy:
            await self.websocket.close(code=1013, reason="The hub is busy: try again shortly.")

    async def _refuse(self, operation_id: str, reason: str, code: str) -> None:
        error = GraphQLError(reason, extensions={"code": code})
        refusal: ErrorMessage = {"id": operation_id, "type": "error",
                                 "payload": [error.formatted]}  # fmt: skip
        await self.send_message(refusal)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """As Strawberry's, but only subscriptions run over a WebSocket."""
        try:
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=self.context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
                allowed_operation_types=(OperationType.SUBSCRIPTION,),
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise


def _subscription_only(document: str | None, operation_name: str | None) -> None:
    """Refuse (``ValueError``) a document whose operation is not a subscription."""
    try:
        parsed = parse(document or "")
    except GraphQLError as exc:
        raise ValueError(f"The document does not parse: {exc.message}") from None
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None
              or (o.name is not None and o.name.value == operation_name)]  # fmt: skip
    if len(chosen) != 1 or chosen[0].operation is not AstOperationType.SUBSCRIPTION:
        raise ValueError("Only subscriptions run over a WebSocket: send queries and mutations "
                         "over HTTP POST.")  # fmt: skip


class HubGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with the hub's typed context, a session per request, the
    allow-list and the audit entry written before the response."""

    graphql_transport_ws_handler_class = HubTransportWS

    def __init__(
        self,
        *,
        schema: BaseSchema,
        development: bool,
        authenticator: Authenticator,
        allowlist: AllowList | None,
        guard: Guard,
        readers: sessionmaker[Session],
        audit_key: bytes | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if development else None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=dt.timedelta(seconds=10),
            max_subscriptions_per_connection=1,  # one feed per connection: one audit stream
        )
        self.development = development
        self.authenticator = authenticator
        self.allowlist = allowlist
        self.guard = guard
        self.readers = readers
        self.audit_key = audit_key
        self.bell = Bell()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        try:
            viewer = await self.authenticator.admit(scope, receive, send)
            if viewer is None:
                return
            try:  # before the body is read: a token over its rate costs nothing more
                self.guard.quotas.charge(Quota.REQUEST, quota_key(viewer))
            except RateLimited as limited:
                await send_rate_limited(send, limited)
                return
            scope[_VIEWER_KEY] = viewer
            await super().__call__(scope, receive, send)
        finally:
            await self.authenticator.close(scope)
            _close_reader(scope)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket, if the server has room for one more: the token comes in
        connection_init (on_ws_connect), on a session of its own."""
        if self.guard.websockets >= self.guard.limits.websockets_total:
            await send({"type": "websocket.close", "code": 1013})  # try again later
            return
        self.guard.websockets += 1
        scope[_SESSION_KEY] = self.authenticator.sessions()
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.guard.websockets -= 1
            await self.authenticator.close(scope)
            _close_reader(scope)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        """The request's session and viewer, and the purpose it states (a WebSocket's come
        with its connection_init: :meth:`on_ws_connect`)."""
        guard = self.guard
        reader = request.scope[_READER_KEY] = self.readers()
        if isinstance(request, WebSocket):
            return Context(session=request.scope[_SESSION_KEY], viewer=no_access(),
                           bell=self.bell, reader=reader, limiter=guard.stream_threads,
                           quotas=guard.quotas, streams=guard.streams,
                           audit_key=self.audit_key)  # fmt: skip
        viewer: Viewer = request.scope[_VIEWER_KEY]
        try:
            purpose = parse_purpose(request.headers.get(PURPOSE_HEADER))
        except PurposeError as exc:
            raise HTTPException(400, str(exc)) from exc
        if purpose is None and self.development and viewer.role == DEVELOPER:
            purpose = DEVELOPMENT_PURPOSE
        context = Context(session=request.scope[_SESSION_KEY], viewer=viewer, purpose=purpose,
                          bell=self.bell, reader=reader, limiter=guard.db_threads,
                          quotas=guard.quotas, audit_key=self.audit_key, http=True)  # fmt: skip
        request.scope[_CONTEXT_KEY] = context
        request.scope[_RESPONSE_KEY] = response
        return context

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult:
        """One plain operation: no batches, no streams; published ones only, when listed."""
        if isinstance(request_data, list):
            raise HTTPException(400, "Batching is not enabled")
        if request_data.protocol != "http":
            raise HTTPException(400, "Streaming responses are not enabled")
        if self.allowlist is not None:
            try:
                query = self.allowlist.document(request_data.query, request_data.extensions)
            except NotAllowListed as exc:
                error = GraphQLError(str(exc), extensions={"code": exc.code})
                return ExecutionResult(data=None, errors=[error])
            request_data = replace(request_data, query=query, extensions=None)
        return await self.execute_single(
            request=request,
            request_adapter=request_adapter,
            sub_response=sub_response,
            context=context,
            root_value=root_value,
            request_data=request_data,
        )

    @property
    def graphql_ide_html(self) -> str:
        """GraphiQL, its scripts and styles served by this app (no CDN: works offline)."""
        return graphiql_html()

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        """The viewer and purpose of a WebSocket, from its connection_init payload; refused
        (close 4403) without a valid token or with an unusable purpose."""
        params = context.connection_params or {}
        authorization = _param(params, "authorization")
        headers = [] if authorization is None else [(b"authorization", authorization.encode())]
        request = Request({"type": "http", "method": "GET", "path": GRAPHQL_PATH,
                           "headers": headers, "query_string": b""})  # fmt: skip
        find = self.authenticator.viewer_for_request
        try:  # in a thread: a token's last use may be written, and wait for the lock
            viewer = await context.lookup(lambda session: find(request, session))
        except Exception as exc:
            if is_busy(exc):
                raise _Busy from exc
            raise
        if viewer is None:
            raise ConnectionRejectionError({"message": "A valid token is needed."})
        try:
            purpose = parse_purpose(_param(params, PURPOSE_HEADER))
        except PurposeError as exc:
            raise ConnectionRejectionError({"message": str(exc)}) from exc
        if purpose is None and self.development and viewer.role == DEVELOPER:
            purpose = DEVELOPMENT_PURPOSE
        context.viewer, context.purpose = viewer, purpose
        context.recheck = lambda session: find(request, session) is not None
        return None

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        """The response, once the audit entry of what the request read is committed; a
        request the server could not serve gets its status (503, 429) and no data."""
        context: Context = request.scope[_CONTEXT_KEY]
        response: Response = request.scope[_RESPONSE_KEY]
        if context.outage is Outage.AUDIT:
            logger.error("a write's audit entry was not written; the write was rolled back")
            response.status_code = 503
            return AUDIT_UNAVAILABLE
        if context.outage is Outage.BUSY:
            response.status_code = 503
            response.headers["Retry-After"] = str(RETRY_BUSY_SECONDS)
            return BUSY
        try:
            if not context.reads.empty:
                entry = context.entry(refused=_refused(result))
                key = context.audit_key
                await context.write(lambda session: audit.append(session, entry, key),
                                    audit_write=False)  # fmt: skip
        except Exception as exc:  # any failure to record the read fails the read
            if is_busy(exc):
                response.status_code = 503
                response.headers["Retry-After"] = str(RETRY_BUSY_SECONDS)
                return BUSY
            logger.error("audit entry not written (%s); the response was withheld",
                         type(exc).__name__)  # fmt: skip
            response.status_code = 503
            return AUDIT_UNAVAILABLE
        if context.wrote:
            self.bell.ring()  # a mutation committed: subscriptions look at once
        if context.retry_after is not None:  # a lookup or write over its token's rate
            response.status_code = 429
            response.headers["Retry-After"] = str(math.ceil(context.retry_after))
        return http_result(result)

    def parse_json(self, data: str | bytes) -> Any:
        """The body as JSON: strict UTF-8, not nested too deep, an object (or a list, which
        is refused as a batch); anything else is a 400, not a 500 (:func:`decode_body`)."""
        try:
            return decode_body(data)
        except BadBody as bad:
            raise HTTPException(400, str(bad)) from None

    def decode_json(self, data: str | bytes) -> object:
        """A WebSocket message as JSON: as a body, and an object (anything else closes the
        connection with 4400, as Strawberry does for text that is not JSON)."""
        try:
            message = decode_body(data)
        except BadBody as bad:
            raise json.JSONDecodeError(str(bad), "", 0) from None
        if not isinstance(message, dict):
            raise json.JSONDecodeError("A message is a JSON object.", "", 0)
        return message

    def encode_json(self, data: object) -> str:
        """JSON with Chinese text as itself, not six-byte escapes (text frames on a
        WebSocket; UTF-8 over HTTP)."""
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _param(params: dict[str, Any], name: str) -> str | None:
    """A connection_init value by header name, in any letter case."""
    for key, value in params.items():
        if key.lower() == name.lower() and isinstance(value, str):
            return value
    return None


def _close_reader(scope: Scope) -> None:
    reader: Session | None = scope.pop(_READER_KEY, None)
    if reader is not None:
        reader.close()


def _refused(result: ExecutionResult) -> bool:
    """Whether the request was refused in part or whole (its audit entry says so)."""
    codes = {(e.extensions or {}).get("code") for e in result.errors or []}
    return bool(codes & _REFUSALS) or result.data is None


class QualityDocs:
    """The static Data Docs, for viewers granted ``quality`` only (401 without a token),
    with the site's own Content-Security-Policy (:mod:`hub.quality.csp`)."""

    def __init__(self, docs: ASGIApp, authenticator: Authenticator, docs_dir: Path) -> None:
        self.docs = docs
        self.authenticator = authenticator
        self.docs_dir = docs_dir

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            viewer = await self.authenticator.admit(scope, receive, send)
        finally:
            await self.authenticator.close(scope)
        if viewer is None:
            return
        if not viewer.reads(DataCategory.QUALITY):
            await Response(status_code=403)(scope, receive, send)
        elif not self.docs_dir.is_dir():  # no pipeline run has built them yet
            await Response("No Data Docs have been built yet.", status_code=404)(
                scope, receive, send
            )
        else:
            policy = docs_policy(self.docs_dir).encode()

            async def with_policy(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = [*message.get("headers", []), (b"content-security-policy", policy)]
                    message = {**message, "headers": headers}
                await send(message)

            await self.docs(scope, receive, with_policy)


class Anchoring:
    """Writes the audit chain's head out of the database (:func:`hub.api.audit.anchor`)
    whenever it moved, every ``seconds``; in a worker thread, a failure logged, not fatal."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.sessions = sessions
        self.path = settings.audit_anchor_file
        self.key = settings.audit_key
        self.last: str | None = None

    async def every(self, seconds: float) -> None:
        while True:
            await anyio.sleep(seconds)
            await anyio.to_thread.run_sync(self.once)

    def once(self) -> None:
        try:
            with self.sessions() as session:
                head = session.get(AuditHead, audit.HEAD_ID)
                if head is None or head.entry_hash == self.last or head.length == 0:
                    return
                self.last = audit.anchor(session, self.path, self.key).entry_hash
        except Exception as exc:  # the next round tries again
            logger.warning("audit head not anchored: %s", type(exc).__name__)


def development_viewers(tokens: ViewerForRequest) -> ViewerForRequest:
    """Development: a token's viewer when one is sent, full access otherwise."""

    def viewer_for_request(request: Request, session: Session) -> Viewer | None:
        if "authorization" in request.headers:
            return tokens(request, session)
        return full_access()

    return viewer_for_request


def create_app(
    settings: Settings,
    *,
    development: bool | None = None,
    viewer_for_request: ViewerForRequest | None = None,
    policy: Policy | None = None,
    allow_listed_only: bool | None = None,
) -> Starlette:
    """The hub's web app on ``settings.database_url``, in ``settings.mode`` unless
    ``development`` says otherwise.

    The policy file is loaded and checked against the schema here (a mistake stops the app).
    ``viewer_for_request`` replaces token authentication (tests); ``allow_listed_only``
    (default: outside development) runs published operations only.
    """
    if development is None:
        development = settings.mode is Mode.DEVELOPMENT
    if viewer_for_request is development_viewer and not development:
        raise ValueError("the full-access development viewer is for development mode only")
    schema = build_schema(development=development, limits=settings.api_limits)
    if policy is None:
        policy = load_policy(DEFAULT_POLICY, gated_fields(schema), write_fields(schema))
    if viewer_for_request is None:
        tokens = TokenViewers(policy)
        viewer_for_request = development_viewers(tokens) if development else tokens
    if allow_listed_only is None:
        allow_listed_only = not development
    limits = settings.api_limits
    guard = Guard.of(limits)
    # Parameters out of error messages: an ID number must not reach a log through SQL.
    engine = make_engine(settings.database_url, hide_parameters=True,
                         busy_seconds=limits.busy_seconds, lock_seconds=limits.busy_seconds,
                         **pool_options(limits))  # fmt: skip

    # Reads run on the event loop (schema.context): one connection of their own, never waited
    # for, and lock waits bounded.
    reader = make_engine(settings.database_url, hide_parameters=True,
                         busy_seconds=limits.read_wait_seconds,
                         lock_seconds=limits.read_wait_seconds, poolclass=StaticPool)  # fmt: skip

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(check_database, engine)  # refuse to start without it
        anchors = Anchoring(session_factory(engine), settings)
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(anchors.every, settings.audit_anchor_seconds)
            yield
            tasks.cancel_scope.cancel()
        await anyio.to_thread.run_sync(anchors.once)  # the head as the server leaves it
        engine.dispose()
        reader.dispose()

    authenticator = Authenticator(session_factory(engine), viewer_for_request, guard.db_threads)
    graphql = HubGraphQL(
        schema=schema,
        development=development,
        authenticator=authenticator,
        allowlist=AllowList.from_directory(OPERATIONS_DIR) if allow_listed_only else None,
        guard=guard,
        readers=session_factory(reader),
        audit_key=settings.audit_key,
    )
    methods = ["GET", "POST"] if development else ["POST"]
    # The docs hold expectation results, counts and record ids, never names, IDs or phones.
    docs_dir = settings.quality_docs_dir
    docs = StaticFiles(directory=docs_dir, html=True, check_dir=False)
    routes = [
        Route(GRAPHQL_PATH, graphql, methods=methods),
        WebSocketRoute(GRAPHQL_PATH, graphql),
        Mount(QUALITY_DOCS_PATH, app=QualityDocs(docs, authenticator, docs_dir)),
    ]
    if development:  # GraphiQL's own scripts and styles, vendored
        routes.append(Mount(GRAPHIQL_ASSETS, app=graphiql_assets(), name="graphiql-assets"))
    # Development serves GraphiQL's page: it runs scripts, so it keeps only the framing rules.
    pages = {GRAPHQL_PATH: DEVELOPMENT_IDE_CSP} if development else {}
    middleware = [
        Middleware(SecurityHeaders, pages=pages),
        # A request that finds the database gone gets 503 and a JSON error, not a bare 500.
        Middleware(ServiceUnavailable),
        Middleware(BodyLimit, max_bytes=limits.max_body_bytes),
    ]
    return Starlette(routes=routes, lifespan=lifespan, middleware=middleware,
                     exception_handlers={Exception: _server_error})  # fmt: skip


async def _server_error(request: Request, exc: Exception) -> Response:
    """A bug's answer (sent outside the middleware, so it carries the headers itself): no
    trace, no message; the server logs the exception."""
    body = json.dumps({"errors": [{"message": "Unexpected error.",
                                   "extensions": {"code": "INTERNAL"}}]})  # fmt: skip
    response = Response(body, status_code=500, media_type="application/json")
    for name, value in SECURITY_HEADERS:
        response.headers[name.decode()] = value.decode()
    response.headers["content-security-policy"] = API_CSP
    return response


def app_from_environment() -> Starlette:
    """The app of the settings in the environment (``hub serve --workers``: each process)."""
    return create_app(load_settings())
