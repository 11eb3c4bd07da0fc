"""The Starlette app: GraphQL at ``/graphql``, one session and one viewer per request.

Production mode (the default) accepts POST only, hides GraphiQL and refuses introspection;
``development=True`` serves GraphiQL on GET and, unless told otherwise, gives every request
full access. The engine is created here, by the factory, and disposed when the app stops.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from hub.api.access import ViewerForRequest, anonymous_viewer, development_viewer
from hub.config import Settings
from hub.storage.session import make_engine, session_factory
from schema.context import Context
from schema.root import build_schema

GRAPHQL_PATH = "/graphql"
#: The Great Expectations Data Docs of the latest validations, for stewards.
QUALITY_DOCS_PATH = "/quality/docs"
_SESSION_KEY = "hub.session"


class HubGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with the hub's typed context and a session per request."""

    def __init__(
        self,
        *,
        development: bool,
        sessions: sessionmaker[Session],
        viewer_for_request: ViewerForRequest,
    ) -> None:
        super().__init__(
            build_schema(development=development),
            graphql_ide="graphiql" if development else None,
            allow_queries_via_get=False,
        )
        self.sessions = sessions
        self.viewer_for_request = viewer_for_request

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        """A session of its own and the viewer the access seam names for this request."""
        assert isinstance(request, Request)  # the route is HTTP only
        session = self.sessions()
        request.scope[_SESSION_KEY] = session
        viewer = await anyio.to_thread.run_sync(self.viewer_for_request, request, session)
        return Context(session=session, viewer=viewer)

    def encode_json(self, data: object) -> bytes:
        """UTF-8 JSON: Chinese text as itself, not six-byte escapes."""
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            session: Session | None = scope.pop(_SESSION_KEY, None)
            if session is not None:
                await anyio.to_thread.run_sync(session.close)


def create_app(
    settings: Settings,
    *,
    development: bool = False,
    viewer_for_request: ViewerForRequest | None = None,
) -> Starlette:
    """The hub's web app on ``settings.database_url``.

    ``viewer_for_request`` names the viewer of each request (tokens plug in here). Without
    it, a development app grants full access and any other app reads no personal data.
    """
    if viewer_for_request is development_viewer and not development:
        raise ValueError("the full-access development viewer is for development mode only")
    if viewer_for_request is None:
        viewer_for_request = development_viewer if development else anonymous_viewer
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        engine.dispose()

    graphql = HubGraphQL(
        development=development,
        sessions=session_factory(engine),
        viewer_for_request=viewer_for_request,
    )
    methods = ["GET", "POST"] if development else ["POST"]
    # The docs hold expectation results, counts and record ids, never names, IDs or phones.
    docs = StaticFiles(directory=settings.quality_docs_dir, html=True, check_dir=False)
    routes = [
        Route(GRAPHQL_PATH, graphql, methods=methods),
        Mount(QUALITY_DOCS_PATH, app=docs, name="quality-docs"),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
