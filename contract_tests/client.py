"""The HTTP client the server check sends through: httpx's sync API, as httpx.Client and
Starlette's TestClient (built on httpx2) both offer it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class Response(Protocol):
    """What the server check reads from an answer."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def text(self) -> str: ...

    def json(self) -> Any: ...


class Client(Protocol):
    """What the server check calls on a client."""

    def request(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        json: Any | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response: ...

    def post(
        self, url: str, *, json: Any | None = None, headers: dict[str, str] | None = None
    ) -> Response: ...
