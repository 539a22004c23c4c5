"""The servers under test: subprocesses on free loopback ports, started, awaited and stopped."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.workload import post

LOOPBACK = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 30.0
POLL_INTERVAL = 0.1
STOP_TIMEOUT = 5.0

Command = Callable[[int], list[str]]


@dataclass(frozen=True, slots=True)
class Server:
    name: str
    url: str
    pid: int = 0  # the process serving it (for its memory)


def emulator_command(port: int) -> list[str]:
    """The emulator's console script, from the virtualenv running this benchmark."""
    script = Path(sys.executable).with_name("jing-emulator")
    return [
        str(script),
        "serve",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--rate-limits",
        "warn",
        "--seed-data",
        "none",
        "--seed",
        "1",
        "--quiet",  # no access log: the peers keep none either
    ]


def bare_command(port: int) -> list[str]:
    return [sys.executable, "-m", "benchmarks.bare_app", "--host", LOOPBACK, "--port", str(port)]


def prism_command(prism: Path, document: Path, port: int) -> list[str]:
    """Prism mocking a document at its fastest: validating, logging errors only (-v error)."""
    host = ["-h", LOOPBACK, "-p", str(port)]
    return [str(prism), "mock", *host, "-v", "error", str(document)]


def receiver_command(port: int) -> list[str]:
    return [sys.executable, "-m", "benchmarks.receiver", "--host", LOOPBACK, "--port", str(port)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(name: str, command: Command, log_dir: Path) -> Iterator[Server]:
    """Start a server, yield it once it answers, and always stop it."""
    port = free_port()
    log = log_dir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command(port), stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        server = Server(name, f"http://{LOOPBACK}:{port}", process.pid)
        wait_until_answers(server, process, log)
        yield server
    finally:
        stop(process)


def wait_until_answers(server: Server, process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(int(START_TIMEOUT / POLL_INTERVAL)):
        if process.poll() is not None:
            raise RuntimeError(f"{server.name} exited ({process.returncode}):\n{log.read_text()}")
        try:
            post(server.url + "/", b"{}", {"Content-Type": "application/json"})
        except OSError:
            time.sleep(POLL_INTERVAL)
            continue
        return
    raise RuntimeError(f"{server.name} did not answer within {START_TIMEOUT:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)
