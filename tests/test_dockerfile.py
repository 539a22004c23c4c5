"""The Dockerfile: its declarations, and the exact command the image runs, run here as a process.

No container engine runs in CI, so the image's command is started on this machine with the
image's environment, the image's virtual environment (/opt/venv) standing in for this one.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from emulator.settings import Settings, from_env

DOCKERFILE = Path(__file__).resolve().parent.parent / "Dockerfile"
DOCKERIGNORE = DOCKERFILE.with_name(".dockerignore")
IMAGE_VENV_BIN = "/opt/venv/bin"
STARTUP_SECONDS = 20.0
STOP_SECONDS = 10.0


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuation lines joined."""
    found: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, rest = (pending + line).strip().partition(" ")
        found.append((keyword.upper(), " ".join(rest.split())))
        pending = ""
    assert not pending, "the Dockerfile ends with a continuation line"
    return found


@dataclass
class Image:
    """What the Dockerfile declares: build arguments, and the final stage's configuration."""

    args: dict[str, str] = field(default_factory=dict)
    bases: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    expose: list[str] = field(default_factory=list)
    healthcheck_options: dict[str, str] = field(default_factory=dict)
    healthcheck: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)


def parse(text: str) -> Image:
    image = Image()
    for keyword, rest in instructions(text):
        if keyword == "ARG" and not image.bases:
            name, _, default = rest.partition("=")
            image.args[name] = default
        elif keyword == "FROM":
            image.bases.append(rest.split()[0])
            image.env, image.user, image.expose = {}, None, []  # a new stage starts afresh
            image.healthcheck_options, image.healthcheck, image.cmd = {}, [], []
        elif keyword == "ENV":
            image.env.update(dict(pair.split("=", 1) for pair in shlex.split(rest)))
        elif keyword == "USER":
            image.user = rest
        elif keyword == "EXPOSE":
            image.expose.extend(rest.split())
        elif keyword == "HEALTHCHECK":
            options, _, command = rest.partition(" CMD ")
            image.healthcheck_options = dict(o.lstrip("-").split("=", 1) for o in options.split())
            image.healthcheck = json.loads(command)
        elif keyword == "CMD":
            image.cmd = json.loads(rest)
    return image


@pytest.fixture(scope="module")
def image() -> Image:
    return parse(DOCKERFILE.read_text(encoding="utf-8"))


def localize(value: str) -> str:
    """A value from the image with its virtual environment replaced by the one running the tests."""
    return value.replace(IMAGE_VENV_BIN, sysconfig.get_path("scripts"))


def image_environment(image: Image, port: int) -> dict[str, str]:
    """The environment the image's command runs in, on this machine and on the given port.

    The image listens on 0.0.0.0, which a container's network namespace confines; here the host
    is kept at 127.0.0.1 so the test never opens a port beyond loopback. The admin API is open to
    loopback clients, and health to anyone, so nothing else changes.
    """
    env = dict(os.environ)
    for name, value in image.env.items():
        env[name] = os.path.expandvars(localize(value)) if name == "PATH" else value
    env["JING_EMULATOR_HOST"] = "127.0.0.1"
    env["JING_EMULATOR_PORT"] = str(port)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[str]
    base_url: str
    env: dict[str, str]
    lines: list[str]
    reader: threading.Thread

    def output(self) -> str:
        return "".join(self.lines)


def read_lines(stream: Iterator[str], into: list[str]) -> None:
    for line in stream:
        into.append(line)


@pytest.fixture
def server(image: Image, tmp_path: Path) -> Iterator[Server]:
    """The image's CMD, run with the image's environment until /_admin/health answers."""
    port = free_port()
    env = image_environment(image, port)
    executable = shutil.which(image.cmd[0], path=env["PATH"])
    assert executable, f"{image.cmd[0]} is not on the image's PATH: {env['PATH']}"
    lines: list[str] = []
    with subprocess.Popen(
        [executable, *image.cmd[1:]],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        assert process.stdout is not None
        reader = threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True)
        reader.start()
        running = Server(process, f"http://127.0.0.1:{port}", env, lines, reader)
        try:
            wait_for_health(running)
            yield running
        finally:
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_SECONDS)
            reader.join(timeout=STOP_SECONDS)


