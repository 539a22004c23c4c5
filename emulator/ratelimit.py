"""Rate limits: each operation's documented windows, per app_id, on the virtual clock."""

from __future__ import annotations

import math
from functools import lru_cache

from emulator.clock import Clock
from emulator.envelope import ApiError
from emulator.spec import Json, Operation, Window

DAY = 86400
SHANGHAI_OFFSET = 8 * 3600  # daily windows restart at midnight, Asia/Shanghai


class RateLimiter:
    """Fixed windows: a call counts in every window of its operation, or in none if refused."""

    def __init__(self, mode: str, clock: Clock) -> None:
        self.mode = mode
        self._clock = clock
        self._counts: dict[tuple[str, str, int], list[float]] = {}
        # per (app_id, operation): its windows with their count slots, bound on first use
        self._bound: dict[tuple[str, str], list[tuple[Window, list[float]]]] = {}

    def hit(self, app_id: str, op: Operation) -> str | None:
        """Count one call; over a limit, raise (enforce) or return a warning (warn)."""
        if self.mode == "off" or not op.rate_limit:
            return None
        now = self._clock.now()
        bound = self._bound.get((app_id, op.id)) or self._bind(app_id, op)
        over = _roll(bound, now)
        if over is not None and self.mode == "enforce":
            raise self._error(app_id, op, *over, now)
        for _, slot in bound:
            slot[1] += 1
        return None if over is None else _warning(over[0])

    def _bind(self, app_id: str, op: Operation) -> list[tuple[Window, list[float]]]:
        bound = [(w, self._slot(app_id, op.id, w, self._clock.now())) for w in op.rate_limit]
        self._bound[app_id, op.id] = bound
        return bound

    def _slot(self, app_id: str, op_id: str, window: Window, now: float) -> list[float]:
        start = window_start(window.per_seconds, now)
        return self._counts.setdefault((app_id, op_id, window.per_seconds), [start, 0, window.max])

    def _error(
        self, app_id: str, op: Operation, window: Window, slot: list[float], now: float
    ) -> ApiError:
        retry = math.ceil(slot[0] + window.per_seconds - now)
        return ApiError(
            "rate_limited",
            operation=op.id,
            max=window.max,
            app_id=app_id,
            window=describe(window.per_seconds),
            retry_after=retry,
        )

    def counters(self) -> dict[str, dict[str, list[Json]]]:
        """Current counts per app and operation, for /_admin/ratelimits."""
        now = self._clock.now()
        out: dict[str, dict[str, list[Json]]] = {}
        for (app_id, op_id, per), (start, count, most) in sorted(self._counts.items()):
            current = start == window_start(per, now)
            out.setdefault(app_id, {}).setdefault(op_id, []).append(
                {
                    "window": describe(per),
                    "per_seconds": per,
                    "max": int(most),
                    "used": int(count) if current else 0,
                    "resets_at": (start + per if current else window_start(per, now) + per),
                }
            )
        return out

    def reset(self, app_id: str | None = None) -> None:
        """Forget the counts of one app, or of all."""
        self._counts = {
            k: v for k, v in self._counts.items() if app_id is not None and k[0] != app_id
        }
        self._bound.clear()


def _roll(bound: list[tuple[Window, list[float]]], now: float) -> tuple[Window, list[float]] | None:
    """Move each slot to the window holding now; the first window already full, if any."""
    over = None
    for window, slot in bound:
        start = window_start(window.per_seconds, now)
        if slot[0] != start:
            slot[0], slot[1] = start, 0
        if over is None and slot[1] >= window.max:
            over = (window, slot)
    return over


@lru_cache(maxsize=64)
def _warning(window: Window) -> str:
    return f"{window.max} calls per {describe(window.per_seconds)}"


def window_start(per_seconds: int, now: float) -> float:
    """Start of the fixed window holding now; whole days are aligned to Shanghai midnight."""
    offset = SHANGHAI_OFFSET if per_seconds % DAY == 0 else 0
    return math.floor((now + offset) / per_seconds) * per_seconds - offset


def describe(per_seconds: int) -> str:
    """A window as the docs word it: 'second', '10 s', 'day'."""
    names = {1: "second", DAY: "day"}
    return names.get(per_seconds, f"{per_seconds} s")
