"""python -m tests.fuzz: start `jing-emulator serve` on a free loopback port, get a token, run
Schemathesis over every operation of its /openapi.json, stop the server; exit as Schemathesis."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from emulator.settings import Settings

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 30.0
CHECKS = ",".join(
    (
        "not_a_server_error",
        "response_schema_conformance",
        "status_code_conformance",
        "content_type_conformance",
    )
)
# Bounded for CI: a few examples per operation (plus Schemathesis's coverage phase), fixed seed.
EXAMPLES = os.environ.get("FUZZ_EXAMPLES", "10")
SEED = os.environ.get("FUZZ_SEED", "1")
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def serve(port: int) -> subprocess.Popen[bytes]:
    """The emulator as users start it. Rate limits warn: the fuzzer sends thousands of calls a
    minute, and refused ones (429) would stand in for most handler runs; warned ones still count."""
    command = [str(BIN / "jing-emulator"), "serve", "--host", LOOPBACK, "--port", str(port)]
    return subprocess.Popen([*command, "--rate-limits", "warn"])


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"jing-emulator serve exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/_admin/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"jing-emulator serve did not answer in {START_TIMEOUT} s")


def token(base: str) -> str:
    defaults = Settings()
    body = {"app_id": defaults.app_id, "app_secret": defaults.app_secret}
    found: str = httpx.post(f"{base}/v1/oauth2/token", json=body).json()["data"]["access_token"]
    return found


def fuzz(base: str) -> int:
    """Schemathesis over every operation, calling as the default app."""
    headers = ["-H", f"app_id: {Settings().app_id}", "-H", f"access_token: {token(base)}"]
    command = [str(BIN / "schemathesis"), "run", f"{base}/openapi.json", "--url", base, *headers]
    options = ["--checks", CHECKS, "--max-examples", EXAMPLES, "--seed", SEED, "--workers", "2"]
    quiet = ["--generation-database", "none", "--no-color"]
    return subprocess.run([*command, *options, *quiet], check=False).returncode


def main() -> int:
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    server = serve(port)
    try:
        wait_until_up(base, server)
        return fuzz(base)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
