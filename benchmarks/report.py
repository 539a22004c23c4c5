"""The results: readable tables on stdout and a JSON record with the machine it ran on."""

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
from benchmarks.lifecycle import LifecycleResult
from benchmarks.network import EMULATOR, HttpResult
from benchmarks.scale import ScaleResult
from benchmarks.servers import ROOT
from benchmarks.targets import Figures, Verdict

PACKAGES = (
    "uvicorn",
    "uvloop",
    "httptools",
    "starlette",
    "orjson",
    "jsonschema-rs",
    "httpx",
    "respx",
)
# The req/s ratios reported, each pair of servers that ran.
PAIRS = ((EMULATOR, "bare"), (EMULATOR, "prism"), ("prism", "bare"))


def machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: metadata.version(name) for name in PACKAGES},
        "commit": _git("rev-parse", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def record(config: dict[str, Any], figures: Figures, verdicts: list[Verdict]) -> dict[str, Any]:
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "config": config,
        "http": [_http_json(r) for r in figures.http],
        "inprocess": [asdict(r) for r in figures.inprocess],
        "lifecycle": asdict(figures.lifecycle) if figures.lifecycle else None,
        "scale": asdict(figures.scale) if figures.scale else None,
        "targets": [asdict(v) for v in verdicts],
    }


def write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")


def http_table(results: list[HttpResult], heading: str) -> str:
    header = f"{'workload':<18} {'bytes':>6}  {'server':<9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
    lines = [heading, header + f"{'errors':>8}"]
    for result in results:
        lines += [_server_line(result, server) for server in result.servers]
        lines.append(f"{'':<26}{ratios_text(result)}")
    return "\n".join(lines)


def ratios_text(result: HttpResult) -> str:
    """Every pair of servers that ran, as req/s ratios paired by round."""
    found = [(a, b, result.ratio(a, b)) for a, b in PAIRS]
    return ", ".join(f"{a}/{b} {r:.2f}" for a, b, r in found if r is not None)


def _server_line(result: HttpResult, server: str) -> str:
    return (
        f"{result.workload:<18} {result.body_bytes:>6}  {server:<9}"
        f"{result.median(server, 'requests_per_s'):>9.1f}"
        f"{result.median(server, 'p50_ms'):>9.2f}"
        f"{result.median(server, 'p99_ms'):>9.2f}{result.errors(server):>8}"
    )


def inprocess_table(results: list[InProcessResult], heading: str) -> str:
    lines = [
        heading,
        f"{'body':<10}{'plugin':>9}{'bare route':>12}{'ratio':>7}{'plugin async':>14}"
        f"{'bare ASGI':>11}{'ratio':>7}{'dispatch':>10}{'loads':>8}",
    ]
    lines += [
        f"{r.body:<10}{r.emulator_us:>9.1f}{r.bare_route_us:>12.1f}{r.route_ratio:>7.2f}"
        f"{r.emulator_async_us:>14.1f}{r.bare_asgi_us:>11.1f}{r.asgi_ratio:>7.2f}"
        f"{r.dispatch_us:>10.1f}{r.loads_us:>8.1f}"
        for r in results
    ]
    lines.append("µs per call; ratios paired by round; dispatch and loads called directly")
    return "\n".join(lines)


def lifecycle_table(result: LifecycleResult) -> str:
    return "\n".join(
        [
            "Fixture costs (fixtures' settings: demo data, frozen clock), medians:",
            f"  create_app, warm                    {result.create_app_ms:8.3f} ms",
            f"  reset (all, then a new token)       {result.reset_ms:8.3f} ms",
            f"  reset of the default app only       {result.tenant_reset_ms:8.3f} ms",
            f"  (the demo data holds {result.demo_users} users)",
        ]
    )


def scale_table(result: ScaleResult) -> str:
    lines = ["Scale: users with 2 identities and 10 fields, seeded through Emulator.seed"]
    lines.append("  (one user in ten carries 2 tags: user tags grow with the store)")
    lines += [
        f"  {f.users:>9,} users: find by identity {f.find_ns:7.0f} ns, "
        f"user.query call {f.query_us:6.1f} µs, of a user with 2 tags {f.tagged_query_us:6.1f} µs"
        for f in result.lookups
    ]
    lines.append(f"  seeded {result.seeded_users:,} users in {result.seed_s:.1f} s")
    if result.rss_bytes_per_user is not None:
        lines.append(f"  resident memory grew {result.rss_bytes_per_user:.0f} bytes per user")
    lines.append(
        f"  tracemalloc: {result.bytes_per_user:.0f} bytes held per user "
        f"({result.memory_users:,} users)"
    )
    return "\n".join(lines)


def verdict_table(verdicts: list[Verdict]) -> str:
    lines = ["Targets (one run; ratios are paired by round):"]
    lines += [f"  {'met    ' if v.met else 'NOT MET'}  {v.target}: {v.figure}" for v in verdicts]
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
        for server in result.servers
    }
    ratios = {
        f"{a}/{b}": {"paired": result.ratio(a, b), "of_medians": result.ratio_of_medians(a, b)}
        for a, b in PAIRS
        if result.ratio(a, b) is not None
    }
    return {
        "workload": result.workload,
        "path": result.path,
        "body_bytes": result.body_bytes,
        "ratios": ratios,
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
