"""The in-process route for requests: a transport adapter that every Session picks for the base
URLs while the fixture runs, answering through the same responder as the httpx route."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import httpx
import requests
import urllib3
from requests.adapters import BaseAdapter, HTTPAdapter

from contract_tests.baseurls import BaseUrls

Responder = Callable[[httpx.Request], httpx.Response]


class EmulatorAdapter(HTTPAdapter):
    """Answers a requests call to a base URL in-process; no socket is opened."""

    def __init__(self, bases: BaseUrls, respond: Responder) -> None:
        super().__init__()
        self.bases, self.respond = bases, respond

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        sent = httpx.URL(request.url or "")
        url = self.bases.rewrite(sent) or sent  # Sessions pick this adapter for base URLs only
        method, headers = request.method or "GET", _headers(request)
        answer = self.respond(
            httpx.Request(method, url, headers=headers, content=_body(request.body))
        )
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(answer.content),
            headers=urllib3.HTTPHeaderDict(answer.headers.multi_items()),
            status=answer.status_code,
            reason=answer.reason_phrase,
            preload_content=False,
            decode_content=False,
        )
        return self.build_response(request, raw)


@contextmanager
def routed(bases: BaseUrls, respond: Responder) -> Iterator[None]:
    """While the block runs, every requests Session sends calls to the base URLs in-process."""
    adapter = EmulatorAdapter(bases, respond)
    original = requests.Session.get_adapter

    def get_adapter(session: requests.Session, url: str) -> BaseAdapter:
        try:
            ours = bases.rewrite(httpx.URL(url)) is not None
        except httpx.InvalidURL:
            ours = False
        return adapter if ours else original(session, url)

    with mock.patch.object(requests.Session, "get_adapter", get_adapter):
        yield


def _headers(request: requests.PreparedRequest) -> list[tuple[str, str]]:
    """The request's headers as text (requests also takes bytes values)."""
    items = request.headers.items()
    return [(k, v if isinstance(v, str) else v.decode("latin-1")) for k, v in items]


def _body(body: object) -> bytes:
    """The bytes of a prepared body: none, text, bytes, a file or an iterable of chunks."""
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if hasattr(body, "read"):
        return _body(body.read())
    return b"".join(_body(chunk) for chunk in body)  # type: ignore[attr-defined]
