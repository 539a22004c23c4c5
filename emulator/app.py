"""create_app: the emulator behind an ASGI shell (Starlette), and the one dispatch both
the shell and the in-process route use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator import openapi
from emulator.admin import handle_admin
from emulator.core import Emulator, Request, Response
from emulator.pages import serve_page
from emulator.settings import Settings, from_env
from emulator.spec import Catalogue


def create_app(settings: Settings | None = None) -> Starlette:
    """A fresh emulator served as an ASGI app; the emulator is app.state.emulator."""
    emulator = Emulator(settings or from_env())
    # Every HTTP request is the emulator's, routed by its own catalogue: the shell sits first in
    # the stack and answers it, so no Starlette routing runs per call (the lifespan still does).
    app = Starlette(middleware=[Middleware(Shell, emulator=emulator)], lifespan=lifespan)
    app.state.emulator = emulator
    return app


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """On shutdown, stop the emulator's background work (the webhook worker)."""
    yield
    app.state.emulator.close()


def dispatch(emulator: Emulator, request: Request) -> Response:
    """Route a request to a page, the admin API, the OpenAPI document or the emulated API."""
    page = serve_page(emulator, request)
    if page is not None:
        return page
    if request.path.startswith("/_admin"):
        return handle_admin(emulator, request)
    if request.path == "/openapi.json" and request.method == "GET":
        return Response(200, openapi_bytes(emulator.catalogue))
    return emulator.handle(request)


@lru_cache(maxsize=8)
def openapi_bytes(catalogue: Catalogue) -> bytes:
    """The OpenAPI document, rendered once per catalogue."""
    return orjson.dumps(openapi.document(catalogue))


class Shell:
    """The ASGI side: read the body (refusing oversized ones early), dispatch, reply."""

    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app  # the rest of the stack: the lifespan
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.serve(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one HTTP request."""
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        body, oversized = await read_body(receive, headers, self.emulator.settings.body_limit)
        client = scope.get("client")
        request = Request(
            scope["method"],
            scope["path"],
            scope["query_string"].decode("latin-1"),
            headers,
            body,
            client[0] if client else None,
            oversized,
        )
        response = dispatch(self.emulator, request)
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
        raw.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": raw})
        await send({"type": "http.response.body", "body": response.body})


async def read_body(receive: Receive, headers: dict[str, str], limit: int) -> tuple[bytes, bool]:
    """The request body, or (b"", True) as soon as it is known to be over the limit."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return b"", True
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks), False
