"""What a test pays around its calls: a fresh app (create_app, warm) and a reset."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.inprocess import per_call_us
from contract_tests.handle import EmulatorHandle, fixture_settings
from emulator.app import create_app


@dataclass(frozen=True, slots=True)
class LifecycleResult:
    create_app_ms: float  # create_app with the fixtures' settings (demo data), catalogue cached
    reset_ms: float  # EmulatorHandle.reset(): everything back to the start, then a new token
    tenant_reset_ms: float  # Emulator.reset(app_id) of the default app (its demo data re-seeded)
    demo_users: int  # users the default app holds after a reset (the demo data)


def measure_lifecycle(rounds: int) -> LifecycleResult:
    """Medians of rounds, after one warm-up call of each (the catalogue is read once)."""
    settings = fixture_settings()
    handle = EmulatorHandle(create_app(settings), "https://example.invalid")
    emulator = handle.emulator
    app_id = handle.app_id

    def tenant_reset() -> None:
        emulator.reset(app_id)

    create = _median_ms(rounds, lambda: create_app(settings))
    return LifecycleResult(
        create_app_ms=create,
        reset_ms=_median_ms(rounds, handle.reset),
        tenant_reset_ms=_median_ms(rounds, tenant_reset),
        demo_users=len(emulator.tenants.default.users),
    )


def _median_ms(rounds: int, call: Callable[[], object]) -> float:
    call()
    return statistics.median(per_call_us(call) for _ in range(rounds)) / 1000