def wait_for_health(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                server.reader.join(timeout=STOP_SECONDS)  # the last lines it printed
                code = server.process.returncode
                pytest.fail(f"the server exited with {code}:\n{server.output()}")
            with contextlib.suppress(httpx.TransportError):  # not listening yet
                if client.get(server.base_url + "/_admin/health").status_code == 200:
                    return
            time.sleep(0.05)
    pytest.fail(f"no answer on {server.base_url}/_admin/health:\n{server.output()}")


def printed(server: Server, label: str) -> str:
    """A value of the banner the server prints first, e.g. its app_id."""
    match = re.search(rf"^\s*{label}:\s+(\S+)", server.output(), re.MULTILINE)
    assert match, f"no {label} in what the server printed:\n{server.output()}"
    return match.group(1)


def test_the_base_image_is_a_build_argument_defaulting_to_a_public_python_image(
    image: Image,
) -> None:
    assert re.fullmatch(r"python:3\.1[1-9]-slim\S*", image.args["BASE_IMAGE"])
    assert image.bases
    assert all(base == "${BASE_IMAGE}" for base in image.bases)


def test_the_image_serves_on_all_interfaces_at_port_8080_through_environment_variables(
    image: Image,
) -> None:
    assert image.cmd == ["jing-emulator", "serve"]
    assert image.expose == ["8080"]
    assert image.env["PATH"].startswith(IMAGE_VENV_BIN + ":")
    settings = from_env(image.env)
    assert (settings.host, settings.port) == ("0.0.0.0", 8080)
    others = {k: v for k, v in image.env.items() if k.startswith("JING_EMULATOR_")}
    assert others == {"JING_EMULATOR_HOST": "0.0.0.0", "JING_EMULATOR_PORT": "8080"}


def test_a_port_given_to_the_container_wins_over_the_image_default(image: Image) -> None:
    assert not any(arg.startswith("--") for arg in image.cmd)
    settings = from_env({**image.env, "JING_EMULATOR_PORT": "18080"})
    assert settings.port == 18080
    assert settings.host == "0.0.0.0"
    assert settings.app_id == Settings().app_id


def test_the_image_runs_as_a_non_root_user(image: Image) -> None:
    assert image.user is not None
    user, _, group = image.user.partition(":")
    assert user not in ("", "0", "root")
    assert group not in ("0", "root")


def test_the_healthcheck_probes_admin_health_with_the_image_python_on_its_port(
    image: Image,
) -> None:
    assert image.healthcheck[0] == IMAGE_VENV_BIN + "/python"
    code = " ".join(image.healthcheck)
    assert "/_admin/health" in code
    assert "JING_EMULATOR_PORT" in code
    assert "curl" not in code
    assert {"interval", "timeout", "retries"} <= image.healthcheck_options.keys()


def test_the_dockerignore_keeps_the_wheel_sources_and_drops_local_state() -> None:
    rules = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "*"
    kept = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    assert kept == {"pyproject.toml", "README.md", "emulator", "contract_tests", "schemas"}


def test_the_image_command_answers_health_issues_a_token_and_serves_an_api_call(
    server: Server,
) -> None:
    app_id, app_secret = printed(server, "app_id"), printed(server, "app_secret")
    with httpx.Client(base_url=server.base_url, timeout=5.0) as client:
        health = client.get("/_admin/health").json()
        assert health["data"]["status"] == "ok"
        answer = client.post("/v1/oauth2/token", json={"app_id": app_id, "app_secret": app_secret})
        token = answer.json()["data"]["access_token"]
        headers = {"app_id": app_id, "access_token": token}
        found = client.post("/v1/user/query", json={"omni_user_uuids": ["x"]}, headers=headers)
    assert found.status_code == 200, found.text
    assert found.json()["code"] == 0, found.text


def test_the_healthcheck_command_passes_against_the_running_image_command(
    image: Image, server: Server
) -> None:
    command = [localize(part) for part in image.healthcheck]
    result = subprocess.run(
        command, env=server.env, capture_output=True, text=True, timeout=STOP_SECONDS, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_healthcheck_command_fails_when_nothing_listens(image: Image) -> None:
    command = [localize(part) for part in image.healthcheck]
    env = image_environment(image, free_port())
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=STOP_SECONDS, check=False
    )
    assert result.returncode != 0


@pytest.mark.skipif(sys.platform == "win32", reason="containers stop their command with SIGTERM")
def test_the_image_command_shuts_down_promptly_on_sigterm(server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal it caught: the process ends by
    # SIGTERM here; as a container's PID 1, where SIGTERM's default action does not apply, it
    # returns and exits with 0.
    returncode = server.process.wait(timeout=STOP_SECONDS)
    server.reader.join(timeout=STOP_SECONDS)
    assert returncode in (0, -signal.SIGTERM), server.output()
    assert "Traceback" not in server.output()
