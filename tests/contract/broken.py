"""A deliberately broken server: the emulator behind an ASGI wrapper that spoils its answers,
one defect at a time, for the contract run to catch."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send

from emulator.spec import Catalogue, Operation

Spoiled = tuple[int, str, bytes, dict[str, str]]
Defect = Callable[[Operation, int, Any], Spoiled | None]  # None: leave the answer alone
JSON = "application/json"


def success(op: Operation, body: Any) -> bool:
    return isinstance(body, dict) and body.get("code") == op.envelope.success_code


def issues_tokens(op: Operation) -> bool:
    return bool(op.entry.get("resource") == "token")


def as_json(status: int, body: Any, **headers: str) -> Spoiled:
    return status, JSON, json.dumps(body).encode(), headers


def leave_alone(op: Operation, status: int, body: Any) -> Spoiled | None:
    return None  # no defect: the emulator as it is


def flip_success_code_type(op: Operation, status: int, body: Any) -> Spoiled | None:
    if not success(op, body):
        return None
    code = body["code"]
    return as_json(status, {**body, "code": str(code) if isinstance(code, int) else int(code)})


def drop_a_required_field(op: Operation, status: int, body: Any) -> Spoiled | None:
    required = op.response_schema["properties"]["data"].get("required", [])
    if not success(op, body) or issues_tokens(op) or not required:
        return None
    data = {k: v for k, v in body["data"].items() if k != required[0]}
    return as_json(status, {**body, "data": data})


def crash_on_invalid_input(op: Operation, status: int, body: Any) -> Spoiled | None:
    if success(op, body) or not str(body.get("code", "")).startswith("3"):
        return None
    return 500, "text/plain", b"Internal Server Error", {}


def bare_error_bodies(op: Operation, status: int, body: Any) -> Spoiled | None:
    if success(op, body):
        return None
    return as_json(400, {"error": body.get("msg") or body.get("message")})


def accept_invalid_input(op: Operation, status: int, body: Any) -> Spoiled | None:
    if success(op, body) or body["data"].get("error") != "invalid_request":
        return None
    return as_json(200, {**body, "code": op.envelope.success_code, "data": {}})


def errors_without_paths(op: Operation, status: int, body: Any) -> Spoiled | None:
    if success(op, body):
        return None
    return as_json(status, {**body, "data": {**body["data"], "details": []}})


def refuse_valid_input(op: Operation, status: int, body: Any) -> Spoiled | None:
    if not success(op, body) or issues_tokens(op):
        return None
    code: Any = 30006 if isinstance(op.envelope.success_code, int) else "30006"
    data = {"error": "invalid_request", "details": [{"path": "$", "message": "no"}]}
    return as_json(200, {**body, "code": code, "data": data})


def rate_limit_every_call(op: Operation, status: int, body: Any) -> Spoiled | None:
    if issues_tokens(op):
        return None
    code: Any = 42901 if isinstance(op.envelope.success_code, int) else "42901"
    data = {"error": "rate_limited", "details": []}
    return as_json(429, {**body, "code": code, "data": data}, **{"retry-after": "0"})


def empty_lists(op: Operation, status: int, body: Any) -> Spoiled | None:
    data = body.get("data") if success(op, body) else None
    if op.kind not in ("list", "query") or not isinstance(data, dict) or "list" not in data:
        return None
    return as_json(status, {**body, "data": {**data, "list": []}})


class Broken:
    """The app with one defect applied to the answers of the catalogue's operations."""

    def __init__(self, app: Starlette, catalogue: Catalogue, defect: Defect) -> None:
        self.app, self.catalogue, self.defect = app, catalogue, defect
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        op = self.catalogue.by_route.get((scope.get("method", ""), scope.get("path", "")))
        if op is None:
            await self.app(scope, receive, send)
            return
        self.calls += 1
        start: Message = {}

        async def spoil(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            found = self.defect(op, start["status"], json.loads(message["body"]))
            if found is None:
                await send(start)
                await send(message)
                return
            status, kind, body, headers = found
            raw = [
                (b"content-type", kind.encode()),
                *((k.encode(), v.encode()) for k, v in headers.items()),
            ]
            await send({"type": "http.response.start", "status": status, "headers": raw})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, spoil)
