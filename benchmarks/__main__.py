"""python -m benchmarks: the emulator against a bare Starlette app, over HTTP and in-process."""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.inprocess import InProcessResult, measure_inprocess
from benchmarks.load import LoadConfig, ensure_wrk, run_wrk, wrk_version
from benchmarks.network import HttpResult, Plan, run_http
from benchmarks.pyload import run_python
from benchmarks.report import http_table, inprocess_table, record, write
from benchmarks.workload import Body, bodies

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    work = bodies()
    http: list[HttpResult] = []
    local: list[InProcessResult] = []
    tool = "none"
    if not args.skip_http:
        plan = _plan(args)
        tool = plan.tool
        http = _http(work, plan)
    if not args.skip_inprocess:
        local = _inprocess(work, args.inprocess_rounds)
    settings: dict[str, Any] = {**vars(args), "load_tool": tool, "output": str(args.output)}
    write(args.output, record(settings, http, local))
    print(f"\nresults written to {args.output}")
    return 0


def _plan(args: argparse.Namespace) -> Plan:
    """wrk when available (installing it if needed), else the Python client, saying so."""
    config = LoadConfig(args.threads, args.connections, args.seconds)
    if args.load_generator == "auto":
        print("load generator: looking for wrk", flush=True)
        wrk = ensure_wrk()
        if wrk:
            return Plan(config, args.rounds, partial(run_wrk, wrk), wrk_version(wrk))
        print(
            "load generator: wrk unavailable, FALLING BACK to the Python client (slower, "
            "shares the CPUs with the servers; figures not comparable with wrk runs)"
        )
    fallback = replace(config, threads=1)  # one Python process, one event loop
    return Plan(fallback, args.rounds, run_python, "python asyncio client (fallback)")


def _http(work: list[Body], plan: Plan) -> list[HttpResult]:
    config = plan.config
    heading = (
        f"HTTP: {plan.tool}, {config.threads} threads, {config.connections} connections, "
        f"{plan.rounds} rounds x {config.seconds} s, servers interleaved; medians of the rounds"
    )
    print(f"\nHTTP runs ({plan.tool}):", flush=True)
    with tempfile.TemporaryDirectory(prefix="jing-bench-") as tmp:
        results = run_http(work, plan, Path(tmp))
    print(f"\n{http_table(results, heading)}", flush=True)
    return results


def _inprocess(work: list[Body], rounds: int) -> list[InProcessResult]:
    heading = (
        f"In-process: httpx.Client -> respx route -> emulator dispatch vs bare handler "
        f"(orjson.loads + fixed reply); medians of {rounds} rounds"
    )
    print("\nIn-process runs ...", flush=True)
    results = measure_inprocess(work, rounds)
    print(f"\n{inprocess_table(results, heading)}", flush=True)
    return results


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of A B runs per body")
    parser.add_argument("--seconds", type=int, default=4, help="length of one load run")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=32, help="open connections")
    parser.add_argument("--inprocess-rounds", type=int, default=9, help="in-process rounds")
    parser.add_argument("--load-generator", choices=("auto", "python"), default="auto")
    parser.add_argument("--skip-http", action="store_true", help="only the in-process figures")
    parser.add_argument("--skip-inprocess", action="store_true", help="only the HTTP figures")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    return parser


if __name__ == "__main__":
    sys.exit(main())
