"""In-process figures: an httpx call answered through the plugin's respx route, against bare.

Two references, both with the same client as the emulator's side:
- a bare ASGI call: `httpx.AsyncClient` over `httpx.ASGITransport` to the bare Starlette app
  (parse the JSON, reply fixed JSON), the usual way a test calls an ASGI app in-process;
- a bare respx route: `httpx.Client` and the same respx mechanism as the plugin, with a route
  that only runs `orjson.loads` and replies, so the ratio isolates what the emulator adds.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

import httpx
import orjson
import respx
from starlette.applications import Starlette

from benchmarks.bare_app import REPLY, create_bare_app
from benchmarks.workload import (
    TOKEN_PATH,
    UPDATE_PATH,
    Body,
    business_headers,
    check_update,
    token_request,
)
from contract_tests import inprocess
from contract_tests.handle import BASE_URL
from emulator.app import create_app, dispatch
from emulator.core import Request
from emulator.settings import Settings

ROUND_SECONDS = 0.25
Mount = Callable[[respx.MockRouter, Starlette], None]
AsyncCall = Callable[[], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class InProcessResult:
    body: str
    emulator_us: float  # median per-call time through the plugin's route (httpx.Client)
    bare_route_us: float  # the same client through a bare respx route
    route_ratio: float  # emulator/bare route time within each round, median of the rounds
    emulator_async_us: float  # the plugin's route with httpx.AsyncClient
    bare_asgi_us: float  # httpx.AsyncClient over ASGITransport to the bare Starlette app
    asgi_ratio: float  # emulator (async)/bare ASGI time within each round, median
    dispatch_us: float  # the route's handler alone (request conversion + dispatch), no client
    loads_us: float  # orjson.loads alone, no httpx


def mount_bare(router: respx.MockRouter, _: Starlette) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        orjson.loads(request.content)
        return httpx.Response(200, headers={"content-type": "application/json"}, content=REPLY)

    router.route().mock(side_effect=answer)


# The route measured as "emulator": the pytest plugin's own in-process route.
EMULATOR_ROUTE: Mount = inprocess.mount
BARE_ROUTE: Mount = mount_bare


def measure_inprocess(bodies: list[Body], rounds: int) -> list[InProcessResult]:
    """Per-call times, each the median of rounds that alternate emulator and bare."""
    app = create_app(Settings(seed=1, rate_limits="warn", seed_data="none"))
    headers = business_headers(_token(app))
    return [_measure_body(app, headers, body, rounds) for body in bodies]


def _measure_body(
    app: Starlette, headers: dict[str, str], body: Body, rounds: int
) -> InProcessResult:
    emulator, bare, emulator_async, bare_asgi = [], [], [], []
    for _ in range(rounds):
        emulator.append(_route_round(EMULATOR_ROUTE, app, headers, body))
        bare.append(_route_round(BARE_ROUTE, app, headers, body))
        emulator_async.append(asyncio.run(_emulator_async_round(app, headers, body)))
        bare_asgi.append(asyncio.run(_bare_asgi_round(headers, body)))
    direct = httpx.Request("POST", BASE_URL + UPDATE_PATH, headers=headers, content=body.payload)
    return InProcessResult(
        body.name,
        statistics.median(emulator),
        statistics.median(bare),
        _paired(emulator, bare),
        statistics.median(emulator_async),
        statistics.median(bare_asgi),
        _paired(emulator_async, bare_asgi),
        _median_us(rounds, partial(inprocess.answer, app.state.emulator, direct)),
        _median_us(rounds, partial(orjson.loads, body.payload)),
    )


def _paired(times: list[float], references: list[float]) -> float:
    return statistics.median(t / r for t, r in zip(times, references, strict=True))


def _route_round(mount: Mount, app: Starlette, headers: dict[str, str], body: Body) -> float:
    mock = respx.mock(assert_all_called=False, using=inprocess.MOCK_LAYER)
    with mock as router, httpx.Client(base_url=BASE_URL) as client:
        mount(router, app)
        call = partial(client.post, UPDATE_PATH, content=body.payload, headers=headers)
        first = call()
        if mount is EMULATOR_ROUTE:
            check_update(first.status_code, first.content, body)
        return per_call_us(call)


async def _emulator_async_round(app: Starlette, headers: dict[str, str], body: Body) -> float:
    with respx.mock(assert_all_called=False, using=inprocess.MOCK_LAYER) as router:
        EMULATOR_ROUTE(router, app)
        async with httpx.AsyncClient(base_url=BASE_URL) as client:
            call = partial(client.post, UPDATE_PATH, content=body.payload, headers=headers)
            first = await call()
            check_update(first.status_code, first.content, body)
            return await async_per_call_us(call)


async def _bare_asgi_round(headers: dict[str, str], body: Body) -> float:
    transport = httpx.ASGITransport(app=create_bare_app())
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        call = partial(client.post, UPDATE_PATH, content=body.payload, headers=headers)
        (await call()).raise_for_status()
        return await async_per_call_us(call)


def _median_us(rounds: int, call: Callable[[], object]) -> float:
    return statistics.median(per_call_us(call) for _ in range(rounds))


def per_call_us(call: Callable[[], object]) -> float:
    """Mean microseconds per call over about ROUND_SECONDS, after a short calibration."""
    return _timed_us(call, _calls_for(_timed_us(call, 5)))


async def async_per_call_us(call: AsyncCall) -> float:
    """per_call_us for a coroutine function, awaited one call after another."""
    return await _async_timed_us(call, _calls_for(await _async_timed_us(call, 5)))


def _calls_for(probe_us: float) -> int:
    return max(5, min(50_000, int(ROUND_SECONDS * 1e6 / max(probe_us, 0.01))))


def _timed_us(call: Callable[[], object], calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        call()
    return (time.perf_counter_ns() - start) / calls / 1000


async def _async_timed_us(call: AsyncCall, calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        await call()
    return (time.perf_counter_ns() - start) / calls / 1000


def _token(app: Starlette) -> str:
    headers = {"content-type": "application/json"}
    request = Request("POST", TOKEN_PATH, "", headers, token_request(), "127.0.0.1")
    return str(dispatch(app.state.emulator, request).json()["data"]["access_token"])
