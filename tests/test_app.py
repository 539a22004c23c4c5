"""create_app and the ASGI shell: independent apps, deterministic ids, complete answers."""

from __future__ import annotations

from starlette.testclient import TestClient

from emulator import create_app
from emulator.settings import Settings
from tests.conftest import SETTINGS, post, user


def first_user_id(seed: int) -> str:
    app = create_app(Settings(seed=seed, seed_data="none"))
    with TestClient(app) as client:
        body = {"app_id": SETTINGS.app_id, "app_secret": SETTINGS.app_secret}
        token = post(client, "/v1/oauth2/token", body, {})["data"]["access_token"]
        headers = {"app_id": SETTINGS.app_id, "access_token": token}
        answer = post(client, "/v1/user/update", [user("13800000000")], headers)
    uuid: str = answer["data"]["success"][0]["omni_user_uuid"]
    return uuid


def test_same_seed_gives_the_same_ids() -> None:
    assert first_user_id(11) == first_user_id(11)
    assert first_user_id(11) != first_user_id(12)


def test_apps_do_not_share_state(client: TestClient, headers: dict[str, str]) -> None:
    post(client, "/v1/user/update", [user("13800000001")], headers)
    other = create_app(SETTINGS)
    assert len(other.state.emulator.tenants.default.users) == 24


def test_answers_carry_their_length(client: TestClient) -> None:
    response = client.get("/_admin/health")
    assert response.headers["content-length"] == str(len(response.content))
    assert response.headers["content-type"] == "application/json"
