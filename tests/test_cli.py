"""The command line: serve's flags and environment variables, openapi."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from emulator import cli, serving
from emulator.settings import Settings


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What serve would serve (the app and the port it listens on), returned without serving."""
    seen: dict[str, Any] = {}

    def record(app: Any, listening: serving.Listening) -> None:
        seen.update(app=app.app if isinstance(app, serving.AccessLog) else app)
        seen.update(port=listening.port, host=listening.sock.getsockname()[0])
        listening.sock.close()

    monkeypatch.setattr(serving, "run", record)
    return seen


def test_openapi_command_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["openapi"]) == 0
    assert json.loads(capsys.readouterr().out)["openapi"] == "3.1.0"


def test_serve_flags_override_environment(
    monkeypatch: pytest.MonkeyPatch, served: dict[str, Any]
) -> None:
    monkeypatch.setenv("JING_EMULATOR_PORT", "9000")
    monkeypatch.setenv("JING_EMULATOR_APP_ID", "from-env")
    assert cli.main(["serve", "--port", "0", "--seed", "4", "--rate-limits", "off"]) == 0
    emulator = served["app"].state.emulator
    assert served["host"] == "127.0.0.1"
    assert served["port"] not in (0, 9000)
    assert (emulator.settings.app_id, emulator.settings.seed) == ("from-env", 4)
    assert emulator.limiter.mode == "off"


def test_serve_prints_base_url_and_credentials(
    served: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["serve", "--port", "0", "--seed-data", "none"])
    out = capsys.readouterr().out
    assert f"http://127.0.0.1:{served['port']}" in out
    assert Settings().app_id in out
    assert Settings().app_secret in out


def test_bad_environment_value_is_reported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JING_EMULATOR_PORT", "eighty")
    assert cli.main(["serve"]) == 2
    assert "JING_EMULATOR_PORT='eighty' is not a number" in capsys.readouterr().err


def test_bad_rate_limit_mode_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--rate-limits", "maybe"]) == 2
    assert "rate_limits must be one of" in capsys.readouterr().err


def test_python_dash_m_runs_the_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["emulator", "openapi"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("emulator", run_name="__main__")
    assert exited.value.code == 0
    assert json.loads(capsys.readouterr().out)["info"]["title"].startswith("JINGdigital")


def test_docs_command_rewrites_the_tables_in_place(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "docs").mkdir()
    for name in ("README.md", "docs/ASSUMPTIONS.md"):
        (tmp_path / name).write_text("<!-- errors:start -->\n<!-- errors:end -->\n")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["docs"]) == 0
    assert "updated README.md" in capsys.readouterr().out
    assert "`rate_limited`" in (tmp_path / "docs" / "ASSUMPTIONS.md").read_text()


def test_openapi_command_includes_the_overlay(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    overlay = Path(__file__).parent / "data" / "widget_overlay"
    monkeypatch.setenv("JING_EMULATOR_SCHEMAS_OVERLAY", str(overlay))
    assert cli.main(["openapi"]) == 0
    paths = json.loads(capsys.readouterr().out)["paths"]
    assert "/v1/widget/batchCreate" in paths
    assert "/v1/edm/task/create" in paths


def test_a_broken_overlay_stops_serve_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "operations.json").write_text('{"operations": [{"operationId": "x.y"}]}')
    assert cli.main(["serve", "--schemas-overlay", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "operations.json [x.y]: missing field(s)" in err


def test_seed_command_writes_a_dataset_the_emulator_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "big.json"
    assert cli.main(["seed", "--size", "30", "--out", str(out), "--seed", "3"]) == 0
    captured = capsys.readouterr()
    assert "30/30 users" in captured.err
    assert f"wrote {out}: 30 users" in captured.out
    from emulator.core import Emulator

    emulator = Emulator(Settings(seed_data=str(out)))
    assert len(emulator.tenants.default.users) == 30


def test_seed_command_refuses_an_empty_size(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["seed", "--size", "0", "--out", "x.json"]) == 2
    assert "--size must be at least 1" in capsys.readouterr().err


def test_serve_takes_the_webhook_flags(
    served: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    flags = ["--webhook-url", "http://127.0.0.1:3000/hook", "--webhook-secret", "k"]
    flags += ["--webhook-retries", "2,4", "--webhook-timeout", "1.5", "--webhook-chaos", "both"]
    assert cli.main(["serve", "--port", "0", *flags]) == 0
    emulator = served["app"].state.emulator
    assert (emulator.settings.webhook_timeout, emulator.settings.webhook_chaos) == (1.5, "both")
    [subscription] = emulator.webhooks.subscriptions()
    assert (subscription["url"], subscription["signed"]) == ("http://127.0.0.1:3000/hook", True)
    assert "webhooks:    every event of the default app -> http://127.0.0.1:3000/hook" in (
        capsys.readouterr().out
    )


def test_bad_webhook_chaos_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--webhook-chaos", "maybe"]) == 2
    assert "webhook_chaos must be one of" in capsys.readouterr().err


def test_strict_flag_turns_strict_mode_on(served: dict[str, Any]) -> None:
    assert cli.main(["serve", "--port", "0", "--strict"]) == 0
    assert served["app"].state.emulator.violations.enabled is True
    assert cli.main(["serve", "--port", "0"]) == 0
    assert served["app"].state.emulator.violations.enabled is False


def test_owner_change_with_lead_is_switched_on_by_flag_or_environment(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.main(["serve"]) == 0
    assert served["app"].state.emulator.tenants.default.owner_change_with_lead is False
    assert cli.main(["serve", "--owner-change-with-lead"]) == 0
    assert served["app"].state.emulator.tenants.default.owner_change_with_lead is True
    monkeypatch.setenv("JING_EMULATOR_OWNER_CHANGE_WITH_LEAD", "true")
    assert cli.main(["serve"]) == 0
    assert served["app"].state.emulator.tenants.default.owner_change_with_lead is True


def test_openapi_into_a_pipe_closed_early_ends_quietly() -> None:
    script = Path(sys.executable).with_name("jing-emulator")
    with subprocess.Popen(
        [script, "openapi"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as run:
        assert run.stdout is not None
        assert run.stderr is not None
        assert run.stdout.read(10) == b'{\n  "opena'  # like `| head -c 10`, then the pipe closes
        run.stdout.close()
        assert run.wait(timeout=60) == cli.PIPE_CLOSED
        assert run.stderr.read() == b""


def test_docs_outside_a_checkout_says_where_to_run_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["docs"]) == 2
    assert capsys.readouterr().err == (
        f"jing-emulator docs: no README.md or docs/ASSUMPTIONS.md in {tmp_path}: run it at the "
        "root of a jing-emulator checkout, where they live\n"
    )
