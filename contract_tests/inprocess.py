"""The in-process route: httpx calls to the platform's base URL answered by an emulator (respx)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import cast

import httpx
import respx
from respx.mocks import Mocker
from starlette.applications import Starlette

from contract_tests.handle import BASE_URL, EmulatorHandle, fixture_settings
from contract_tests.traffic import Traffic
from emulator.app import create_app, dispatch
from emulator.core import Emulator, Request
from emulator.settings import Settings

HOST = httpx.URL(BASE_URL).host
# The admin API answers loopback callers only; in-process calls come from the test itself.
CLIENT = "127.0.0.1"
# respx patches httpx's transports, not httpcore's pool below them: an answered call then
# skips two request and two response conversions (a third of the route's cost per call).
# Mocks of other layers still see what this one lets through.
MOCK_LAYER = "httpx"


@contextmanager
def serve_inprocess(settings: Settings | None = None) -> Iterator[EmulatorHandle]:
    """A fresh emulator answering httpx (sync and async) calls to BASE_URL while the block runs."""
    app = create_app(settings or fixture_settings())
    handle = EmulatorHandle(app, BASE_URL)
    with respx.mock(assert_all_called=False, assert_all_mocked=True, using=MOCK_LAYER) as router:
        mount(router, app, handle.traffic)
        try:
            yield handle
        finally:
            app.state.emulator.close()  # the webhook worker, if it started


def mount(router: respx.MockRouter, app: Starlette, traffic: Traffic | None = None) -> None:
    """Add to a router: calls to BASE_URL go to the app's emulator, calls elsewhere go out."""
    respond = partial(answer, app.state.emulator)
    side_effect = respond if traffic is None else traffic.route(respond)
    router.route(scheme="https", host=HOST).mock(side_effect=side_effect)
    router.route().mock(side_effect=partial(elsewhere, router))


def answer(emulator: Emulator, request: httpx.Request) -> httpx.Response:
    """Serve one call through the emulator's dispatch; synchronous, so any client can use it."""
    core = Request(
        method=request.method,
        path=request.url.path,
        query=request.url.query.decode("latin-1"),
        headers=dict(request.headers.items()),
        body=request.content,
        client=CLIENT,
    )
    response = dispatch(emulator, core)
    return httpx.Response(response.status, headers=response.headers, content=response.body)


def elsewhere(router: respx.MockRouter, request: httpx.Request) -> httpx.Request | None:
    """Let a call to another host through, unless another respx mock is active: it decides."""
    # A started router always has its Mocker, the registry of every active respx router.
    routers = cast("type[Mocker]", router.Mocker).routers
    # Returning the request passes it through; None leaves it to the other routers.
    return request if all(other is router for other in routers) else None
