"""The HTTP benchmark: the emulator and its peers as servers, loaded in interleaved runs."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

from benchmarks.load import LoadConfig, Sample, Target
from benchmarks.servers import Command, Server, running
from benchmarks.workload import Workload, business_headers, fetch_token, post, prepare

Generator = Callable[[Target, LoadConfig], Sample]
EMULATOR = "emulator"
WARM_UP_SECONDS = 1


@dataclass(slots=True)
class HttpResult:
    """Every run of one workload, per server, in the order they ran."""

    workload: str
    path: str
    body_bytes: int
    servers: tuple[str, ...]
    samples: dict[str, list[Sample]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for server in self.servers:
            self.samples.setdefault(server, [])

    def median(self, server: str, metric: str) -> float:
        return statistics.median(float(getattr(s, metric)) for s in self.samples[server])

    def errors(self, server: str) -> int:
        return sum(s.errors for s in self.samples[server])

    def ratio(self, server: str, reference: str) -> float | None:
        """server req/s over reference req/s in the same round, median of the rounds.

        The runs of a round are back to back, so a pair shares the machine's state of the
        moment (other load, frequency); the median of pairs resists drift better than a ratio
        of medians. None when either server did not run.
        """
        if not (self.samples.get(server) and self.samples.get(reference)):
            return None
        pairs = zip(self.samples[server], self.samples[reference], strict=True)
        return statistics.median(a.requests_per_s / b.requests_per_s for a, b in pairs)

    def ratio_of_medians(self, server: str, reference: str) -> float | None:
        if not (self.samples.get(server) and self.samples.get(reference)):
            return None
        return self.median(server, "requests_per_s") / self.median(reference, "requests_per_s")


@dataclass(frozen=True, slots=True)
class Plan:
    """How to load the servers: one run's shape, how many rounds, and with what."""

    config: LoadConfig
    rounds: int
    generate: Generator
    tool: str


def run_http(plan: Plan, commands: dict[str, Command], work_dir: Path) -> list[HttpResult]:
    """Start every server (the emulator first), check them, warm them up, then run the
    workloads A B C A B C ... round after round."""
    with ExitStack() as stack:
        servers = [
            stack.enter_context(running(name, command, work_dir))
            for name, command in commands.items()
        ]
        headers = business_headers(fetch_token(servers[0].url))
        work = prepare(servers[0].url, headers)
        _preflight(servers[1:], work, headers)
        targets = {
            (w.name, s.name): _target(s, w, headers, work_dir) for w in work for s in servers
        }
        for target in targets.values():
            plan.generate(target, replace(plan.config, seconds=WARM_UP_SECONDS))
        return _rounds(work, tuple(commands), targets, plan)


def _rounds(
    work: list[Workload],
    servers: tuple[str, ...],
    targets: dict[tuple[str, str], Target],
    plan: Plan,
) -> list[HttpResult]:
    results = [HttpResult(w.name, w.path, len(w.payload), servers) for w in work]
    for number in range(1, plan.rounds + 1):
        for result in results:
            for server in servers:
                sample = plan.generate(targets[result.workload, server], plan.config)
                result.samples[server].append(sample)
                print(
                    f"  round {number}/{plan.rounds}  {result.workload:<18} {server:<8} "
                    f"{sample.requests_per_s:>8.1f} req/s  p99 {sample.p99_ms:.1f} ms",
                    flush=True,
                )
    return results


def _target(server: Server, workload: Workload, headers: dict[str, str], work_dir: Path) -> Target:
    slug = workload.name.replace(" ", "-")
    body_file = work_dir / f"{server.name}-{slug}.json"
    body_file.write_bytes(workload.payload)
    return Target(server.url + workload.path, headers, body_file)


def _preflight(peers: list[Server], work: list[Workload], headers: dict[str, str]) -> None:
    """One call per peer and workload: each must answer 200 (the emulator was checked fully)."""
    for peer in peers:
        for workload in work:
            status, raw = post(peer.url + workload.path, workload.payload, headers)
            if status != 200:
                raise RuntimeError(
                    f"{peer.name} answered {status} to {workload.name}: {raw[:300]!r}"
                )
