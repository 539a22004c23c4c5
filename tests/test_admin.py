"""The admin API: health, reset, apps, clock, seed, journal; loopback and token guard."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from emulator import create_app
from emulator.core import Emulator
from emulator.settings import Settings
from tests.conftest import SETTINGS, START, post, user


def test_health_is_open(client: TestClient) -> None:
    assert client.get("/_admin/health").json()["data"] == {
        "status": "ok",
        "operations": 101,
        "apps": 1,
    }


def test_apps_get_their_own_tenant(client: TestClient, headers: dict[str, str]) -> None:
    created = client.post("/_admin/apps", json={}).json()["data"]
    assert len(created["app_id"]) == 27
    assert len(created["app_secret"]) == 32
    token = post(client, "/v1/oauth2/token", created, {})["data"]["access_token"]
    theirs = {"app_id": created["app_id"], "access_token": token}
    post(client, "/v1/user/update", [user("13500000001")], theirs)
    mine = post(
        client, "/v1/user/query", {"identities": user("13500000001")["identities"]}, headers
    )
    assert mine["data"]["list"] == []
    apps = client.get("/_admin/apps").json()["data"]["apps"]
    assert [a["users"] for a in apps] == [24, 1]


def test_app_ids_are_unique(client: TestClient) -> None:
    response = client.post("/_admin/apps", json={"app_id": SETTINGS.app_id})
    assert response.status_code == 409


def test_reset_of_one_tenant_keeps_its_credentials(
    client: TestClient, headers: dict[str, str]
) -> None:
    post(client, "/v1/user/update", [user("13500000002")], headers)
    client.post("/_admin/reset", json={"app_id": SETTINGS.app_id})
    answer = post(
        client, "/v1/user/query", {"identities": user("13500000002")["identities"]}, headers
    )
    assert answer["code"] == 0
    assert answer["data"]["not_found"] == ["mobile:13500000002"]


def test_reset_of_all_drops_apps_and_tokens(client: TestClient, headers: dict[str, str]) -> None:
    client.post("/_admin/apps", json={"app_id": "extra"})
    client.post("/_admin/reset")
    assert [a["app_id"] for a in client.get("/_admin/apps").json()["data"]["apps"]] == [
        SETTINGS.app_id
    ]
    assert post(client, "/v1/user/query", {"omni_user_uuids": ["x"]}, headers)["code"] == 20003


def test_reset_restores_the_same_ids(emulator: Emulator) -> None:
    before = emulator.tenants.tokens.issue(SETTINGS.app_id)
    emulator.reset()
    assert emulator.tenants.tokens.issue(SETTINGS.app_id) == before


def test_unknown_app_reset_is_404(client: TestClient) -> None:
    assert client.post("/_admin/reset", json={"app_id": "nope"}).status_code == 404
    assert client.post("/_admin/seed", json={"app_id": "nope"}).json()["code"] == 50003


def test_clock_advances_and_freezes(client: TestClient) -> None:
    assert client.get("/_admin/clock").json()["data"]["now"] == START
    moved = client.post("/_admin/clock", json={"advance_seconds": 90}).json()["data"]
    assert (moved["now"], moved["frozen"]) == (START + 90, True)
    running = client.post("/_admin/clock", json={"freeze": False}).json()["data"]
    assert running["frozen"] is False
    assert running["now"] >= START + 90


def test_clock_refuses_going_back(client: TestClient) -> None:
    response = client.post("/_admin/clock", json={"advance_seconds": -1})
    assert response.status_code == 400
    assert response.json()["data"]["details"][0]["path"] == "$.advance_seconds"


def test_seed_loads_a_dataset_object_or_file(client: TestClient, tmp_path: Path) -> None:
    app_id = client.post("/_admin/apps", json={}).json()["data"]["app_id"]
    dataset = {"users": [user("13500000003")], "groups": [{"name": "g", "members": [0]}]}
    loaded = client.post("/_admin/seed", json={"app_id": app_id, "dataset": dataset}).json()["data"]
    assert loaded["loaded"] == {"users": 1, "groups": 1, "activities": 0, "business_types": 0}
    path = tmp_path / "data.json"
    path.write_text('{"business_types": [{"id": "bt", "name": "标准"}]}')
    assert (
        client.post("/_admin/seed", json={"app_id": app_id, "path": str(path)}).status_code == 200
    )


def test_seed_errors_name_the_problem(client: TestClient, tmp_path: Path) -> None:
    bad_ref = client.post(
        "/_admin/seed", json={"dataset": {"groups": [{"name": "g", "members": [3]}]}}
    )
    assert "no user at index 3" in bad_ref.json()["msg"]
    bad_shape = client.post("/_admin/seed", json={"dataset": {"users": [{"identities": []}]}})
    assert "$.users[0].identities" in bad_shape.json()["msg"]
    missing = client.post("/_admin/seed", json={"path": str(tmp_path / "none.json")})
    assert missing.status_code == 400
    twice = client.post("/_admin/seed", json={"dataset": {"users": [user("1"), user("1")]}})
    assert twice.json()["code"] == 50005
    assert "duplicate_user at users[1]" in twice.json()["msg"]


def test_seeding_demo_again_says_the_app_holds_it_and_loads_nothing(
    client: TestClient, emulator: Emulator
) -> None:
    before = emulator.tenants.default.save()
    answer = client.post("/_admin/seed", json={"dataset": "demo"})
    assert (answer.status_code, answer.json()["code"]) == (409, 50014)
    assert answer.json()["msg"].startswith(
        f"App {SETTINGS.app_id} already holds data this dataset repeats (A business_type with "
    )
    assert "nothing was loaded. The default app starts with --seed-data" in answer.json()["msg"]
    assert emulator.tenants.default.save() == before


def test_seeding_an_app_twice_says_to_reset_it_first(client: TestClient) -> None:
    app_id = client.post("/_admin/apps", json={}).json()["data"]["app_id"]
    seed = {"app_id": app_id, "dataset": "demo"}
    assert client.post("/_admin/seed", json=seed).json()["code"] == 0
    again = client.post("/_admin/seed", json=seed).json()
    assert again["code"] == 50014
    assert again["msg"].endswith(f'Empty it first: POST /_admin/reset {{"app_id": "{app_id}"}}.')
    assert client.post("/_admin/reset", json={"app_id": app_id}).json()["code"] == 0
    assert client.post("/_admin/seed", json=seed).json()["code"] == 0


def test_admin_bodies_are_validated(client: TestClient) -> None:
    assert client.post("/_admin/clock", content=b"{").status_code == 400
    assert client.post("/_admin/apps", json={"app_id": 1}).json()["code"] == 50006
    assert client.get("/_admin/nothing").status_code == 404
    assert client.delete("/_admin/clock").status_code == 405


def test_journal_is_bounded(client: TestClient) -> None:
    app = create_app(Settings(journal_size=3, seed_data="none"))
    with TestClient(app, client=("127.0.0.1", 1)) as small:
        for _ in range(5):
            small.get("/v1/x")
        journal = small.get("/_admin/journal").json()["data"]
    assert (len(journal["entries"]), journal["capacity"]) == (3, 3)


def test_admin_answers_loopback_only_without_token() -> None:
    with TestClient(create_app(Settings(seed_data="none")), client=("10.1.2.3", 1)) as remote:
        assert remote.get("/_admin/health").status_code == 200
        assert remote.get("/_admin/clock").status_code == 403


def test_admin_token_opens_the_admin_api_to_holders() -> None:
    app = create_app(Settings(seed_data="none", admin_token="s3cret"))
    with TestClient(app, client=("10.1.2.3", 1)) as remote:
        assert remote.get("/_admin/clock").status_code == 401
        assert remote.get("/_admin/clock", headers={"x-admin-token": "s3cret"}).status_code == 200


@pytest.mark.parametrize(
    ("client", "status"),
    [
        ("127.0.0.1", 200),
        ("127.255.0.9", 200),
        ("::1", 200),
        ("::ffff:127.0.0.1", 200),
        ("localhost", 200),
        ("::1:2:3:4", 403),
        ("127.example.com", 403),
        ("localhost.example.com", 403),
        ("::ffff:10.0.0.1", 403),
        ("10.1.2.3", 403),
        ("testclient", 403),
    ],
)
def test_only_loopback_addresses_reach_the_admin_api_without_token(
    client: str, status: int
) -> None:
    with TestClient(create_app(Settings(seed_data="none")), client=(client, 1)) as peer:
        assert peer.get("/_admin/clock").status_code == status


def test_forwarded_headers_never_make_a_client_loopback() -> None:
    forwarded = {"x-forwarded-for": "127.0.0.1", "x-real-ip": "127.0.0.1", "forwarded": "for=::1"}
    with TestClient(create_app(Settings(seed_data="none")), client=("10.1.2.3", 1)) as remote:
        assert remote.get("/_admin/clock", headers=forwarded).status_code == 403


def test_the_admin_token_is_compared_in_constant_time(digests: list[tuple[bytes, bytes]]) -> None:
    compared = digests
    app = create_app(Settings(seed_data="none", admin_token="s3cret"))
    with TestClient(app, client=("10.1.2.3", 1)) as remote:
        assert remote.get("/_admin/clock", headers={"x-admin-token": "s3creT"}).status_code == 401
        latin = {b"x-admin-token": b"\xe9"}  # not ASCII: compared as UTF-8 bytes, never a 500
        assert remote.get("/_admin/clock", headers=latin).status_code == 401
    assert compared[0] == (b"s3creT", b"s3cret")
    assert compared[1][1] == b"s3cret"
    assert not compared[1][0].isascii()


def test_a_wrong_admin_token_is_told_apart_from_a_missing_one() -> None:
    app = create_app(Settings(seed_data="none", admin_token="s3cret"))
    with TestClient(app, client=("10.1.2.3", 1)) as remote:
        missing = remote.get("/_admin/clock").json()
        wrong = remote.get("/_admin/clock", headers={"x-admin-token": "guess"}).json()
    assert (missing["code"], missing["msg"]) == (
        50002,
        "The admin API needs the X-Admin-Token header",
    )
    assert (wrong["code"], wrong["data"]["error"]) == (50013, "admin_token_mismatch")
    assert wrong["msg"] == (
        "The X-Admin-Token header does not match the emulator's admin token "
        "(--admin-token, JING_EMULATOR_ADMIN_TOKEN)"
    )


@pytest.mark.parametrize(
    ("path", "missing"),
    [
        ("/_admin/webhooks/subscriptions", "url"),
        ("/_admin/webhooks/trigger", "event"),
        ("/_admin/apps/{app}/settings", "owner_change_with_lead"),
        ("/_admin/reset", None),
    ],
)
def test_an_empty_admin_body_is_checked_as_an_empty_object(
    client: TestClient, path: str, missing: str | None
) -> None:
    app_id = SETTINGS.app_id
    answer = client.post(path.format(app=app_id), content=b"")
    if missing is None:  # nothing required: an empty body is the empty object
        assert answer.status_code == 200
        return
    assert answer.status_code == 400
    assert answer.json()["data"]["error"] == "invalid_admin_request"
    assert missing in answer.json()["msg"]
