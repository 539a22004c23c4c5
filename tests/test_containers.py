"""The image run for real: the jing_emulator_container fixture (testcontainers) and the compose
example, on podman's Docker-compatible API service.

Those need podman and an image built from the Dockerfile, named by JING_EMULATOR_IMAGE: `make
containers` builds one and runs them. Without either they skip and say why, unless
JING_EMULATOR_CONTAINERS=required (as make containers sets), when they fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from contract_tests import container
from contract_tests.container import ContainerEmulator
from contract_tests.live import serve_live
from emulator.settings import Settings
from tests.conftest import SETTINGS
from tests.test_dockerfile import free_port

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "examples" / "compose"
SERVICE_SECONDS = 20.0
RUN_SECONDS = 300
INNER_TESTS = """
import httpx

def test_a_user_is_created_and_read_back(jing_emulator_container):
    emulator = jing_emulator_container
    headers = emulator.headers()
    user = {"identities": [{"type": "mobile", "value": "13800000077"}]}
    created = httpx.post(emulator.base_url + "/v1/user/update", json=[user], headers=headers)
    uuid = created.json()["data"]["success"][0]["omni_user_uuid"]
    body = {"omni_user_uuids": [uuid]}
    found = httpx.post(emulator.base_url + "/v1/user/query", json=body, headers=headers).json()
    assert [u["omni_user_uuid"] for u in found["data"]["list"]] == [uuid]
    assert emulator.admin("GET", "/apps")["apps"][0]["users"] == SEEDED + 1

def test_the_next_test_gets_the_emulator_reset(jing_emulator_container):
    assert jing_emulator_container.admin("GET", "/apps")["apps"][0]["users"] == SEEDED
"""


def unavailable(reason: str) -> None:
    if os.environ.get("JING_EMULATOR_CONTAINERS") == "required":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def image() -> str:
    """The image under test, once podman is known to have it."""
    if shutil.which("podman") is None:
        unavailable("podman is not installed (.ci/run installs it with apt)")
    name = os.environ.get(container.IMAGE_VARIABLE, "")
    if not name:
        unavailable(
            "JING_EMULATOR_IMAGE names no image built from the Dockerfile (make containers)"
        )
    if subprocess.run(["podman", "image", "exists", name], check=False).returncode != 0:
        unavailable(f"podman has no image {name} (make containers builds it)")
    return name


@pytest.fixture(scope="module")
def docker_host(image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """podman's Docker-compatible API service on a unix socket of its own."""
    socket = tmp_path_factory.mktemp("podman") / "podman.sock"
    command = ["podman", "system", "service", "--time=0", f"unix://{socket}"]
    with subprocess.Popen(command, stderr=subprocess.DEVNULL) as service:
        deadline = time.monotonic() + SERVICE_SECONDS
        while not socket.exists() and service.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert socket.exists(), f"podman system service gave no socket (exit {service.poll()})"
        try:
            yield f"unix://{socket}"
        finally:
            service.terminate()
            service.wait(timeout=SERVICE_SECONDS)


def test_a_project_using_the_container_fixture_passes_against_the_image(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, image: str, docker_host: str
) -> None:
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    monkeypatch.setenv("TESTCONTAINERS_RYUK_DISABLED", "true")  # no reaper image here
    monkeypatch.setenv(container.IMAGE_VARIABLE, image)
    # podman runs beside the tests, so its published ports are on loopback; inside a container
    # (a /.dockerenv), testcontainers would otherwise look for them at the network's gateway.
    monkeypatch.setenv("TESTCONTAINERS_CONNECTION_MODE", "docker_host")
    monkeypatch.setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
    seeded = demo_users()
    pytester.makepyfile(test_integration=f"SEEDED = {seeded}\n" + INNER_TESTS)
    pytester.makepyfile(test_readme=readme_example())
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=RUN_SECONDS)
    result.assert_outcomes(passed=3)


def readme_example() -> str:
    """The python block of the README's testcontainers section, as written there."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### testcontainers", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def demo_users() -> int:
    """How many users the default app starts with (the demo seed data)."""
    from emulator import create_app

    return len(create_app(Settings()).state.emulator.tenants.default.users)


def test_the_compose_example_runs_its_client_check_against_the_emulator(image: str) -> None:
    compose = shutil.which("podman-compose", path=sysconfig.get_path("scripts") + os.pathsep)
    compose = compose or shutil.which("podman-compose")
    if compose is None:
        unavailable("podman-compose is not installed (the dev extra installs it)")
    assert compose is not None
    env = {**os.environ, "JING_EMULATOR_IMAGE": image, "JING_EMULATOR_HOST_PORT": str(free_port())}
    project = [compose, "-p", f"jing-compose-{os.getpid()}", "-f", str(COMPOSE / "compose.yaml")]
    up = [*project, "up", "--no-build", "--abort-on-container-exit", "--exit-code-from", "client"]
    try:
        run = subprocess.run(up, env=env, capture_output=True, text=True, timeout=RUN_SECONDS)
    finally:
        subprocess.run([*project, "down"], env=env, capture_output=True, timeout=RUN_SECONDS)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "compose check: ok" in run.stdout


@pytest.mark.parametrize(("token", "code", "said"), [("t0ken", 0, "ok"), ("wrong", 1, "failed")])
def test_the_compose_client_check_passes_or_fails_by_what_the_emulator_answers(
    token: str, code: int, said: str
) -> None:
    settings = Settings(seed=7, admin_token="t0ken")
    with serve_live(settings) as live:
        env = {
            **os.environ,
            "JING_EMULATOR_URL": live.base_url,
            "JING_EMULATOR_APP_ID": settings.app_id,
            "JING_EMULATOR_APP_SECRET": settings.app_secret,
            "JING_EMULATOR_ADMIN_TOKEN": token,
        }
        check = [sys.executable, str(COMPOSE / "check.py")]
        run = subprocess.run(check, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == code, run.stdout + run.stderr
    assert f"compose check: {said}" in run.stdout


def test_the_container_handle_issues_tokens_resets_and_names_a_refused_admin_call() -> None:
    settings = replace(SETTINGS, admin_token="t0ken")
    with serve_live(settings) as live:
        handle = ContainerEmulator(live.base_url, settings.app_id, settings.app_secret, "t0ken")
        assert handle.headers()["access_token"]
        start = handle.admin("GET", "/clock")
        assert handle.admin("POST", "/clock", {"advance_seconds": 60}) != start
        handle.reset()
        assert handle.admin("GET", "/clock") == start
        refused = ContainerEmulator(live.base_url, settings.app_id, settings.app_secret, "nope")
        with pytest.raises(RuntimeError, match=r"GET /_admin/apps answered 401"):
            refused.admin("GET", "/apps")


def test_the_image_comes_from_the_environment_before_the_ini_option(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(container.IMAGE_VARIABLE, raising=False)
    assert container.image_name(pytestconfig) == container.DEFAULT_IMAGE
    monkeypatch.setenv(container.IMAGE_VARIABLE, "localhost/mine:1")
    assert container.image_name(pytestconfig) == "localhost/mine:1"


def test_the_container_fixture_without_testcontainers_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "testcontainers.core.container", None)
    with pytest.raises(RuntimeError, match=r"pip install 'jing-emulator\[containers\]'"):
        container.run_container("any").__enter__()
