"""Traffic between a client and one emulator: fuzzed answers swapped in, every call observed.

Both transports of the fixtures pass their answers through here: the in-process route (httpx
responses) and the live server (an ASGI wrapper)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.spec import Catalogue, Operation

WARNING_HEADER = "x-jing-emulator-warning"


@dataclass(frozen=True, slots=True)
class Seen:
    """One call as the emulator answered it: operation, status, code, error key, warning."""

    operation: str | None
    status: int
    success: bool
    error: str | None
    warned: bool


Observer = Callable[[Seen], None]


@dataclass(slots=True)
class Traffic:
    """Per operation, a fuzzed answer that replaces the emulator's successes; and observers."""

    catalogue: Catalogue
    fuzzed: dict[str, bytes] = field(default_factory=dict)
    observers: list[Observer] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)  # of a fuzzed answer, if not 200

    def answer(
        self, method: str, path: str, status: int, body: bytes, warned: bool
    ) -> tuple[int, bytes]:
        """The status and body the client gets (a fuzzed failure has its drawn status)."""
        answered = self.after(method, path, status, body, warned)
        if answered is body:
            return status, body
        op = self.catalogue.by_route[(method, path)]  # only an operation's answer is swapped
        return self.statuses.get(op.id, 200), answered

    def after(self, method: str, path: str, status: int, body: bytes, warned: bool) -> bytes:
        """The body the client gets: the emulator's, or the fuzzed answer for a success."""
        if not self.fuzzed and not self.observers:
            return body
        op = self.catalogue.by_route.get((method, path))
        seen = _seen(op, status, body, warned)
        for observer in self.observers:
            observer(seen)
        if op is not None and seen.success and op.id in self.fuzzed:
            return self.fuzzed[op.id]
        return body

    def route(self, respond: Callable[[httpx.Request], httpx.Response]) -> Any:
        """Wrap an in-process respx side effect."""

        def answer(request: httpx.Request) -> httpx.Response:
            response = respond(request)
            warned = WARNING_HEADER in response.headers
            args = (request.method, request.url.path, response.status_code, response.content)
            status, body = self.answer(*args, warned)
            if body is response.content:
                return response
            headers = {"content-type": "application/json"}
            return httpx.Response(status, headers=headers, content=body)

        return answer

    def asgi(self, app: ASGIApp) -> ASGIApp:
        """Wrap an ASGI app (the live server)."""
        return _Middleware(app, self)


def _seen(op: Operation | None, status: int, body: bytes, warned: bool) -> Seen:
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        parsed = None
    code = parsed.get("code") if isinstance(parsed, dict) else None
    success = op is not None and status == 200 and code == op.envelope.success_code
    data = parsed.get("data") if isinstance(parsed, dict) else None
    error = data.get("error") if isinstance(data, dict) and not success else None
    return Seen(
        op.id if op else None, status, success, error if isinstance(error, str) else None, warned
    )


class _Middleware:
    """Passes the live server's answers through a Traffic (the emulator sends each in one piece)."""

    def __init__(self, app: ASGIApp, traffic: Traffic) -> None:
        self.app, self.traffic = app, traffic

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message = {}

        async def relay(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                await self._answer(scope, start, message, send)

        await self.app(scope, receive, relay)

    async def _answer(self, scope: Scope, start: Message, message: Message, send: Send) -> None:
        headers = dict(start["headers"])
        warned = WARNING_HEADER.encode() in headers
        request = (scope["method"], scope["path"], start["status"], message.get("body", b""))
        status, body = self.traffic.answer(*request, warned)
        headers[b"content-length"] = str(len(body)).encode()
        await send({**start, "status": status, "headers": list(headers.items())})
        await send({**message, "body": body})
