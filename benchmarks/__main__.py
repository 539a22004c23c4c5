"""python -m benchmarks: the emulator against Stoplight Prism and a bare Starlette app, over
HTTP; in-process calls, fixture costs and scale (lookups, memory, seeding) in this process."""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks import readme
from benchmarks.inprocess import InProcessResult, measure_inprocess
from benchmarks.lifecycle import measure_lifecycle
from benchmarks.load import LoadConfig, ensure_wrk, run_wrk, wrk_version
from benchmarks.network import EMULATOR, HttpResult, Plan, run_http
from benchmarks.peers import ensure_prism, export_openapi, prism_version
from benchmarks.pyload import run_python
from benchmarks.report import (
    http_table,
    inprocess_table,
    lifecycle_table,
    record,
    scale_table,
    verdict_table,
    write,
)
from benchmarks.scale import MEMORY_USERS, SIZES, measure_scale
from benchmarks.servers import ROOT, Command, bare_command, emulator_command, prism_command
from benchmarks.targets import Figures, Verdict, judge
from benchmarks.workload import bodies

RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
README = ROOT / "README.md"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings: dict[str, Any] = {**vars(args), "load_tool": "none", "prism": "not run"}
    http = [] if args.skip_http else _http(args, settings)
    figures = Figures(
        http=http,
        inprocess=[] if args.skip_inprocess else _inprocess(args.inprocess_rounds),
        lifecycle=None if args.skip_inprocess else measure_lifecycle(args.inprocess_rounds),
        scale=None if args.skip_scale else measure_scale(args.sizes, args.memory_users),
    )
    _print_local(figures)
    settings.update(output=str(args.output), readme=str(args.readme))
    _write(args, record(settings, figures, judge(figures)))
    return 0


def _write(args: argparse.Namespace, data: dict[str, Any]) -> None:
    """The verdicts on stdout, the JSON record, and the README table unless told not to."""
    verdicts = [Verdict(**v) for v in data["targets"]]
    print(f"\n{verdict_table(verdicts)}", flush=True)
    write(args.output, data)
    print(f"\nresults written to {args.output}")
    if not args.no_readme and readme.update(args.readme, data):
        print(f"table written to {args.readme} (Performance section)")


def _print_local(figures: Figures) -> None:
    if figures.lifecycle:
        print(f"\n{lifecycle_table(figures.lifecycle)}", flush=True)
    if figures.scale:
        print(f"\n{scale_table(figures.scale)}", flush=True)


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


def _http(args: argparse.Namespace, settings: dict[str, Any]) -> list[HttpResult]:
    plan = _plan(args)
    prism = None if args.skip_prism else ensure_prism()
    settings.update(load_tool=plan.tool, prism=prism_version(prism) if prism else "skipped")
    config = plan.config
    heading = (
        f"HTTP: {plan.tool}, {config.threads} threads, {config.connections} connections, "
        f"{plan.rounds} rounds x {config.seconds} s, servers interleaved; medians of the rounds"
    )
    print(f"\nHTTP runs ({plan.tool}; Prism: {settings['prism']}):", flush=True)
    with tempfile.TemporaryDirectory(prefix="jing-bench-") as tmp:
        commands: dict[str, Command] = {EMULATOR: emulator_command}
        if prism:
            commands["prism"] = partial(prism_command, prism, export_openapi(Path(tmp) / "oa.json"))
        commands["bare"] = bare_command
        results = run_http(plan, commands, Path(tmp))
    print(f"\n{http_table(results, heading)}", flush=True)
    return results


def _inprocess(rounds: int) -> list[InProcessResult]:
    heading = (
        "In-process, POST /v1/user/update: the plugin's respx route against a bare respx route "
        f"(httpx.Client) and a bare ASGI call (httpx.AsyncClient); medians of {rounds} rounds"
    )
    print("\nIn-process runs ...", flush=True)
    results = measure_inprocess(bodies(), rounds)
    print(f"\n{inprocess_table(results, heading)}", flush=True)
    return results


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(sorted({int(part) for part in text.split(",") if part.strip()}))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    add = parser.add_argument
    add("--rounds", type=int, default=5, help="rounds of interleaved HTTP runs per workload")
    add("--seconds", type=int, default=4, help="length of one load run")
    add("--threads", type=int, default=2, help="wrk threads")
    add("--connections", type=int, default=32, help="open connections")
    add("--inprocess-rounds", type=int, default=9, help="in-process rounds")
    add("--load-generator", choices=("auto", "python"), default="auto")
    add("--skip-http", action="store_true", help="no HTTP runs")
    add("--skip-prism", action="store_true", help="HTTP runs without Prism")
    add("--skip-inprocess", action="store_true", help="no in-process or fixture figures")
    add("--skip-scale", action="store_true", help="no lookup, memory or seeding figures")
    default_sizes = ",".join(map(str, SIZES))
    add("--sizes", type=_sizes, default=SIZES, help=f"store sizes (default {default_sizes})")
    add("--memory-users", type=int, default=MEMORY_USERS, help="users seeded for tracemalloc")
    add("--output", type=Path, default=RESULTS, help="where the JSON goes")
    add("--readme", type=Path, default=README, help="README whose bench table is rewritten")
    add("--no-readme", action="store_true", help="leave the README alone")
    return parser


if __name__ == "__main__":
    sys.exit(main())
