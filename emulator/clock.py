"""Clock and Ids: the only sources of time and of generated identifiers."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

SHORTUUID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
TEXT_FORMAT = "%Y-%m-%d %H:%M:%S"  # the platform's date-time text, in Asia/Shanghai


class Clock:
    """A virtual clock: real time plus an offset, or frozen at an instant."""

    def __init__(self, start: float | None = None) -> None:
        """Real time by default; given a start, frozen at that instant."""
        self._real = time.time
        self._offset = 0.0 if start is None else start - self._real()
        self._frozen: float | None = start
        self._initial = (self._offset, self._frozen)
        self._text: tuple[int, str] = (-1, "")

    def now(self) -> float:
        """Seconds since the epoch, on the virtual clock."""
        return self._frozen if self._frozen is not None else self._real() + self._offset

    def now_ms(self) -> int:
        """Milliseconds since the epoch, as the platform's timestamp fields carry them."""
        return int(self.now() * 1000)

    def text(self, at: float | None = None) -> str:
        """The platform's date-time text, YYYY-MM-DD HH:MM:SS, in Asia/Shanghai."""
        second = int(self.now() if at is None else at)
        if second != self._text[0]:  # a batch stamps many records within one second
            self._text = (
                second,
                datetime.fromtimestamp(second, SHANGHAI).strftime(TEXT_FORMAT),
            )
        return self._text[1]

    def advance(self, seconds: float) -> None:
        """Move the clock forward, frozen or not."""
        if self._frozen is not None:
            self._frozen += seconds
        else:
            self._offset += seconds

    def freeze(self, frozen: bool) -> None:
        """Stop the clock at the current instant, or let it run on from there."""
        if frozen and self._frozen is None:
            self._frozen = self.now()
        elif not frozen and self._frozen is not None:
            self._offset = self._frozen - self._real()
            self._frozen = None

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def reset(self) -> None:
        """Back to the state the clock was created in."""
        self._offset, self._frozen = self._initial

    def describe(self) -> dict[str, object]:
        """The clock as the admin API shows it."""
        now = self.now()
        iso = datetime.fromtimestamp(now, UTC).isoformat()
        return {"now": now, "now_ms": int(now * 1000), "iso": iso, "frozen": self.frozen}


@lru_cache(maxsize=64)  # a batch stamps many records with one time
def epoch(text: str) -> int:
    """Epoch seconds of the platform's date-time text (what Clock.text gives back)."""
    return int(datetime.strptime(text, TEXT_FORMAT).replace(tzinfo=SHANGHAI).timestamp())


class Ids:
    """Identifier factory: deterministic for a given seed."""

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        self._random = random.Random(seed)

    def short(self) -> str:
        """A 22-character id from the shortuuid alphabet (omni_user_uuid, jing_uuid ...)."""
        return "".join(self._random.choices(SHORTUUID_ALPHABET, k=22))

    def hex32(self) -> str:
        """A request_id: 32 lowercase hex characters."""
        return f"{self._random.getrandbits(128):032x}"

    def token(self) -> str:
        """A token in the canonical UUID text form, as the platform's tokens look."""
        h = self.hex32()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    def digits(self, count: int) -> str:
        """A string of decimal digits (app ids)."""
        return "".join(self._random.choices("0123456789", k=count))

    def reset(self) -> None:
        """Start the sequence again from the seed."""
        self._random = random.Random(self._seed)

    def state(self) -> tuple[Any, ...]:
        """Where the sequence is: `resume` goes back there."""
        return self._random.getstate()

    def resume(self, state: tuple[Any, ...]) -> None:
        """Go on from where `state` said the sequence was, as if nothing was drawn since."""
        self._random.setstate(state)


def stopwatch() -> Callable[[], float]:
    """A function answering the real milliseconds elapsed since the stopwatch was made."""
    start = time.perf_counter()
    return lambda: (time.perf_counter() - start) * 1000
