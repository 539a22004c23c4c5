"""OAuth: token issue, refresh rotation, expiry and the distinct credential errors."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from emulator.core import Emulator
from tests.conftest import SETTINGS, post

TOKEN, REFRESH, QUERY = "/v1/oauth2/token", "/v1/oauth2/token/refresh", "/v1/user/query"
CREDENTIALS = {"app_id": SETTINGS.app_id, "app_secret": SETTINGS.app_secret}
ANY_QUERY = {"omni_user_uuids": ["x"]}


def issue(client: TestClient) -> dict[str, Any]:
    data: dict[str, Any] = post(client, TOKEN, CREDENTIALS, {})["data"]
    return data


def call(client: TestClient, token: str, app_id: str = SETTINGS.app_id) -> Any:
    return post(client, QUERY, ANY_QUERY, {"app_id": app_id, "access_token": token})


def test_token_answer_has_the_documented_shape(client: TestClient) -> None:
    answer = post(client, TOKEN, CREDENTIALS, {})
    assert list(answer) == ["request_id", "code", "msg", "data", "timestamp"]
    assert answer["timestamp"] == 1767225600000
    data = answer["data"]
    assert (data["scope"], data["token_type"], data["expires_in"]) == ("all", "bearer", 7200)
    assert len(data["access_token"]) == 36


def test_access_token_expires_on_the_virtual_clock(client: TestClient, emulator: Emulator) -> None:
    token = issue(client)["access_token"]
    emulator.clock.advance(7199)
    assert call(client, token)["code"] == 0
    emulator.clock.advance(1)
    response = client.post(
        QUERY, json=ANY_QUERY, headers={"app_id": SETTINGS.app_id, "access_token": token}
    )
    assert response.status_code == 401
    assert response.json()["code"] == 20004
    assert "expired at 2026-01-01 10:00:00" in response.json()["msg"]


def test_refresh_rotates_the_refresh_token(client: TestClient) -> None:
    first = issue(client)
    second = post(client, REFRESH, {**CREDENTIALS, "refresh_token": first["refresh_token"]}, {})
    assert second["code"] == 0
    assert call(client, second["data"]["access_token"])["code"] == 0
    reused = post(client, REFRESH, {**CREDENTIALS, "refresh_token": first["refresh_token"]}, {})
    assert reused["code"] == 20007


def test_issuing_again_retires_the_previous_refresh_token(client: TestClient) -> None:
    first = issue(client)
    issue(client)
    answer = post(client, REFRESH, {**CREDENTIALS, "refresh_token": first["refresh_token"]}, {})
    assert answer["code"] == 20007


def test_refresh_token_lives_thirty_days(client: TestClient, emulator: Emulator) -> None:
    refresh = issue(client)["refresh_token"]
    emulator.clock.advance(30 * 86400)
    answer = post(client, REFRESH, {**CREDENTIALS, "refresh_token": refresh}, {})
    assert answer["code"] == 20008


def test_documented_refresh_sample_with_empty_token_is_refused_cleanly(client: TestClient) -> None:
    answer = post(client, REFRESH, {**CREDENTIALS, "refresh_token": ""}, {})
    assert answer["code"] == 20007
    assert answer["data"]["details"][0]["path"] == "$.refresh_token"


def test_wrong_secret_and_unknown_app_are_distinct(client: TestClient) -> None:
    assert post(client, TOKEN, {**CREDENTIALS, "app_secret": "nope"}, {})["code"] == 20006
    assert post(client, TOKEN, {**CREDENTIALS, "app_id": "1"}, {})["code"] == 20002


def test_each_credential_failure_has_its_own_code(client: TestClient, emulator: Emulator) -> None:
    token = issue(client)["access_token"]
    other = emulator.tenants.provision("other-app", "s")
    other_token = emulator.tenants.tokens.issue(other.app_id)["access_token"]
    assert post(client, QUERY, ANY_QUERY, {"access_token": token})["code"] == 20001
    assert post(client, QUERY, ANY_QUERY, {"app_id": SETTINGS.app_id})["code"] == 20001
    assert call(client, token, "unknown")["code"] == 20002
    assert call(client, "made-up")["code"] == 20003
    assert call(client, other_token)["code"] == 20005


def test_the_app_secret_is_compared_in_constant_time(
    client: TestClient, digests: list[tuple[bytes, bytes]]
) -> None:
    compared = digests
    assert post(client, TOKEN, {**CREDENTIALS, "app_secret": "密钥"}, {})["code"] == 20006
    assert post(client, TOKEN, CREDENTIALS, {})["code"] == 0
    secret = SETTINGS.app_secret.encode()
    assert compared == [("密钥".encode(), secret), (secret, secret)]
