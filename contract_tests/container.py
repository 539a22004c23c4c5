"""The emulator's image for a test, started by testcontainers: jing_emulator_container."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from testcontainers.core.container import DockerContainer

    from emulator.settings import Settings

IMAGE_VARIABLE = "JING_EMULATOR_IMAGE"
IMAGE_INI = "jing_emulator_image"
DEFAULT_IMAGE = "jing-emulator"
PORT = 8080
# Seen from the container, the test is not a loopback client: the admin API needs a token.
ADMIN_TOKEN = "jing-emulator-container"
START_SECONDS = 60
EXTRA = "the container fixture needs testcontainers: pip install 'jing-emulator[containers]'"


@dataclass(frozen=True, slots=True)
class ContainerEmulator:
    """An emulator over HTTP at base_url: the default app's credentials and the admin token."""

    base_url: str
    app_id: str
    app_secret: str
    admin_token: str

    def headers(self) -> dict[str, str]:
        """The credential headers of a business call, with an access token issued now."""
        body = {"app_id": self.app_id, "app_secret": self.app_secret}
        answer = _send("POST", f"{self.base_url}/v1/oauth2/token", body, {}).json()
        return {"app_id": self.app_id, "access_token": answer["data"]["access_token"]}

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        """One admin call (path under /_admin); its data, or an error naming the answer."""
        url, headers = f"{self.base_url}/_admin{path}", {"X-Admin-Token": self.admin_token}
        answer = _send(method, url, body, headers)
        if answer.status_code != 200:
            raise RuntimeError(
                f"{method} /_admin{path} answered {answer.status_code}: {answer.text}"
            )
        return answer.json()["data"]

    def reset(self) -> None:
        """Everything back to the start: apps, data, clock, journal."""
        self.admin("POST", "/reset", {})


def _send(method: str, url: str, body: Any, headers: dict[str, str]) -> Any:
    import httpx  # here, so that loading the plugin stays cheap

    return httpx.request(method, url, json=body, headers=headers, timeout=5)


def image_name(config: pytest.Config) -> str:
    """The image to run: $JING_EMULATOR_IMAGE, else the jing_emulator_image ini option."""
    return os.environ.get(IMAGE_VARIABLE) or str(config.getini(IMAGE_INI))


@contextmanager
def run_container(image: str = DEFAULT_IMAGE) -> Iterator[ContainerEmulator]:
    """The image running, its port 8080 published, until /_admin/health answers; then removed."""
    from emulator.settings import Settings

    defaults = Settings()
    with _container(image, defaults) as running:
        host, port = running.get_container_host_ip(), running.get_exposed_port(PORT)
        url = f"http://{host}:{port}"
        yield ContainerEmulator(url, defaults.app_id, defaults.app_secret, ADMIN_TOKEN)


def _container(image: str, defaults: Settings) -> DockerContainer:
    try:
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.wait_strategies import HttpWaitStrategy
    except ImportError as exc:
        raise RuntimeError(EXTRA) from exc
    health = HttpWaitStrategy(PORT, "/_admin/health").with_startup_timeout(START_SECONDS)
    return (
        DockerContainer(image)
        .with_exposed_ports(PORT)
        .with_env("JING_EMULATOR_APP_ID", defaults.app_id)
        .with_env("JING_EMULATOR_APP_SECRET", defaults.app_secret)
        .with_env("JING_EMULATOR_ADMIN_TOKEN", ADMIN_TOKEN)
        .waiting_for(health)
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(IMAGE_INI, "image jing_emulator_container runs", default=DEFAULT_IMAGE)


@pytest.fixture(scope="session")
def jing_emulator_shared_container(request: pytest.FixtureRequest) -> Iterator[ContainerEmulator]:
    """The emulator's image, started once for the session (testcontainers, any Docker API)."""
    with run_container(image_name(request.config)) as emulator:
        yield emulator


@pytest.fixture
def jing_emulator_container(
    jing_emulator_shared_container: ContainerEmulator,
) -> ContainerEmulator:
    """The session's emulator container, reset to its start for this test."""
    jing_emulator_shared_container.reset()
    return jing_emulator_shared_container
