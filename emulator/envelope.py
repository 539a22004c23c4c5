"""Envelopes: success and error bodies in each operation's documented style, and ApiError."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from emulator.clock import Clock, Ids
from emulator.spec import Envelope, Json

DEFAULT_STYLE = "code_int_msg"


class ApiError(Exception):
    """An error answer: status, code and message come from schemas/errors.json by key."""

    def __init__(self, key: str, details: list[Json] | None = None, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        self.details = details


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def message(errors: Mapping[str, Json], error: ApiError) -> str:
    """An error's message: its template in the error table, filled with the error's values."""
    return str(errors[error.key]["message"]).format_map(_Blank(error.params))


def failure(errors: Mapping[str, Json], index: int, error: ApiError) -> Json:
    """One failed item of a batch, as data: its index, the error's code, message and path."""
    item: Json = {"index": index, "code": int(errors[error.key]["code"])}
    item["msg"] = message(errors, error)
    if "path" in error.params:
        item["path"] = str(error.params["path"])
    return item


class Renderer:
    """Turns data or an ApiError into the bytes of an answer, in an envelope style."""

    def __init__(
        self, errors: Mapping[str, Json], clock: Clock, ids: Ids, error_status: str = "http"
    ) -> None:
        self._errors = errors
        self._clock = clock
        self._ids = ids
        self._vendor = error_status == "vendor"

    def success(self, envelope: Envelope, data: Any) -> bytes:
        """A success body: the style's success code and message around the data."""
        return self._body(envelope, envelope.success_code, envelope.success_message, data)

    def error(self, envelope: Envelope, error: ApiError) -> tuple[int, bytes]:
        """An API error: HTTP 200 under the vendor convention (its failure tabs are all 200),
        else the status of its kind."""
        status, body = self.http_error(envelope, error)
        return (200 if self._vendor else status), body

    def http_error(self, envelope: Envelope, error: ApiError) -> tuple[int, bytes]:
        """The HTTP status and body of an error, its code typed as the style types codes."""
        entry = self._errors[error.key]
        message = self.message(error)
        code: str | int = entry["code"]
        code = str(code) if isinstance(envelope.success_code, str) else int(code)
        details = error.details
        if details is None:
            path = error.params.get("path")
            details = [{"path": str(path), "message": message}] if path else []
        data = {"error": error.key, "details": details}
        return int(entry["status"]), self._body(envelope, code, message, data)

    def message(self, error: ApiError) -> str:
        """The error's message, its template filled with the error's values."""
        return message(self._errors, error)

    def _body(self, envelope: Envelope, code: str | int, message: str, data: Any) -> bytes:
        body: Json = {}
        for key in envelope.keys:
            if key == "code":
                body[key] = code
            elif key == "data":
                body[key] = data
            elif key in ("msg", "message"):
                body[key] = message
            elif key == "request_id":
                body[key] = self._ids.hex32()
            elif key == "timestamp":
                body[key] = self._clock.now_ms()
        return orjson.dumps(body)
