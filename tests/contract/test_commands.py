"""The contract commands: contract-test's arguments and report, against a live strict emulator."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from contract_tests.handle import EmulatorHandle, fixture_settings
from contract_tests.live import serve_live
from emulator import cli

MOBILE = {"type": "mobile", "value": "13800000000"}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorHandle]:
    with serve_live() as handle:
        yield handle


@pytest.fixture
def strict(server: EmulatorHandle) -> EmulatorHandle:
    server.reset()
    return server


def send(handle: EmulatorHandle, path: str, body: object) -> None:
    httpx.post(handle.base_url + path, json=body, headers=handle.headers)


def test_report_lists_violations_writes_junit_and_fails(
    strict: EmulatorHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    send(strict, "/v1/user/update", [{"identities": [MOBILE]}, {"identities": [MOBILE]}])
    send(strict, "/v1/user/query", {"identities": [MOBILE]})
    junit = tmp_path / "out" / "strict.xml"
    assert cli.main(["report", "--base-url", strict.base_url, "--junit", str(junit)]) == 1
    out = capsys.readouterr().out
    assert "the clients sent 1 request(s) that break the API contract" in out
    assert "$[1]  [duplicate_user]" in out
    suite = ET.parse(junit).getroot()[0]
    failed = {c.get("name"): c.find("failure") for c in suite.iter("testcase")}
    assert failed["user.update"] is not None
    assert "duplicate_user" in str(failed["user.update"].get("message"))
    assert failed["user.query"] is None
    assert suite.get("failures") == "1"


def test_report_of_a_clean_run_passes(
    strict: EmulatorHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    send(strict, "/v1/user/query", {"identities": [MOBILE]})
    assert cli.main(["report", "--base-url", strict.base_url]) == 0
    assert "no request broke the API contract" in capsys.readouterr().out


def test_report_filters_by_app(strict: EmulatorHandle, capsys: pytest.CaptureFixture[str]) -> None:
    send(strict, "/v1/user/query", {})
    assert cli.main(["report", "--base-url", strict.base_url, "--app-id", "other"]) == 0
    assert cli.main(["report", "--base-url", strict.base_url, "--app-id", strict.app_id]) == 1


def test_report_refuses_an_emulator_not_in_strict_mode(capsys: pytest.CaptureFixture[str]) -> None:
    with serve_live(fixture_settings({"strict": False})) as lax:
        assert cli.main(["report", "--base-url", lax.base_url]) == 2
    assert "not in strict mode (serve --strict)" in capsys.readouterr().err


def test_report_says_when_there_is_no_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    with serve_live(fixture_settings({"admin_token": "secret"})) as closed:
        assert cli.main(["report", "--base-url", closed.base_url]) == 2
        args = ["report", "--base-url", closed.base_url, "--admin-token", "secret"]
        assert cli.main(args) == 0
    assert "no violations list at" in capsys.readouterr().err


def test_contract_test_needs_credentials_with_a_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["contract-test", "--base-url", "http://127.0.0.1:9"]) == 2
    assert "--base-url needs --app-id and --app-secret" in capsys.readouterr().err


def test_contract_test_reports_an_unknown_operation(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["contract-test", "--operations", "user.query,user.nothing"]) == 2
    assert capsys.readouterr().err == (  # one line, and no emulator was started for it
        "jing-emulator contract-test: --operations: no operation user.nothing in the catalogue "
        "(the README's Endpoints table, or GET /_admin/operations, lists them)\n"
    )


def test_contract_test_reports_a_server_it_cannot_reach(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "contract-test",
        "--base-url",
        "http://127.0.0.1:9",
        "--app-id",
        "a",
        "--app-secret",
        "b",
    ]
    assert cli.main([*args, "--operations", "user.query"]) == 2
    assert capsys.readouterr().err.startswith(
        "jing-emulator contract-test: cannot reach http://127.0.0.1:9: "
    )


def test_report_takes_emulator_url_as_trigger_and_listen_do(
    strict: EmulatorHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    send(strict, "/v1/user/query", {})
    assert cli.main(["report", "--emulator-url", strict.base_url]) == 1
    assert "POST /v1/user/query (user.query)" in capsys.readouterr().out


def test_report_defaults_to_the_emulator_of_the_environment(
    strict: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JING_EMULATOR_HOST", "0.0.0.0")  # reached on loopback
    monkeypatch.setenv("JING_EMULATOR_PORT", strict.base_url.rsplit(":", 1)[1])
    assert cli.main(["report"]) == 0
    assert "no request broke the API contract" in capsys.readouterr().out


def test_contract_test_paces_a_protected_emulator_with_its_admin_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with serve_live(fixture_settings({"admin_token": "secret"})) as closed:
        args = ["contract-test", "--base-url", closed.base_url, "--app-id", closed.app_id]
        args += ["--app-secret", closed.app_secret, "--emulator-clock", "--max-examples", "11"]
        args += ["--operations", "account.create"]
        assert cli.main([*args, "--admin-token", "secret"]) == 0
        assert cli.main(args) == 2
    assert "could not advance the emulator's clock: HTTP 401" in capsys.readouterr().err
