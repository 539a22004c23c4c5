"""jing-emulator serve: bind the port, then announce it, then serve, logging each request."""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.spec import Catalogue

Write = Callable[[str], Any]
BACKLOG = 2048  # uvicorn's default


@dataclass(frozen=True, slots=True)
class Listening:
    """A bound, listening socket and the port it got (the one asked for, or a free one for 0)."""

    sock: socket.socket
    port: int


class BindError(Exception):
    """The address cannot be listened on (in use, not ours, not resolvable)."""


def listen(host: str, port: int) -> Listening:
    """Bind and listen now, so that what is printed next is true: connections queue from here."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(address)
            sock.listen(BACKLOG)
        except OSError:
            sock.close()
            raise
    except OSError as exc:
        raise BindError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return Listening(sock, int(sock.getsockname()[1]))


def write_port_file(path: Path, port: int) -> None:
    """The port as text, written whole (a reader polling for the file never sees half of it)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(f"{port}\n", encoding="ascii")
    partial.replace(path)


def run(app: ASGIApp, listening: Listening) -> None:
    """Serve on the socket until stopped (Ctrl-C or SIGTERM)."""
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[listening.sock])


class AccessLog:
    """One line per request: method, path, operation id, status, envelope code, milliseconds."""

    def __init__(self, app: ASGIApp, catalogue: Catalogue, write: Write | None = None) -> None:
        self.app, self.catalogue = app, catalogue
        self.write = write or _stdout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status, body = time.perf_counter(), 0, b""

        async def record(message: Message) -> None:
            nonlocal status, body
            if message["type"] == "http.response.start":
                status = message["status"]
            elif not body:
                body = message.get("body", b"")
            await send(message)

        await self.app(scope, receive, record)
        elapsed = (time.perf_counter() - started) * 1000
        self.write(self.line(scope, status, body, elapsed))

    def line(self, scope: Scope, status: int, body: bytes, ms: float) -> str:
        """The log line of one answered request."""
        method, path = scope["method"], scope["path"]
        op = self.catalogue.by_route.get((method, path))
        name = op.id if op else ("admin" if path.startswith("/_admin") else "-")
        return f"{method} {path} {name} {status} {envelope_code(body)} {ms:.1f}ms\n"


def envelope_code(body: bytes) -> str:
    """The answer's envelope code (10000, 0, 31003 ...), or - when it has none."""
    try:
        code = orjson.loads(body).get("code") if body.startswith(b"{") else None
    except orjson.JSONDecodeError:
        code = None
    return "-" if code is None else str(code)


def _stdout(line: str) -> None:
    sys.stdout.write(line)
    sys.stdout.flush()
