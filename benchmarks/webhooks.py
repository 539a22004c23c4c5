"""python -m benchmarks.webhooks: a sustained writer against `jing-emulator serve`, every event
delivered to a real local receiver; events produced, delivered and lost, against the writer
alone (no subscription) in the same run."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from benchmarks.report import machine, write
from benchmarks.servers import ROOT, emulator_command, receiver_command, running
from benchmarks.targets import Verdict
from benchmarks.workload import TOKEN_PATH, UPDATE_PATH, business_headers, token_request, user

RESULTS = ROOT / "benchmarks" / "results" / "webhooks.json"
DELIVERIES = "/_admin/webhooks/deliveries"
SETTLE_S = 10.0  # seconds without a new delivery after which the drain is given up
POLL_S = 0.1
CALIBRATE_S = 1.0  # quiet seconds after the first call: all its events have arrived


@dataclass(frozen=True, slots=True)
class WebhookRun:
    """One writer run: with a subscription (its --webhook-concurrency) or without (None)."""

    concurrency: int | None
    seconds: float
    calls: int
    events: int  # produced: calls x the events one call makes
    delivered: int  # distinct events the receiver got
    received: int  # deliveries the receiver got (a redelivered event counts twice)
    failed: int  # failed or pending in the delivery log once drained
    drain_s: float  # after the writer stopped, until the last event arrived

    @property
    def lost(self) -> int:
        return self.events - self.delivered

    @property
    def writes_per_s(self) -> float:
        return self.calls / self.seconds

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds

    @property
    def delivered_per_s(self) -> float:
        return self.delivered / (self.seconds + self.drain_s)


class Writer:
    """One client, one keep-alive connection: new users, a batch a call, as fast as answered."""

    def __init__(self, base_url: str, users: int) -> None:
        self.users = users
        self.client = httpx.Client(base_url=base_url, timeout=60)
        answer = self.client.post(TOKEN_PATH, content=token_request()).json()
        self.headers = business_headers(answer["data"]["access_token"])
        self.made = 0

    def write(self) -> None:
        first = 1_000_000 + self.made * self.users
        body = orjson.dumps([user(first + n) for n in range(self.users)])
        answer = self.client.post(UPDATE_PATH, content=body, headers=self.headers)
        if answer.status_code != 200 or len(answer.json()["data"]["success"]) != self.users:
            raise RuntimeError(f"user update answered {answer.status_code}: {answer.text[:300]}")
        self.made += 1

    def run(self, seconds: float) -> tuple[int, float]:
        """Write for that long; the calls made and the seconds it took."""
        start, made = time.perf_counter(), self.made
        while time.perf_counter() - start < seconds:
            self.write()
        return self.made - made, time.perf_counter() - start


@dataclass(frozen=True, slots=True)
class Plan:
    seconds: float
    users: int  # per call
    log_dir: Path


def measure(concurrency: int | None, plan: Plan) -> WebhookRun:
    """A writer for that long against a fresh emulator, delivering to a fresh receiver."""
    with running("receiver", receiver_command, plan.log_dir) as receiver:
        hook = receiver.url + "/jing"
        flags = [] if concurrency is None else ["--webhook-url", hook]
        if concurrency and concurrency > 1:
            flags += ["--webhook-concurrency", str(concurrency)]

        def command(port: int) -> list[str]:
            return [*emulator_command(port), *flags]

        with running("emulator", command, plan.log_dir) as emulator:
            writer = Writer(emulator.url, plan.users)
            with closing(writer.client), httpx.Client(base_url=receiver.url, timeout=10) as stats:
                return _run(concurrency, plan.seconds, writer, _stats(stats))


def _run(
    concurrency: int | None, seconds: float, writer: Writer, stats: Callable[[], tuple[int, int]]
) -> WebhookRun:
    writer.write()  # one call first: how many events a call makes
    per_call = _wait(stats, sys.maxsize, CALIBRATE_S)[0] if concurrency is not None else 0
    calls, elapsed = writer.run(seconds)
    stop = time.perf_counter()
    delivered, received = _wait(stats, per_call * (calls + 1)) if per_call else (0, 0)
    drain = time.perf_counter() - stop if per_call else 0.0
    failed = _unsettled(writer.client) if per_call else 0
    counts = (per_call * calls, delivered - per_call, received - per_call)
    return WebhookRun(concurrency, elapsed, calls, *counts, failed, drain)


def _stats(client: httpx.Client) -> Callable[[], tuple[int, int]]:
    def read() -> tuple[int, int]:
        data = client.get("/stats").json()
        return int(data["events"]), int(data["received"])

    return read


def _wait(
    stats: Callable[[], tuple[int, int]], count: int, quiet: float = SETTLE_S
) -> tuple[int, int]:
    """Poll the receiver until it got count events, or nothing came for `quiet` seconds."""
    last, since = stats(), time.perf_counter()
    while last[0] < count and time.perf_counter() - since < quiet:
        time.sleep(POLL_S)
        now = stats()
        if now[0] != last[0]:
            last, since = now, time.perf_counter()
    return last


def _unsettled(client: httpx.Client) -> int:
    log = client.get(DELIVERIES).json()["data"]["deliveries"]
    return sum(1 for d in log if d["status"] in ("failed", "pending"))


def judge(runs: list[WebhookRun]) -> list[Verdict]:
    """Nothing lost to a healthy receiver, in every run with a subscription."""
    return [
        Verdict(
            f"0 events lost, healthy receiver, --webhook-concurrency {run.concurrency}",
            f"{run.lost} of {run.events:,} lost, {run.failed} failed",
            run.lost == 0 and run.failed == 0,
        )
        for run in runs
        if run.concurrency is not None
    ]


def table(runs: list[WebhookRun]) -> str:
    reference = next((r.writes_per_s for r in runs if r.concurrency is None), None)
    lines = [
        "| run | calls/s | events | events/s | delivered/s | drain s | lost | failed "
        "| calls vs none |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        name = "no subscription" if run.concurrency is None else f"concurrency {run.concurrency}"
        ratio = f"{run.writes_per_s / reference:.2f}x" if reference else "-"
        lines.append(
            f"| {name} | {run.writes_per_s:,.0f} | {run.events:,} | {run.events_per_s:,.0f} "
            f"| {run.delivered_per_s:,.0f} "
            f"| {run.drain_s:.1f} | {run.lost} | {run.failed} | {ratio} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    plan = ([] if args.no_reference else [None]) + list(args.concurrency)
    runs: list[WebhookRun] = []
    with tempfile.TemporaryDirectory(prefix="jing-bench-webhooks-") as tmp:
        for concurrency in plan:
            print(f"webhooks: writer for {args.seconds} s, concurrency {concurrency}", flush=True)
            runs.append(measure(concurrency, Plan(args.seconds, args.users, Path(tmp))))
    verdicts = judge(runs)
    print(f"\n{table(runs)}\n")
    for verdict in verdicts:
        print(f"{'met' if verdict.met else 'MISSED'}: {verdict.target}: {verdict.figure}")
    write(args.output, _record(vars(args), runs, verdicts))
    print(f"\nresults written to {args.output}")
    return 0 if all(v.met for v in verdicts) else 1


def _record(config: dict[str, Any], runs: list[WebhookRun], verdicts: list[Verdict]) -> Any:
    figures = [asdict(r) | {"lost": r.lost, "delivered_per_s": r.delivered_per_s} for r in runs]
    config = {k: v for k, v in config.items() if k != "output"}  # where it is: no machine's path
    verdict_list = [asdict(v) for v in verdicts]
    return {"machine": machine(), "config": config, "runs": figures, "targets": verdict_list}


def _levels(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.webhooks", description=__doc__)
    add = parser.add_argument
    add("--seconds", type=float, default=20.0, help="how long the writer writes, per run")
    add("--concurrency", type=_levels, default=(1, 8), help="--webhook-concurrency of each run")
    add("--users", type=int, default=50, help="new users a call writes (one event each)")
    add("--no-reference", action="store_true", help="no run without a subscription")
    add("--output", type=Path, default=RESULTS, help="where the JSON goes")
    return parser


if __name__ == "__main__":
    sys.exit(main())
