"""The in-process route for aiohttp: calls to the base URLs go, at the same path and query, to a
loopback server of the same emulator, started by the first such call and stopped with the route."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

import aiohttp
import httpx
from starlette.types import ASGIApp

from contract_tests.baseurls import BaseUrls
from contract_tests.live import listening


class LazyServer:
    """A loopback server of the app, started when a call first needs its URL."""

    def __init__(self, app: ASGIApp, stack: ExitStack) -> None:
        self.app, self.stack = app, stack
        self.lock = threading.Lock()
        self.url: httpx.URL | None = None

    def origin(self) -> httpx.URL:
        """The server's URL; the server starts if it has not yet."""
        with self.lock:
            if self.url is None:
                self.url = httpx.URL(self.stack.enter_context(listening(self.app)))
            return self.url


@contextmanager
def routed(bases: BaseUrls, app: ASGIApp) -> Iterator[None]:
    """While the block runs, every aiohttp ClientSession sends calls to the base URLs to a
    loopback server of the app; aiohttp then answers with its own, real responses."""
    original = aiohttp.ClientSession._request
    with ExitStack() as stack:
        server = LazyServer(app, stack)

        async def request(session: aiohttp.ClientSession, method: str, url: Any, **kw: Any) -> Any:
            return await original(session, method, _local(bases, server, session, url), **kw)

        stack.enter_context(mock.patch.object(aiohttp.ClientSession, "_request", request))
        yield


def _local(bases: BaseUrls, server: LazyServer, session: aiohttp.ClientSession, url: Any) -> Any:
    """The loopback server's URL for a call to a base URL; any other URL as it was."""
    try:
        rewritten = bases.rewrite(httpx.URL(str(session._build_url(url))))
    except (httpx.InvalidURL, ValueError, TypeError):
        return url  # aiohttp itself reports what is wrong with it
    if rewritten is None:
        return url
    origin = server.origin()
    return str(rewritten.copy_with(scheme=origin.scheme, host=origin.host, port=origin.port))
