"""The peers the emulator is measured against: Stoplight Prism (npm) and the bare app.

Prism is installed with npm into benchmarks/.peers/prism (owned by the harness, ignored by git)
and mocks the emulator's own OpenAPI document, as `jing-emulator openapi` exports it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks.load import APT_ENV

PEERS_DIR = Path(__file__).resolve().parent / ".peers"
PRISM_DIR = PEERS_DIR / "prism"
PRISM_PACKAGE = "@stoplight/prism-cli@5.14.2"
NODE_HINT = (
    "install Node.js >= 18.20 with npm (Debian/Ubuntu: apt-get install nodejs npm, as root; "
    "or https://nodejs.org), then rerun"
)


def prism_bin(root: Path = PRISM_DIR) -> Path:
    return root / "node_modules" / ".bin" / "prism"


def ensure_prism(root: Path = PRISM_DIR) -> Path | None:
    """The prism executable, installed with npm into the harness's folder when missing."""
    found = prism_bin(root)
    if found.exists():
        return found
    npm = shutil.which("npm") or _install_node()
    if npm is None:
        print(f"prism: SKIPPED, npm not found; {NODE_HINT}", flush=True)
        return None
    command = [npm, "install", "--prefix", str(root), "--no-audit", "--no-fund", PRISM_PACKAGE]
    print("  $", " ".join(command), flush=True)
    root.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not found.exists():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"prism: SKIPPED, npm install failed ({last}); {NODE_HINT}", flush=True)
        return None
    return found


def _install_node() -> str | None:
    """npm from the Debian packages, when running as root where apt-get exists."""
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return None
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "npm"]):
        print("  $", " ".join(command), flush=True)
        subprocess.run(command, env=APT_ENV, capture_output=True, text=True, check=False)
    return shutil.which("npm")


def prism_version(prism: Path) -> str:
    done = subprocess.run([str(prism), "--version"], capture_output=True, text=True, check=False)
    return f"prism {done.stdout.strip() or '?'}"


def export_openapi(target: Path) -> Path:
    """The emulator's OpenAPI document, exported by its own command, written to a file."""
    script = Path(sys.executable).with_name("jing-emulator")
    done = subprocess.run([str(script), "openapi"], capture_output=True, check=True)
    target.write_bytes(done.stdout)
    return target
