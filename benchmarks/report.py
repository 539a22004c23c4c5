"""The results: a readable table on stdout and a JSON record with the machine it ran on."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

from benchmarks.inprocess import InProcessResult
from benchmarks.network import SERVERS, HttpResult
from benchmarks.servers import ROOT

GOAL_RATIO = 0.7  # the project's goal: at least 0.7x the bare app
PACKAGES = ("uvicorn", "uvloop", "httptools", "starlette", "orjson", "httpx", "respx")


def machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: metadata.version(name) for name in PACKAGES},
        "commit": _git("rev-parse", "HEAD"),
        "dirty": bool(_git("status", "--porcelain")),
    }


def record(
    config: dict[str, Any], http: list[HttpResult], local: list[InProcessResult]
) -> dict[str, Any]:
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "config": config,
        "http": [_http_json(r) for r in http],
        "inprocess": [asdict(r) for r in local],
    }


def write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")


def http_table(results: list[HttpResult], heading: str) -> str:
    header = f"{'body':<10} {'bytes':>6}  {'server':<9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
    lines = [heading, header + f"{'errors':>8}"]
    for result in results:
        lines += [_server_line(result, server) for server in SERVERS]
        lines.append(_ratio_line(result))
    return "\n".join(lines)


def _server_line(result: HttpResult, server: str) -> str:
    return (
        f"{result.body:<10} {result.body_bytes:>6}  {server:<9}"
        f"{result.median(server, 'requests_per_s'):>9.1f}"
        f"{result.median(server, 'p50_ms'):>9.2f}"
        f"{result.median(server, 'p99_ms'):>9.2f}{result.errors(server):>8}"
    )


def _ratio_line(result: HttpResult) -> str:
    verdict = "met" if result.ratio >= GOAL_RATIO else "not met"
    return (
        f"{'':<18}emulator/bare req/s {result.ratio:.2f} paired by round"
        f" ({result.ratio_of_medians:.2f} of medians); goal >= {GOAL_RATIO}: {verdict}"
    )


def inprocess_table(results: list[InProcessResult], heading: str) -> str:
    lines = [
        heading,
        f"{'body':<10}{'emulator us':>13}{'bare us':>10}{'ratio':>8}"
        f"{'dispatch() us':>15}{'orjson.loads us':>17}",
    ]
    lines += [
        f"{r.body:<10}{r.emulator_us:>13.1f}{r.bare_us:>10.1f}{r.ratio:>8.2f}"
        f"{r.dispatch_us:>15.1f}{r.loads_us:>17.1f}"
        for r in results
    ]
    lines.append("ratio = emulator/bare time per call through the route, paired by round;")
    lines.append("dispatch() and orjson.loads: the same work called directly, without httpx")
    return "\n".join(lines)


def _http_json(result: HttpResult) -> dict[str, Any]:
    servers = {
        server: {
            "median_requests_per_s": result.median(server, "requests_per_s"),
            "median_p50_ms": result.median(server, "p50_ms"),
            "median_p99_ms": result.median(server, "p99_ms"),
            "errors": result.errors(server),
            "runs": [asdict(s) for s in result.samples[server]],
        }
        for server in SERVERS
    }
    return {
        "body": result.body,
        "body_bytes": result.body_bytes,
        "ratio": result.ratio,
        "ratio_of_medians": result.ratio_of_medians,
        "servers": servers,
    }


def _cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor()
    models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return models[0] if models else platform.processor()


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return done.stdout.strip()
