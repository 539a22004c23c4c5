"""EventCollector: the webhook events an emulator delivers, collected in-process (no network)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from contextlib import suppress
from typing import NamedTuple

from emulator.core import Emulator
from emulator.envelope import ApiError
from emulator.spec import Json

URL = "inprocess:jing_emulator_events"


class Delivered(NamedTuple):
    """One delivered event: its name, its payload (as sent) and the delivery's headers."""

    event: str
    payload: Json
    headers: dict[str, str]


class EventCollector:
    """An in-process subscription to an app's events; reading first delivers whatever is due."""

    def __init__(
        self, emulator: Emulator, app_id: str | None = None, patterns: Iterable[str] = ("*",)
    ) -> None:
        self._emulator = emulator
        self._received: list[Delivered] = []
        self._lock = threading.Lock()
        app_id = app_id or emulator.tenants.default.app_id
        webhooks = emulator.webhooks
        self._id = webhooks.subscribe(app_id, URL, patterns, receiver=self._receive).id
        webhooks.reset_hooks.append(self.clear)

    def _receive(self, delivery: Json) -> None:
        with self._lock:
            self._received.append(Delivered(**delivery))

    @property
    def delivered(self) -> list[Delivered]:
        """Every event delivered so far, in delivery order."""
        self._emulator.webhooks.run_due(self._id)
        with self._lock:
            return list(self._received)

    @property
    def names(self) -> list[str]:
        """The names of the events delivered so far, in delivery order."""
        return [delivered.event for delivered in self.delivered]

    def payloads(self, event: str | None = None) -> list[Json]:
        """The payloads delivered so far (of one event, if named), in delivery order."""
        return [d.payload for d in self.delivered if event in (None, d.event)]

    def clear(self) -> None:
        """Forget what was collected (a reset of the emulator does it too)."""
        with self._lock:
            self._received.clear()

    def close(self) -> None:
        """Stop collecting."""
        webhooks = self._emulator.webhooks
        with suppress(ValueError):
            webhooks.reset_hooks.remove(self.clear)
        with suppress(ApiError):  # already unsubscribed
            webhooks.unsubscribe(self._id)

    def __len__(self) -> int:
        return len(self.delivered)

    def __repr__(self) -> str:
        return f"EventCollector({self.names!r})"
