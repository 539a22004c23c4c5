"""Settings: one frozen dataclass, from defaults, environment variables and CLI flags."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

ENV_PREFIX = "JING_EMULATOR_"
RATE_LIMIT_MODES = ("enforce", "warn", "off")
WEBHOOK_CHAOS_MODES = ("none", "duplicate", "reorder", "both")
MAX_WEBHOOK_CONCURRENCY = 32
ASSUMED_RULES_MODES = ("enforce", "warn", "off")  # rules no vendor page states (x-assumed)
ERROR_STATUS_MODES = ("http", "vendor")  # vendor: every envelope error is HTTP 200
MAX_PORT = 65535


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    seed: int | None = None
    app_id: str = "202601010000000000000000001"
    app_secret: str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    rate_limits: str = "enforce"
    seed_data: str = "demo"
    token_ttl: int = 7200
    refresh_ttl: int = 30 * 86400
    body_limit: int = 1_048_576
    journal_size: int = 1000
    admin_token: str | None = None
    clock_start: float | None = None
    schemas_overlay: str | None = None
    # Webhooks: a subscription of the default app at start, delivery retries and log, chaos.
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_retries: str = "1,2,4,8,16"
    webhook_timeout: float = 5.0
    webhook_log_size: int = 1000
    webhook_pending_size: int = 10_000  # per subscription; past it the oldest pending fails
    webhook_chaos: str = "none"
    webhook_concurrency: int = 1  # deliveries in flight per subscription; 1 keeps strict order
    strict: bool = False
    owner_change_with_lead: bool = False  # the default app's object_change_owner has lead data
    assumed_rules: str = "warn"
    error_status: str = "http"

    def __post_init__(self) -> None:
        if self.rate_limits not in RATE_LIMIT_MODES:
            raise ValueError(f"rate_limits must be one of {', '.join(RATE_LIMIT_MODES)}")
        if self.webhook_chaos not in WEBHOOK_CHAOS_MODES:
            raise ValueError(f"webhook_chaos must be one of {', '.join(WEBHOOK_CHAOS_MODES)}")
        if self.assumed_rules not in ASSUMED_RULES_MODES:
            raise ValueError(f"assumed_rules must be one of {', '.join(ASSUMED_RULES_MODES)}")
        if self.error_status not in ERROR_STATUS_MODES:
            raise ValueError(f"error_status must be one of {', '.join(ERROR_STATUS_MODES)}")
        retry_schedule(self.webhook_retries)
        if not 0 <= self.port <= MAX_PORT:
            raise ValueError(f"port {self.port} is not a TCP port: 0 (a free one) to {MAX_PORT}")
        if self.webhook_pending_size < 1:
            raise ValueError(f"webhook_pending_size {self.webhook_pending_size} must be >= 1")
        if not 1 <= self.webhook_concurrency <= MAX_WEBHOOK_CONCURRENCY:
            raise ValueError(
                f"webhook_concurrency {self.webhook_concurrency} must be 1 to "
                f"{MAX_WEBHOOK_CONCURRENCY}"
            )
        if self.webhook_url and not self.webhook_url.startswith(("http://", "https://")):
            raise ValueError(
                f"webhook_url {self.webhook_url!r} must start with http:// or https://"
            )

    def with_overrides(self, values: Mapping[str, Any]) -> Settings:
        """A copy with the given fields replaced; None values are ignored."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})


def retry_schedule(text: str) -> tuple[float, ...]:
    """The delays (seconds) before each retry of a webhook delivery, from "1,2,4,8,16"."""
    try:
        delays = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        delays = (-1.0,)
    if not all(0 <= delay < math.inf for delay in delays):  # refuses nan too
        raise ValueError(f"webhook_retries {text!r}: comma-separated seconds, e.g. 1,2,4,8,16")
    return delays


def port_number(text: str) -> int:
    """A --port value: 0 (a free port) to 65535; anything else is refused, never wrapped."""
    import argparse

    if not text.strip().isdigit() or int(text) > MAX_PORT:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a TCP port: 0 (a free one) to {MAX_PORT}"
        )
    return int(text)


def env_name(field: str) -> str:
    """The environment variable that sets a field, e.g. JING_EMULATOR_APP_ID."""
    return ENV_PREFIX + field.upper()


def from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from JING_EMULATOR_* variables over the defaults."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = env.get(env_name(f.name))
        if raw is not None and raw != "":
            values[f.name] = _convert(f.name, raw)
    return Settings().with_overrides(values)


def _convert(name: str, raw: str) -> Any:
    kind = str(Settings.__dataclass_fields__[name].type)
    if kind == "bool":
        return _flag(name, raw)
    try:
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
    except ValueError:
        raise ValueError(f"{env_name(name)}={raw!r} is not a number") from None
    return raw


def _flag(name: str, raw: str) -> bool:
    """An on/off variable: 1/true/yes/on or 0/false/no/off."""
    value = raw.strip().lower()
    if value not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ValueError(f"{env_name(name)}={raw!r} is not one of true/false (1/0, yes/no, on/off)")
    return value in ("1", "true", "yes", "on")
