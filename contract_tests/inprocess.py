"""The in-process route: httpx calls to the platform's base URL answered by an emulator (respx),
requests and aiohttp calls too when they are installed, and every other way out to those hosts
guarded."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from types import ModuleType
from typing import cast

import httpx
import respx
from respx.mocks import Mocker
from starlette.applications import Starlette

from contract_tests.baseurls import BaseUrls
from contract_tests.guard import guarded
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
Responder = Callable[[httpx.Request], httpx.Response]
# The other clients routed when installed: module, and the module of its route.
OPTIONAL_ROUTES = (("requests", "contract_tests.requests_route"),)
# The clients sent, when installed, to a loopback server of the same (traffic-wrapped) app.
LOOPBACK_ROUTES = (("aiohttp", "contract_tests.aiohttp_route"),)


@contextmanager
def serve_inprocess(
    settings: Settings | None = None, base_urls: Iterable[str] | None = None
) -> Iterator[EmulatorHandle]:
    """A fresh emulator answering httpx (sync and async), requests and aiohttp calls to the base
    URLs (BASE_URL unless given) while the block runs; any other call to those hosts raises."""
    bases = BaseUrls.parse(base_urls)
    app = create_app(settings or fixture_settings())
    handle = EmulatorHandle(app, bases.first)
    respond = handle.traffic.route(partial(answer, app.state.emulator))
    with ExitStack() as stack:
        router = stack.enter_context(
            respx.mock(assert_all_called=False, assert_all_mocked=True, using=MOCK_LAYER)
        )
        mount(router, app, handle.traffic, bases)
        for route in optional_routes():
            stack.enter_context(route.routed(bases, respond))
        for route in optional_routes(LOOPBACK_ROUTES):
            stack.enter_context(route.routed(bases, handle.traffic.asgi(app)))
        stack.enter_context(guarded(bases.hosts))
        stack.callback(app.state.emulator.close)  # the webhook worker, if it started
        yield handle


def optional_routes(routes: Iterable[tuple[str, str]] = OPTIONAL_ROUTES) -> list[ModuleType]:
    """The route modules of the other clients that are installed."""
    found = [route for name, route in routes if importlib.util.find_spec(name)]
    return [importlib.import_module(route) for route in found]


def mount(
    router: respx.MockRouter,
    app: Starlette,
    traffic: Traffic | None = None,
    bases: BaseUrls | None = None,
) -> None:
    """Add to a router: calls to the base URLs go to the app's emulator, calls elsewhere go out."""
    bases = bases or BaseUrls.parse()
    respond = partial(answer, app.state.emulator)
    side_effect = respond if traffic is None else traffic.route(respond)
    for scheme, host in dict.fromkeys((url.scheme, url.host) for url in bases.urls):
        ours = partial(_rewritten, bases, side_effect, router)
        router.route(scheme=scheme, host=host).mock(side_effect=ours)
    router.route().mock(side_effect=partial(elsewhere, router))


def _rewritten(
    bases: BaseUrls, respond: Responder, router: respx.MockRouter, request: httpx.Request
) -> httpx.Response | httpx.Request | None:
    """A call to a base URL's host: the emulator's answer, at its path, if under a base URL."""
    url = bases.rewrite(request.url)
    if url is None:
        return elsewhere(router, request)
    if url != request.url:
        request = httpx.Request(
            request.method, url, headers=request.headers, content=request.content
        )
    return respond(request)


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
