"""The HTTP benchmark: the emulator and the bare app as servers, loaded in interleaved runs."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

from benchmarks.load import LoadConfig, Sample, Target
from benchmarks.servers import Server, bare_command, emulator_command, running
from benchmarks.workload import UPDATE_PATH, Body, business_headers, check_update, fetch_token, post

Generator = Callable[[Target, LoadConfig], Sample]
SERVERS = ("emulator", "bare")
WARM_UP_SECONDS = 1


@dataclass(slots=True)
class HttpResult:
    """Every run of one body, per server, in the order they ran."""

    body: str
    body_bytes: int
    samples: dict[str, list[Sample]] = field(default_factory=lambda: {s: [] for s in SERVERS})

    def median(self, server: str, metric: str) -> float:
        return statistics.median(float(getattr(s, metric)) for s in self.samples[server])

    def errors(self, server: str) -> int:
        return sum(s.errors for s in self.samples[server])

    @property
    def ratio(self) -> float:
        """Emulator req/s over bare req/s in the same round, median of the rounds.

        The two runs of a round are back to back, so a pair shares the machine's state of the
        moment (other load, frequency); the median of pairs resists drift better than a ratio
        of medians.
        """
        pairs = zip(self.samples["emulator"], self.samples["bare"], strict=True)
        return statistics.median(a.requests_per_s / b.requests_per_s for a, b in pairs)

    @property
    def ratio_of_medians(self) -> float:
        return self.median("emulator", "requests_per_s") / self.median("bare", "requests_per_s")


@dataclass(frozen=True, slots=True)
class Plan:
    """How to load the servers: one run's shape, how many rounds, and with what."""

    config: LoadConfig
    rounds: int
    generate: Generator
    tool: str


def run_http(bodies: list[Body], plan: Plan, work_dir: Path) -> list[HttpResult]:
    """Start both servers, check them, warm them up, then run A B A B ... for every body."""
    with ExitStack() as stack:
        servers = [
            stack.enter_context(running("emulator", emulator_command, work_dir)),
            stack.enter_context(running("bare", bare_command, work_dir)),
        ]
        headers = business_headers(fetch_token(servers[0].url))
        _preflight(servers, bodies, headers)
        targets = {
            (b.name, s.name): _target(s, b, headers, work_dir) for b in bodies for s in servers
        }
        for target in targets.values():
            plan.generate(target, replace(plan.config, seconds=WARM_UP_SECONDS))
        return _rounds(bodies, targets, plan)


def _rounds(
    bodies: list[Body], targets: dict[tuple[str, str], Target], plan: Plan
) -> list[HttpResult]:
    results = [HttpResult(b.name, len(b.payload)) for b in bodies]
    for number in range(1, plan.rounds + 1):
        for result in results:
            for server in SERVERS:
                sample = plan.generate(targets[result.body, server], plan.config)
                result.samples[server].append(sample)
                print(
                    f"  round {number}/{plan.rounds}  {result.body:<9}  {server:<8} "
                    f"{sample.requests_per_s:>8.1f} req/s  p99 {sample.p99_ms:.1f} ms",
                    flush=True,
                )
    return results


def _target(server: Server, body: Body, headers: dict[str, str], work_dir: Path) -> Target:
    body_file = work_dir / f"{server.name}-{body.users}.json"
    body_file.write_bytes(body.payload)
    return Target(server.url + UPDATE_PATH, headers, body_file)


def _preflight(servers: list[Server], bodies: list[Body], headers: dict[str, str]) -> None:
    """One call per server and body: the emulator accepts every user, the bare app answers 200."""
    emulator, bare = servers
    for body in bodies:
        check_update(*post(emulator.url + UPDATE_PATH, body.payload, headers), body)
        status, raw = post(bare.url + UPDATE_PATH, body.payload, headers)
        if status != 200:
            raise RuntimeError(f"bare app answered {status}: {raw[:300]!r}")
