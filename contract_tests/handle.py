"""EmulatorHandle: one running emulator as a test sees it, and the settings the fixtures use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette

from emulator.core import Emulator
from emulator.settings import Settings
from emulator.spec import Json

BASE_URL = "https://jingopenapi.jingsocial.com"
# 2026-01-01T00:00:00Z: a frozen clock makes timestamps and token expiry reproducible.
CLOCK_START = 1767225600.0
DEFAULTS: dict[str, Any] = {
    "seed": 0,
    "clock_start": CLOCK_START,
    "seed_data": "demo",
    "rate_limits": "enforce",
}


def fixture_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """The fixtures' settings (seed 0, frozen clock, demo data) with the given fields replaced."""
    return Settings(**{**DEFAULTS, **(overrides or {})})


class EmulatorHandle:
    """Credentials with a live access token, the base URL, and control of clock and state."""

    def __init__(self, app: Starlette, base_url: str) -> None:
        self.app = app
        self.emulator: Emulator = app.state.emulator
        self.base_url = base_url
        self.app_id = self.emulator.tenants.default.app_id
        self.app_secret = self.emulator.tenants.default.app_secret
        self.access_token = self._issue()

    @property
    def headers(self) -> dict[str, str]:
        """The credential headers every business call needs."""
        return {"app_id": self.app_id, "access_token": self.access_token}

    @property
    def journal(self) -> list[Json]:
        """The recent requests, oldest first, as the admin journal lists them."""
        return list(self.emulator.journal)

    def advance(self, seconds: float) -> None:
        """Move the emulator's clock forward (tokens expire, timestamps move)."""
        with self.emulator.lock:
            self.emulator.clock.advance(seconds)
        self.emulator.webhooks.wake()  # webhook retries that came due fire now

    def reset(self) -> None:
        """Everything back to the start, then a fresh access token so the handle stays usable."""
        self.emulator.reset()
        self.access_token = self._issue()

    def _issue(self) -> str:
        with self.emulator.lock:
            token: str = self.emulator.tenants.tokens.issue(self.app_id)["access_token"]
        return token

    def __repr__(self) -> str:
        return f"EmulatorHandle(base_url={self.base_url!r}, app_id={self.app_id!r})"
