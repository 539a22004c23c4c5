"""The benchmark harness still runs, and its parts judge and report what they are given.

No figure is judged here: the machines are noisy, so there are no timed assertions.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from benchmarks import memory, peers, readme, webhooks
from benchmarks.__main__ import main
from benchmarks.lifecycle import LifecycleResult
from benchmarks.load import Sample
from benchmarks.network import HttpResult
from benchmarks.report import record
from benchmarks.scale import LookupFigure, ProgressBar, ScaleResult
from benchmarks.servers import prism_command
from benchmarks.targets import Figures, judge
from emulator.app import dispatch


def sample(rate: float) -> Sample:
    return Sample(requests_per_s=rate, p50_ms=1.0, p99_ms=2.0, requests=int(rate), errors=0)


def http_result(workload: str, rates: dict[str, list[float]]) -> HttpResult:
    result = HttpResult(workload, "/v1/user/update", 10, tuple(rates))
    for server, values in rates.items():
        result.samples[server] = [sample(v) for v in values]
    return result


def test_inprocess_and_scale_benchmarks_run_and_write_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("benchmarks.inprocess.ROUND_SECONDS", 0.001)  # no figure is judged
    output = tmp_path / "results.json"
    argv = ["--skip-http", "--inprocess-rounds", "1", "--sizes", "100,1000"]
    argv += ["--memory-users", "500", "--output", str(output), "--no-readme"]
    assert main(argv) == 0
    results = json.loads(output.read_text())
    assert [r["body"] for r in results["inprocess"]] == ["100 users", "1 user"]
    assert all(r["emulator_us"] > 0 and r["bare_asgi_us"] > 0 for r in results["inprocess"])
    assert results["lifecycle"]["demo_users"] > 0
    assert [f["users"] for f in results["scale"]["lookups"]] == [100, 1000]
    assert results["scale"]["seeded_users"] == 1000
    assert all(f["tagged_query_us"] > 0 for f in results["scale"]["lookups"])
    assert results["scale"]["bytes_per_user"] > 0
    assert {"reset < 1.0 ms", "create_app warm < 50 ms"} <= {
        t["target"] for t in results["targets"]
    }


def test_ratio_pairs_the_runs_of_each_round_and_is_none_for_a_server_that_did_not_run() -> None:
    result = http_result("update 1 user", {"emulator": [10, 30, 20], "bare": [20, 30, 80]})
    assert result.ratio("emulator", "bare") == 0.5  # pairs 0.5, 1.0, 0.25
    assert result.ratio_of_medians("emulator", "bare") == 20 / 30
    assert result.ratio("emulator", "prism") is None
    assert result.ratio_of_medians("emulator", "prism") is None


def test_targets_judge_update_workloads_against_both_peers_and_skip_other_workloads() -> None:
    rates = {"emulator": [80.0], "prism": [50.0], "bare": [100.0]}
    figures = Figures(
        [http_result("update 1 user", rates), http_result("query 1", rates)], [], None, None
    )
    verdicts = {v.target: v for v in judge(figures)}
    assert set(verdicts) == {
        "HTTP update 1 user: emulator >= 0.7x bare req/s",
        "HTTP update 1 user: emulator >= 2.0x prism req/s",
    }
    assert verdicts["HTTP update 1 user: emulator >= 0.7x bare req/s"].met
    assert not verdicts["HTTP update 1 user: emulator >= 2.0x prism req/s"].met


def test_targets_judge_fixture_costs_and_scale_including_a_million_user_seed() -> None:
    lookups = [LookupFigure(1000, 100.0, 5.0, 7.0), LookupFigure(1_000_000, 160.0, 6.0, 9.0)]
    scale = ScaleResult(lookups, 1_000_000, 61.0, None, 1000, 1500.0)
    figures = Figures([], [], LifecycleResult(10.0, 0.5, 0.4, 24), scale)
    verdicts = {v.target: (v.figure, v.met) for v in judge(figures)}
    assert verdicts["reset < 1.0 ms"] == ("0.500 ms", True)
    assert verdicts["create_app warm < 50 ms"] == ("10.00 ms", True)
    spread = "flat within 1.5x (1,000 to 1,000,000 users)"
    assert verdicts[f"UserStore.find {spread}"] == ("1.60x", False)
    assert verdicts[f"user.query by identity {spread}"] == ("1.20x", True)
    assert verdicts["<= 2048 bytes per stored user"] == ("1500 bytes", True)
    assert verdicts["1,000,000 users seeded in < 60 s"] == ("61.0 s", False)


def test_readme_table_replaces_only_the_text_between_the_markers(tmp_path: Path) -> None:
    target = tmp_path / "README.md"
    target.write_text(f"# title\n{readme.START}\nold\n{readme.END}\ntail\n")
    rates = {"emulator": [80.0], "prism": [50.0], "bare": [100.0]}
    figures = Figures([http_result("update 1 user", rates)], [], None, None)
    config = {"load_tool": "wrk", "threads": 2, "connections": 32, "rounds": 1, "seconds": 1}
    data = record({**config, "prism": "prism 5"}, figures, judge(figures))
    assert readme.update(target, data)
    text = target.read_text()
    assert text.startswith("# title\n")
    assert text.endswith(f"{readme.END}\ntail\n")
    assert "old" not in text
    assert "make bench" in text
    assert "| update 1 user | 10 B | 80 / 50 / 100 | 0.80 | 1.60 |" in text
    assert "| HTTP update 1 user: emulator >= 2.0x prism req/s | 1.60x | **no** |" in text


def test_readme_without_markers_is_left_untouched(tmp_path: Path) -> None:
    target = tmp_path / "README.md"
    target.write_text("# no table here\n")
    assert not readme.update(target, {})
    assert target.read_text() == "# no table here\n"


def test_prism_is_skipped_with_directions_when_npm_cannot_be_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    assert peers.ensure_prism(tmp_path / "prism") is None
    said = capsys.readouterr().out
    assert "prism: SKIPPED, npm not found" in said
    assert "install Node.js" in said


def test_prism_runs_at_its_fastest_logging_level_on_the_exported_document() -> None:
    command = prism_command(Path("/p/prism"), Path("/tmp/oa.json"), 4010)
    assert command[:2] == ["/p/prism", "mock"]
    assert command[command.index("-v") + 1] == "error"
    assert command[-1] == "/tmp/oa.json"
    assert "4010" in command


def test_progress_bar_off_a_terminal_prints_a_line_per_tenth() -> None:
    stream = io.StringIO()
    bar = ProgressBar(100, "seeding", stream)
    for done in range(1, 101):
        bar.update(done)
    bar.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[-1].lstrip().startswith("seeding [" + "#" * 30 + "]")
    assert "100/100" in lines[-1]


@pytest.mark.parametrize("workload", ["update100", "update1", "import", "query"])
def test_profiled_workloads_are_served_and_checked(workload: str) -> None:
    from benchmarks.profile import prepare  # pyinstrument is a dev dependency

    emulator, request = prepare(workload)
    assert dispatch(emulator, request).status == 200


def test_the_webhook_benchmark_runs_tiny_and_counts_every_event(tmp_path: Path) -> None:
    output = tmp_path / "webhooks.json"
    argv = ["--seconds", "0.3", "--concurrency", "2", "--users", "5", "--output", str(output)]
    assert webhooks.main(argv) == 0
    runs = json.loads(output.read_text())["runs"]
    assert [r["concurrency"] for r in runs] == [None, 2]
    assert runs[1]["events"] == runs[1]["calls"] * 5 > 0
    assert runs[1]["lost"] == runs[1]["failed"] == 0


def test_the_webhook_benchmark_judges_a_loss_or_a_failure_as_missed() -> None:
    fine = webhooks.WebhookRun(1, 1.0, 10, 50, 50, 50, 0, 0.1)
    lossy = webhooks.WebhookRun(8, 1.0, 10, 50, 40, 40, 0, 0.1)
    failing = webhooks.WebhookRun(4, 1.0, 10, 50, 50, 50, 3, 0.1)
    reference = webhooks.WebhookRun(None, 1.0, 20, 0, 0, 0, 0, 0.0)
    verdicts = webhooks.judge([reference, fine, lossy, failing])
    assert [v.met for v in verdicts] == [True, False, False]
    assert verdicts[1].figure == "10 of 50 lost, 0 failed"
    assert "| concurrency 1 | 10 | 50 | 50 | 45 | 0.1 | 0 | 0 | 0.50x |" in webhooks.table(
        [reference, fine]
    )


def test_the_memory_benchmark_runs_tiny_and_reads_the_servers_rss(tmp_path: Path) -> None:
    output = tmp_path / "memory.json"
    memory.main(["--seconds", "1", "--output", str(output)])  # too short to judge: not asserted
    runs = json.loads(output.read_text())["runs"]
    assert [r["loop"] for r in runs] == ["token calls", "writes (events delivered)"]
    assert all(r["calls"] > 0 and r["baseline_kib"] > 0 for r in runs)


def test_the_memory_benchmark_judges_growth_over_the_warmed_up_rss() -> None:
    flat = memory.MemoryRun("token calls", 120, 1000, 50_000, 60_000, 62_000, 65_000)
    grown = memory.MemoryRun("writes", 120, 1000, 50_000, 60_000, 70_000, 70_000)
    assert [v.met for v in memory.judge([flat, grown])] == [True, False]
    assert "+8.3%" in memory.table([flat])
