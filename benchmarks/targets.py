"""The project's performance targets, judged on the figures of one run (ratios, not timings)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from benchmarks.inprocess import InProcessResult
from benchmarks.lifecycle import LifecycleResult
from benchmarks.network import EMULATOR, HttpResult
from benchmarks.scale import ScaleResult

UPDATE_PREFIX = "update "
MIN_BARE_RATIO = 0.7  # emulator req/s over the bare app's
MIN_PRISM_RATIO = 2.0  # emulator req/s over Prism's
MAX_ASGI_RATIO = 2.0  # in-process call over a bare ASGI call
MAX_RESET_MS = 1.0
MAX_CREATE_APP_MS = 50.0
MAX_LOOKUP_SPREAD = 1.5  # slowest over fastest identity lookup across store sizes
MAX_BYTES_PER_USER = 2048
MAX_SEED_S = 60.0
SEED_TARGET_USERS = 1_000_000


@dataclass(frozen=True, slots=True)
class Verdict:
    target: str
    figure: str
    met: bool


@dataclass(frozen=True, slots=True)
class Figures:
    http: list[HttpResult]
    inprocess: list[InProcessResult]
    lifecycle: LifecycleResult | None
    scale: ScaleResult | None


def judge(figures: Figures) -> list[Verdict]:
    """A verdict for every target the run measured."""
    return [
        *_http(figures.http),
        *_inprocess(figures.inprocess),
        *_lifecycle(figures.lifecycle),
        *_scale(figures.scale),
    ]


def _http(results: list[HttpResult]) -> Iterator[Verdict]:
    for result in results:
        if not result.workload.startswith(UPDATE_PREFIX):
            continue
        for peer, goal in (("bare", MIN_BARE_RATIO), ("prism", MIN_PRISM_RATIO)):
            ratio = result.ratio(EMULATOR, peer)
            if ratio is not None:
                target = f"HTTP {result.workload}: emulator >= {goal}x {peer} req/s"
                yield Verdict(target, f"{ratio:.2f}x", ratio >= goal)


def _inprocess(results: list[InProcessResult]) -> Iterator[Verdict]:
    for result in results:
        target = f"in-process {result.body}: <= {MAX_ASGI_RATIO}x a bare ASGI call"
        yield Verdict(target, f"{result.asgi_ratio:.2f}x", result.asgi_ratio <= MAX_ASGI_RATIO)


def _lifecycle(result: LifecycleResult | None) -> Iterator[Verdict]:
    if result is None:
        return
    reset, create = result.reset_ms, result.create_app_ms
    yield Verdict(f"reset < {MAX_RESET_MS} ms", f"{reset:.3f} ms", reset < MAX_RESET_MS)
    target = f"create_app warm < {MAX_CREATE_APP_MS:.0f} ms"
    yield Verdict(target, f"{create:.2f} ms", create < MAX_CREATE_APP_MS)


def _scale(result: ScaleResult | None) -> Iterator[Verdict]:
    if result is None:
        return
    sizes = f"{result.lookups[0].users:,} to {result.lookups[-1].users:,} users"
    for what, times in (
        ("user.query by identity", [f.query_us for f in result.lookups]),
        ("UserStore.find", [f.find_ns for f in result.lookups]),
    ):
        spread = max(times) / min(times)
        target = f"{what} flat within {MAX_LOOKUP_SPREAD}x ({sizes})"
        yield Verdict(target, f"{spread:.2f}x", spread <= MAX_LOOKUP_SPREAD)
    size = result.bytes_per_user
    target = f"<= {MAX_BYTES_PER_USER} bytes per stored user"
    yield Verdict(target, f"{size:.0f} bytes", size <= MAX_BYTES_PER_USER)
    if result.seeded_users >= SEED_TARGET_USERS:
        target = f"{SEED_TARGET_USERS:,} users seeded in < {MAX_SEED_S:.0f} s"
        yield Verdict(target, f"{result.seed_s:.1f} s", result.seed_s < MAX_SEED_S)
