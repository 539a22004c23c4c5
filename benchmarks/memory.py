"""python -m benchmarks.memory: the RSS of `jing-emulator serve` through a loop of token calls
(the virtual clock moved past the token lifetime every second) and a loop of writes (the same
users updated, their events delivered to a local receiver): flat, or how much it grew."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import orjson

from benchmarks.report import machine, write
from benchmarks.servers import ROOT, emulator_command, receiver_command, running
from benchmarks.targets import Verdict
from benchmarks.workload import TOKEN_PATH, UPDATE_PATH, business_headers, token_request, user

RESULTS = ROOT / "benchmarks" / "results" / "memory.json"
MAX_GROWTH = 0.10  # RSS at most 10 % over the warmed-up figure
WARM_UP = 0.25  # the share of a loop before its baseline RSS is read (caches, journal fill)
SAMPLE_S = 1.0
TOKEN_TTL = 7200
USERS = 100  # the users the write loop updates, again and again

Call = Callable[[httpx.Client, int], None]


@dataclass(frozen=True, slots=True)
class MemoryRun:
    loop: str
    seconds: float
    calls: int
    start_kib: int  # RSS before the loop
    baseline_kib: int  # after the warm-up
    end_kib: int
    peak_kib: int  # the highest after the warm-up

    @property
    def growth(self) -> float:
        """Growth after the warm-up: the peak over the baseline, less one."""
        return self.peak_kib / self.baseline_kib - 1


def rss_kib(pid: int) -> int:
    """A process's resident set size, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def token_call(client: httpx.Client, made: int) -> None:
    answer = client.post(TOKEN_PATH, content=token_request())
    _check(answer, "token call")
    if made % 200 == 0:  # expire what was issued: the virtual clock moves past the lifetime
        _check(client.post("/_admin/clock", json={"advance_seconds": TOKEN_TTL + 1}), "clock")


def write_call(headers: dict[str, str]) -> Call:
    """Update one of USERS users (a field changes each time): nothing new is stored."""

    def call(client: httpx.Client, made: int) -> None:
        body = user(made % USERS)
        body["fields"]["f1"] = f"round {made}"
        answer = client.post(UPDATE_PATH, content=orjson.dumps([body]), headers=headers)
        _check(answer, "user update")

    return call


def _check(answer: httpx.Response, what: str) -> None:
    if answer.status_code != 200:
        raise RuntimeError(f"{what} answered {answer.status_code}: {answer.text[:300]}")


def loop(name: str, call: Call, client: httpx.Client, pid: int, seconds: float) -> MemoryRun:
    """Call for that long, reading the server's RSS every SAMPLE_S."""
    start_kib, samples, made = rss_kib(pid), list[tuple[float, int]](), 0
    began = next_sample = time.perf_counter()
    while (now := time.perf_counter()) - began < seconds:
        call(client, made)
        made += 1
        if now >= next_sample:
            samples.append((now - began, rss_kib(pid)))
            next_sample = now + SAMPLE_S
    samples.append((time.perf_counter() - began, rss_kib(pid)))
    warm = [kib for at, kib in samples if at >= seconds * WARM_UP] or [samples[-1][1]]
    elapsed = time.perf_counter() - began
    return MemoryRun(name, elapsed, made, start_kib, warm[0], warm[-1], max(warm))


def measure(seconds: float, log_dir: Path) -> list[MemoryRun]:
    """Both loops, each against a fresh emulator."""
    runs = []
    with (
        running("emulator", emulator_command, log_dir) as emulator,
        httpx.Client(base_url=emulator.url, timeout=60) as client,
    ):
        runs.append(loop("token calls", token_call, client, emulator.pid, seconds))
    with running("receiver", receiver_command, log_dir) as receiver:
        hook = ["--webhook-url", receiver.url + "/jing"]
        with (
            running("emulator", lambda port: [*emulator_command(port), *hook], log_dir) as emu,
            httpx.Client(base_url=emu.url, timeout=60) as client,
        ):
            token = client.post(TOKEN_PATH, content=token_request()).json()["data"]
            call = write_call(business_headers(token["access_token"]))
            runs.append(loop("writes (events delivered)", call, client, emu.pid, seconds))
    return runs


def judge(runs: list[MemoryRun]) -> list[Verdict]:
    return [
        Verdict(
            f"RSS flat within {MAX_GROWTH:.0%} over {run.seconds:.0f} s of {run.loop}",
            f"{run.growth:+.1%} ({run.baseline_kib:,} to {run.peak_kib:,} KiB at most)",
            run.growth <= MAX_GROWTH,
        )
        for run in runs
    ]


def table(runs: list[MemoryRun]) -> str:
    lines = [
        "| loop | seconds | calls | RSS start KiB | after warm-up | peak | end | growth |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        lines.append(
            f"| {run.loop} | {run.seconds:.0f} | {run.calls:,} | {run.start_kib:,} "
            f"| {run.baseline_kib:,} | {run.peak_kib:,} | {run.end_kib:,} | {run.growth:+.1%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jing-bench-memory-") as tmp:
        print(f"memory: two loops of {args.seconds} s each", flush=True)
        runs = measure(args.seconds, Path(tmp))
    verdicts = judge(runs)
    print(f"\n{table(runs)}\n")
    for verdict in verdicts:
        print(f"{'met' if verdict.met else 'MISSED'}: {verdict.target}: {verdict.figure}")
    config = {"seconds": args.seconds, "warm_up_share": WARM_UP, "sample_s": SAMPLE_S}
    figures = [asdict(r) | {"growth": r.growth} for r in runs]
    targets = [asdict(v) for v in verdicts]
    record = {"machine": machine(), "config": config, "runs": figures, "targets": targets}
    write(args.output, record)
    print(f"\nresults written to {args.output}")
    return 0 if all(v.met for v in verdicts) else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__)
    add = parser.add_argument
    add("--seconds", type=float, default=120.0, help="how long each loop runs")
    add("--output", type=Path, default=RESULTS, help="where the JSON goes")
    return parser


if __name__ == "__main__":
    sys.exit(main())
