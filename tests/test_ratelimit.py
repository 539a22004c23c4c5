"""Rate limits: documented windows per app and operation, exact, on the virtual clock."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.testclient import TestClient

from emulator import create_app
from emulator.core import Emulator, Request
from emulator.ratelimit import describe, window_start
from emulator.settings import Settings
from tests.conftest import SETTINGS, START, post, user

CREATE = "/v1/customer/create"


def account(emulator: Emulator) -> dict[str, str]:
    return {
        "name": "n",
        "business_type": emulator.tenants.default.accounts.business_types()[0]["id"],
    }


def test_account_create_allows_ten_per_second(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    codes = [post(client, CREATE, account(emulator), headers)["code"] for _ in range(11)]
    assert codes == [0] * 10 + [42901]
    response = client.post(CREATE, json=account(emulator), headers=headers)
    assert response.status_code == 429
    assert "10 calls per second" in response.json()["msg"]
    emulator.clock.advance(1)
    assert post(client, CREATE, account(emulator), headers)["code"] == 0


def test_a_429_says_when_the_refusing_window_frees_in_retry_after(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    emulator.clock.advance(0.25)
    answers = [client.post(CREATE, json=account(emulator), headers=headers) for _ in range(11)]
    assert [a.headers.get("retry-after") for a in answers] == [None] * 10 + ["1"]
    op = emulator.catalogue.by_id["account.create"]
    for _ in range(999):
        emulator.clock.advance(1)
        for _ in range(10):
            emulator.limiter.hit(SETTINGS.app_id, op)
    emulator.clock.advance(1)
    refused = client.post(CREATE, json=account(emulator), headers=headers)
    # 10,000 calls a day: refused 1,000.25 s after 08:00 in Shanghai, free at midnight
    assert (refused.status_code, refused.headers["retry-after"]) == (429, str(16 * 3600 - 1000))
    assert "retry in 56600 s" in refused.json()["msg"]


def test_daily_window_counts_across_short_windows(emulator: Emulator) -> None:
    op = emulator.catalogue.by_id["account.create"]
    for _ in range(1000):
        for _ in range(10):
            emulator.limiter.hit("app", op)
        emulator.clock.advance(1)
    with pytest.raises(Exception, match="rate_limited"):
        emulator.limiter.hit("app", op)
    counters = emulator.limiter.counters()["app"]["account.create"]
    assert [c["window"] for c in counters] == ["second", "day"]
    assert counters[1]["used"] == 10000


def test_windows_are_per_app(emulator: Emulator) -> None:
    op = emulator.catalogue.by_id["account.create"]
    for _ in range(10):
        emulator.limiter.hit("a", op)
    assert emulator.limiter.hit("b", op) is None


def test_limit_is_exact_under_concurrent_calls() -> None:
    app = create_app(Settings(seed=1, clock_start=START, seed_data="none"))
    emulator: Emulator = app.state.emulator
    token = emulator.tenants.tokens.issue(SETTINGS.app_id)["access_token"]
    headers = {"app_id": SETTINGS.app_id, "access_token": token}

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            calls = [
                client.post("/v1/user/update", json=[user(f"135{n:08d}")], headers=headers)
                for n in range(520)
            ]
            return [r.status_code for r in await asyncio.gather(*calls)]

    statuses = asyncio.run(burst())
    assert statuses.count(200) == 500
    assert statuses.count(429) == 20


def test_warn_mode_serves_and_flags() -> None:
    app = create_app(Settings(seed=1, clock_start=START, rate_limits="warn"))
    emulator: Emulator = app.state.emulator
    token = emulator.tenants.tokens.issue(SETTINGS.app_id)["access_token"]
    auth = {"app_id": SETTINGS.app_id, "access_token": token}
    body = b'{"name": "n", "business_type": "' + account(emulator)["business_type"].encode() + b'"}'
    answers = [emulator.handle(Request("POST", CREATE, headers=auth, body=body)) for _ in range(11)]
    assert [a.status for a in answers] == [200] * 11
    assert ("x-jing-emulator-warning", "rate limit exceeded: 10 calls per second") in answers[
        10
    ].headers


def test_off_mode_counts_nothing() -> None:
    emulator: Emulator = create_app(Settings(rate_limits="off", seed_data="none")).state.emulator
    op = emulator.catalogue.by_id["account.create"]
    assert all(emulator.limiter.hit("a", op) is None for _ in range(50))
    assert emulator.limiter.counters() == {}


def test_invalid_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="rate_limits"):
        Settings(rate_limits="sometimes")


def test_daily_window_starts_at_shanghai_midnight() -> None:
    assert window_start(86400, START) == START - 8 * 3600
    assert window_start(10, START + 15) == START + 10
    assert describe(10) == "10 s"


def test_admin_shows_counters(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    post(client, CREATE, account(emulator), headers)
    data = client.get("/_admin/ratelimits").json()["data"]
    assert data["mode"] == "enforce"
    second = data["counters"][SETTINGS.app_id]["account.create"][0]
    assert (second["used"], second["max"], second["resets_at"]) == (1, 10, START + 1)
    emulator.clock.advance(5)
    assert (
        client.get("/_admin/ratelimits").json()["data"]["counters"][SETTINGS.app_id][
            "account.create"
        ][0]["used"]
        == 0
    )
