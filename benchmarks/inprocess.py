"""In-process figures: an httpx call answered through a respx route, emulator against bare.

Both sides go through the same httpx.Client and the same respx route mechanism; only the
route's answer differs. The bare reference parses the JSON (orjson) and replies a fixed small
JSON, like the bare HTTP server, so the ratio isolates what the emulator adds per call.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import httpx
import orjson
import respx
from starlette.applications import Starlette

from benchmarks.bare_app import REPLY
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


@dataclass(frozen=True, slots=True)
class InProcessResult:
    body: str
    emulator_us: float  # median per-call time through the emulator's route
    bare_us: float  # the same through the bare route
    ratio: float  # emulator/bare time within each round, median of the rounds
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
    emulator, bare = [], []
    for _ in range(rounds):
        emulator.append(_route_round(EMULATOR_ROUTE, app, headers, body))
        bare.append(_route_round(BARE_ROUTE, app, headers, body))
    direct = httpx.Request("POST", BASE_URL + UPDATE_PATH, headers=headers, content=body.payload)
    return InProcessResult(
        body.name,
        statistics.median(emulator),
        statistics.median(bare),
        statistics.median(e / b for e, b in zip(emulator, bare, strict=True)),
        _median_us(rounds, partial(inprocess.answer, app.state.emulator, direct)),
        _median_us(rounds, partial(orjson.loads, body.payload)),
    )


def _route_round(mount: Mount, app: Starlette, headers: dict[str, str], body: Body) -> float:
    with respx.mock(assert_all_called=False) as router, httpx.Client(base_url=BASE_URL) as client:
        mount(router, app)
        call = partial(client.post, UPDATE_PATH, content=body.payload, headers=headers)
        first = call()
        if mount is EMULATOR_ROUTE:
            check_update(first.status_code, first.content, body)
        return per_call_us(call)


def _median_us(rounds: int, call: Callable[[], object]) -> float:
    return statistics.median(per_call_us(call) for _ in range(rounds))


def per_call_us(call: Callable[[], object]) -> float:
    """Mean microseconds per call over about ROUND_SECONDS, after a short calibration."""
    probe = _timed_us(call, 5)
    calls = max(5, min(50_000, int(ROUND_SECONDS * 1e6 / max(probe, 0.01))))
    return _timed_us(call, calls)


def _timed_us(call: Callable[[], object], calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        call()
    return (time.perf_counter_ns() - start) / calls / 1000


def _token(app: Starlette) -> str:
    headers = {"content-type": "application/json"}
    request = Request("POST", TOKEN_PATH, "", headers, token_request(), "127.0.0.1")
    return str(dispatch(app.state.emulator, request).json()["data"]["access_token"])
