"""EmulatorHandle: one running emulator as a test sees it, and the settings the fixtures use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson
from starlette.applications import Starlette

from contract_tests.traffic import Traffic
from emulator.core import Emulator
from emulator.settings import Settings
from emulator.spec import Json

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from contract_tests.strategies import Answer

BASE_URL = "https://jingopenapi.jingsocial.com"
# 2026-01-01T00:00:00Z: a frozen clock makes timestamps and token expiry reproducible.
CLOCK_START = 1767225600.0
DEFAULTS: dict[str, Any] = {
    "seed": 0,
    "clock_start": CLOCK_START,
    "seed_data": "demo",
    "rate_limits": "enforce",
    "strict": True,
    # A client test refuses what only our own rules refuse (a misspelt field is more often a
    # bug than a vendor extension); the error names it an assumption, and the marker
    # @pytest.mark.jing_emulator(assumed_rules="off") serves such calls instead.
    "assumed_rules": "enforce",
}


def fixture_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """The fixtures' settings (seed 0, frozen clock, demo data) with the given fields replaced."""
    return Settings(**{**DEFAULTS, **(overrides or {})})


class EmulatorHandle:
    """Credentials with a live access token, the base URL, and control of clock and state."""

    def __init__(self, app: Starlette, base_url: str, traffic: Traffic | None = None) -> None:
        self.app = app
        self.emulator: Emulator = app.state.emulator
        self.base_url = base_url
        self.traffic = traffic or Traffic(self.emulator.catalogue)
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

    @property
    def violations(self) -> list[Json]:
        """The requests that broke the contract (strict mode), oldest first."""
        with self.emulator.lock:
            return self.emulator.violations.list()

    def fuzz(self, op_id: str) -> SearchStrategy[Json]:
        """Answers drawn from an operation's response schema: each one drawn answers its calls.

        Use inside @given: answer = data.draw(jing_emulator.fuzz("user.query")); until the next
        draw, every call to that operation the emulator would accept gets this answer instead.
        """
        from contract_tests.strategies import responses_from_operation

        def install(answer: Json) -> Json:
            self.traffic.fuzzed[op_id] = _dumps(answer)
            self.traffic.statuses.pop(op_id, None)
            return answer

        return responses_from_operation(op_id, self.emulator.catalogue).map(install)

    def fuzz_answers(self, op_id: str) -> SearchStrategy[Answer]:
        """Like fuzz, but failures are drawn too, each at HTTP 200 (the vendor's convention)
        or at the status of its kind (http): a client is tested against both."""
        from contract_tests.strategies import answers_from_operation

        def install(answer: Answer) -> Answer:
            self.traffic.fuzzed[op_id] = _dumps(answer.body)
            self.traffic.statuses[op_id] = answer.status
            return answer

        return answers_from_operation(op_id, self.emulator.catalogue).map(install)

    def unfuzz(self, op_id: str | None = None) -> None:
        """The emulator's own answers again, for one operation or all."""
        for key in [op_id] if op_id else list(self.traffic.fuzzed):
            self.traffic.fuzzed.pop(key, None)
            self.traffic.statuses.pop(key, None)

    def advance(self, seconds: float) -> None:
        """Move the emulator's clock forward (tokens expire, timestamps move); every webhook
        retry falling due on the way runs, in order."""
        self.emulator.webhooks.advance(seconds)

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


def _dumps(answer: Json) -> bytes:
    """JSON bytes of a drawn answer; integers beyond 64 bits are written exactly all the same."""
    try:
        return orjson.dumps(answer)
    except TypeError:
        import json

        return json.dumps(answer, ensure_ascii=False).encode("utf-8")
