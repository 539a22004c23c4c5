"""The vendor reference's documented endpoints (endpoints.yaml): the reference itself when it is at
hand, else the copy in tests/data."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

COPY = Path(__file__).parent / "data" / "reference_documented.json"
ROOT = Path(__file__).resolve().parent.parent


def reference_file() -> Path | None:
    """endpoints.yaml: in $JING_REFERENCE_DIR, or in shared/reference beside the checkout."""
    places = [Path(os.environ["JING_REFERENCE_DIR"])] if "JING_REFERENCE_DIR" in os.environ else []
    places += [ROOT.parent / "shared" / "reference"]
    return next((p / "endpoints.yaml" for p in places if (p / "endpoints.yaml").is_file()), None)


def from_reference(path: Path) -> list[dict[str, Any]]:
    """The documented endpoints of an endpoints.yaml, as JSON data (dates as text)."""
    endpoints = yaml.safe_load(path.read_text(encoding="utf-8"))["endpoints"]
    documented = [e for e in endpoints if e["status"] == "documented"]
    loaded: list[dict[str, Any]] = json.loads(json.dumps(documented, default=str))
    return loaded


def from_copy() -> list[dict[str, Any]]:
    copied: list[dict[str, Any]] = json.loads(COPY.read_text(encoding="utf-8"))["endpoints"]
    return copied


def documented() -> list[dict[str, Any]]:
    """Every documented endpoint of the reference, whole."""
    found = reference_file()
    return from_reference(found) if found is not None else from_copy()
