"""Pacing: keep each operation within its rate-limit windows, by waiting or by moving a clock."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from contract_tests.client import Client
from emulator.spec import Operation

MARGIN = 0.05  # seconds added to each wait: the server's clock reads a little later than ours


class RealTime:
    """Time as it passes: waiting sleeps."""

    def now(self) -> float:
        """Seconds on a monotonic clock."""
        return time.monotonic()

    def wait(self, seconds: float) -> None:
        """Sleep."""
        time.sleep(seconds)


class EmulatorTime:
    """A jing-emulator's virtual clock: waiting advances it through /_admin/clock, at once."""

    def __init__(self, client: Client, admin_headers: dict[str, str] | None = None) -> None:
        self._client = client
        self._headers = admin_headers or {}
        self._elapsed = 0.0

    def now(self) -> float:
        """Seconds advanced so far (the emulator's own clock runs at least this far)."""
        return self._elapsed

    def wait(self, seconds: float) -> None:
        """Advance the emulator's clock."""
        answer = self._client.post(
            "/_admin/clock", json={"advance_seconds": seconds}, headers=self._headers
        )
        if answer.status_code != 200:
            raise RuntimeError(
                f"could not advance the emulator's clock: HTTP {answer.status_code} {answer.text}"
            )
        self._elapsed += seconds


class Pacer:
    """Sliding windows per operation: a call waits until each of its windows has room."""

    def __init__(self, now: Callable[[], float], wait: Callable[[float], None]) -> None:
        self._now, self._wait = now, wait
        self._calls: dict[tuple[str, int], deque[float]] = {}
        self.waited = 0.0

    def before(self, op: Operation) -> None:
        """Block until a call to the operation fits in every window, then count it."""
        for window in op.rate_limit:
            calls = self._calls.setdefault((op.id, window.per_seconds), deque())
            while calls and calls[0] <= self._now() - window.per_seconds:
                calls.popleft()
            if len(calls) >= window.max:
                self.pause(calls[0] + window.per_seconds - self._now() + MARGIN)
        for window in op.rate_limit:
            self._calls[(op.id, window.per_seconds)].append(self._now())

    def pause(self, seconds: float) -> None:
        """Wait (or advance the clock) for a number of seconds."""
        if seconds > 0:
            self._wait(seconds)
            self.waited += seconds
