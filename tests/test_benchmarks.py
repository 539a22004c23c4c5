"""The benchmark harness still runs: its in-process part, briefly (no figures are judged)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.__main__ import main


def test_inprocess_benchmark_runs_and_writes_results(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    assert main(["--skip-http", "--inprocess-rounds", "1", "--output", str(output)]) == 0
    results = json.loads(output.read_text())
    assert [r["body"] for r in results["inprocess"]] == ["100 users", "1 user"]
    assert all(r["emulator_us"] > 0 and r["bare_us"] > 0 for r in results["inprocess"])
