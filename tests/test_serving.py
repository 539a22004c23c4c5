"""jing-emulator serve as scripts see it: real sockets, the port it got, a line per request."""

from __future__ import annotations

import re
import socket
import subprocess
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest

from emulator import cli, serving
from emulator.serving import AccessLog, envelope_code
from emulator.settings import Settings
from emulator.spec import load
from tests import served

CREDENTIALS = {"app_id": Settings().app_id, "app_secret": Settings().app_secret}


def test_port_zero_listens_on_a_free_port_it_prints_and_writes(tmp_path: Path) -> None:
    port_file = tmp_path / "port"
    with served.serve(port_file, "--seed-data", "none") as server:
        assert f"jing-emulator listening on http://127.0.0.1:{server.port}\n" in server.banner
        assert server.port > 0
        assert httpx.get(server.base_url + "/_admin/health").json()["data"]["status"] == "ok"


def test_every_request_gets_one_access_log_line(tmp_path: Path) -> None:
    with served.serve(tmp_path / "port", "--seed-data", "none") as server:
        httpx.post(server.base_url + "/v1/oauth2/token", json=CREDENTIALS)
        token_line = server.log_line()
        httpx.post(server.base_url + "/v1/user/update", json=[])
        refused_line = server.log_line()
    assert re.fullmatch(r"POST /v1/oauth2/token oauth\.get_token 200 0 \d+\.\dms\n", token_line)
    assert re.fullmatch(r"POST /v1/user/update user\.update 401 20001 \d+\.\dms\n", refused_line)


def test_quiet_serves_without_an_access_log(tmp_path: Path) -> None:
    with served.serve(tmp_path / "port", "--seed-data", "none", "--quiet") as server:
        assert httpx.get(server.base_url + "/_admin/health").status_code == 200
        assert server.stop() == ""


def test_the_banner_says_strict_mode_is_on(tmp_path: Path) -> None:
    with served.serve(tmp_path / "port", "--seed-data", "none", "--strict") as server:
        assert "rate limits: enforce   strict mode: on\n" in server.banner
    assert "rate limits: enforce   strict mode: off\n" in cli.banner(Settings())


def test_a_port_in_use_is_a_clear_error_and_no_banner(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [str(served.SCRIPT), "serve", "--port", str(port), "--seed-data", "none"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        f"jing-emulator serve: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )


@pytest.mark.parametrize("port", ["99999", "65536", "-1", "eighty"])
def test_a_port_outside_0_to_65535_is_refused(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--port", port])
    assert exited.value.code == 2
    assert f"argument --port: {port!r} is not a TCP port: 0 (a free one) to 65535" in (
        capsys.readouterr().err
    )


def test_a_port_variable_outside_the_range_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JING_EMULATOR_PORT", "70000")
    assert cli.main(["serve"]) == 2
    assert capsys.readouterr().err == (
        "jing-emulator: port 70000 is not a TCP port: 0 (a free one) to 65535\n"
    )


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"jing-emulator {version('jing-emulator')}\n"


def test_serve_help_shows_each_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    assert "(default: 8080; env JING_EMULATOR_PORT)" in text
    assert "(default: random; env JING_EMULATOR_SEED)" in text
    assert "(default: none; env JING_EMULATOR_ADMIN_TOKEN)" in text
    assert "(default: off; env JING_EMULATOR_STRICT)" in text


def test_the_log_line_names_no_operation_off_the_catalogue() -> None:
    log = AccessLog(lambda *_: None, load())  # type: ignore[arg-type]
    scope = {"method": "GET", "path": "/nowhere"}
    assert log.line(scope, 404, b"{}", 1.26) == "GET /nowhere - 404 - 1.3ms\n"
    assert envelope_code(b"not json") == "-"
    assert envelope_code(b"{broken") == "-"
    assert envelope_code(b'{"code": "31003"}') == "31003"


def test_the_access_log_wraps_the_app_and_passes_the_lifespan_through() -> None:
    from starlette.testclient import TestClient

    from emulator import create_app

    app, lines = create_app(Settings(seed_data="none")), list[str]()
    logged = AccessLog(app, app.state.emulator.catalogue, lines.append)
    with TestClient(logged, client=("127.0.0.1", 1)) as client:  # the lifespan runs too
        assert client.post("/v1/oauth2/token", json=CREDENTIALS).json()["code"] == 0
    [line] = lines
    assert re.fullmatch(r"POST /v1/oauth2/token oauth\.get_token 200 0 \d+\.\dms\n", line)


def test_listen_refuses_a_taken_port_and_writes_the_port_file_whole(tmp_path: Path) -> None:
    listening = serving.listen("127.0.0.1", 0)
    with listening.sock:
        with pytest.raises(serving.BindError) as refused:
            serving.listen("127.0.0.1", listening.port)
        assert str(refused.value) == (
            f"cannot listen on 127.0.0.1:{listening.port}: Address already in use"
        )
        serving.write_port_file(tmp_path / "port", listening.port)
    assert (tmp_path / "port").read_text() == f"{listening.port}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["port"]


def test_the_access_log_writes_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    serving.AccessLog(lambda *_: None, load()).write("GET / - 404 - 0.1ms\n")  # type: ignore[arg-type]
    assert capsys.readouterr().out == "GET / - 404 - 0.1ms\n"
