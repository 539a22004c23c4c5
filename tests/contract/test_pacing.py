"""Pacing: sliding windows per operation, on a clock that waits or on the emulator's clock."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from contract_tests.pacing import MARGIN, EmulatorTime, Pacer, RealTime
from emulator import create_app, spec
from tests.conftest import SETTINGS

ACCOUNTS = spec.load().by_id["account.create"]  # 10 per second, 10,000 per day
QUERY = spec.load().by_id["user.query"]  # no limit


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.waits: list[float] = []

    def wait(self, seconds: float) -> None:
        self.waits.append(round(seconds, 6))
        self.now += seconds


def test_a_full_window_waits_until_its_oldest_call_leaves_it() -> None:
    clock = FakeTime()
    pacer = Pacer(lambda: clock.now, clock.wait)
    for _ in range(10):
        pacer.before(ACCOUNTS)
    assert clock.waits == []
    pacer.before(ACCOUNTS)
    assert clock.waits == [1 + MARGIN]
    assert pacer.waited == pytest.approx(1 + MARGIN)


def test_operations_without_limits_never_wait() -> None:
    clock = FakeTime()
    pacer = Pacer(lambda: clock.now, clock.wait)
    for _ in range(1000):
        pacer.before(QUERY)
    pacer.pause(0)
    assert clock.waits == []


def test_emulator_time_advances_the_emulators_clock() -> None:
    with TestClient(create_app(SETTINGS), client=("127.0.0.1", 1)) as client:
        time = EmulatorTime(client)
        before = client.get("/_admin/clock").json()["data"]
        time.wait(2.5)
        after = client.get("/_admin/clock").json()["data"]
    assert time.now() == 2.5
    assert after != before


def test_emulator_time_fails_loudly_when_the_clock_cannot_move() -> None:
    closed = SETTINGS.with_overrides({"admin_token": "secret"})
    with TestClient(create_app(closed)) as client, pytest.raises(RuntimeError, match="HTTP 401"):
        EmulatorTime(client).wait(1)


def test_real_time_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    real = RealTime()
    real.wait(0.25)
    assert slept == [0.25]
    assert real.now() <= RealTime().now()
