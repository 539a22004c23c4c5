"""Shared fixtures: a fresh app (fixed clock and seed) and a client speaking HTTP to it."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from emulator import create_app
from emulator.core import Emulator
from emulator.settings import Settings

START = 1767225600.0  # 2026-01-01 00:00:00 UTC, 08:00 in Shanghai
SETTINGS = Settings(seed=7, clock_start=START)


@pytest.fixture
def app() -> Starlette:
    return create_app(SETTINGS)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, client=("127.0.0.1", 40000)) as test_client:
        yield test_client


def serving(**overrides: Any) -> Iterator[TestClient]:
    """A loopback client of a fresh app whose settings are SETTINGS with these overrides."""
    with TestClient(
        create_app(SETTINGS.with_overrides(overrides)), client=("127.0.0.1", 40000)
    ) as c:
        yield c


@pytest.fixture
def digests(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, bytes]]:
    """Every pair hmac.compare_digest compares from now on (it still compares them)."""
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def compare_digest(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", compare_digest)
    return compared


@pytest.fixture
def emulator(app: Starlette) -> Emulator:
    found: Emulator = app.state.emulator
    return found


@pytest.fixture
def headers(client: TestClient) -> dict[str, str]:
    """Credentials of the default app, with a freshly issued access token."""
    return credentials(client)


def credentials(client: TestClient) -> dict[str, str]:
    """Credentials of the default app, with an access token issued now."""
    body = {"app_id": SETTINGS.app_id, "app_secret": SETTINGS.app_secret}
    token = client.post("/v1/oauth2/token", json=body).json()["data"]["access_token"]
    return {"app_id": SETTINGS.app_id, "access_token": token}


def post(client: TestClient, path: str, body: Any, headers: dict[str, str]) -> Any:
    """POST a JSON body and return the decoded answer (any status)."""
    return client.post(path, json=body, headers=headers).json()


def user(mobile: str, **extra: Any) -> dict[str, Any]:
    """An upsert item identified by a mobile number."""
    return {"identities": [{"type": "mobile", "value": mobile}], **extra}
