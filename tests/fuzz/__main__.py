"""python -m tests.fuzz: start `jing-emulator serve` on a free loopback port, get a token, run
Schemathesis over every operation of its /openapi.json, stop the server; exit as Schemathesis."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from emulator.settings import Settings
from tests import served

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
    """Serve as users start it, with rate limits warned of: the fuzzer sends thousands of calls a
    minute, and refused ones (429) would stand in for most handler runs; warned ones still count."""
    flags = ("--rate-limits", "warn", "--quiet")
    with tempfile.TemporaryDirectory() as folder, served.serve(Path(folder) / "port", *flags) as up:
        return fuzz(up.base_url)


if __name__ == "__main__":
    sys.exit(main())
