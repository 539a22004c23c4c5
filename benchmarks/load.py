"""Load generation with wrk: install it if missing, script the request, parse its report."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
APT_ENV = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}


@dataclass(frozen=True, slots=True)
class LoadConfig:
    threads: int = 2
    connections: int = 32
    seconds: int = 4


@dataclass(frozen=True, slots=True)
class Target:
    """One request, repeated: URL, headers and a file holding the body."""

    url: str
    headers: dict[str, str]
    body_file: Path


@dataclass(frozen=True, slots=True)
class Sample:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx answers and socket errors


def ensure_wrk() -> str | None:
    """The wrk executable, installed from the Debian packages when missing and possible."""
    found = shutil.which("wrk")
    if found or not shutil.which("apt-get") or os.geteuid() != 0:
        return found
    for command in (
        ["apt-get", "install", "-y", "-q", "wrk"],
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "wrk"],
    ):
        print("  $", " ".join(command), flush=True)
        done = subprocess.run(command, env=APT_ENV, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print("    failed:", (done.stderr.strip().splitlines() or ["no output"])[-1])
        elif shutil.which("wrk"):
            return shutil.which("wrk")
    return None


def wrk_version(wrk: str) -> str:
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    first = (done.stdout + done.stderr).strip().splitlines()[0]
    return first.split(" [", 1)[0]  # "wrk 4.1.0 [epoll] Copyright ..." -> "wrk 4.1.0"


def lua_script(target: Target) -> str:
    """Method, headers and body for every request; the body is read once, at start."""
    lines = ['wrk.method = "POST"']
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in target.headers.items()]
    lines += [
        f'local file = assert(io.open({json.dumps(str(target.body_file))}, "rb"))',
        'wrk.body = file:read("*a")',
        "file:close()",
    ]
    return "\n".join(lines) + "\n"


def run_wrk(wrk: str, target: Target, config: LoadConfig) -> Sample:
    script = target.body_file.with_suffix(".lua")
    script.write_text(lua_script(target))
    command = [
        wrk,
        f"-t{config.threads}",
        f"-c{config.connections}",
        f"-d{config.seconds}s",
        "--latency",
        "-s",
        str(script),
        target.url,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=config.seconds + 60
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    return parse_wrk(done.stdout)


def parse_wrk(report: str) -> Sample:
    """Requests/s, latency percentiles and errors from wrk --latency output."""
    latency = {
        p: float(v) * UNITS_MS[u]
        for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", report, re.MULTILINE)
    }
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    errors = sum(map(int, sockets.groups())) if sockets else 0
    return Sample(
        requests_per_s=float(_find(r"Requests/sec:\s+([\d.]+)", report)),
        p50_ms=latency["50"],
        p99_ms=latency["99"],
        requests=int(_find(r"(\d+) requests in", report)),
        errors=errors + (int(non_2xx.group(1)) if non_2xx else 0),
    )


def _find(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    if match is None:
        raise RuntimeError(f"unexpected wrk output, no {pattern!r}:\n{text}")
    return match.group(1)
