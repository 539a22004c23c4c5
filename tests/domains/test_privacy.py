"""Privacy policies: per-user authorization records and the status they give, consistent with
each other (a removed record no longer authorizes; the latest record decides)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.domains.test_outbox import NOBODY, call, person

CREATE, REMOVE, STATUS = (
    "privacy.v2.auth_record.create",
    "privacy.v2.auth_record.remove",
    "privacy.v2.auth_status",
)


def policies(client: TestClient, headers: dict[str, str], enabled: int = 1) -> list[Any]:
    found = call(client, "privacy.v2.list", {"is_enabled": enabled}, headers)["data"]["list"]
    return list(found)


def status(client: TestClient, headers: dict[str, str], user: str, policy: str) -> Any:
    answer = call(client, STATUS, {"omni_user_uuid": user, "policy_uuid": policy}, headers)
    (state,) = answer["data"]["list"]
    return state


def test_an_authorization_record_authorizes_the_user_for_that_policy_only(
    client: TestClient, headers: dict[str, str]
) -> None:
    user = person(client, headers, "mobile", "13900000061")
    first, second = policies(client, headers)[:2]
    before = call(client, STATUS, {"omni_user_uuid": user}, headers)["data"]
    assert before["omni_user_uuid"] == user
    assert {s["status"] for s in before["list"]} == {"unauthorized"}
    body = {"omni_user_uuid": user, "policy_uuid": first["uuid"], "channel": "h5"}
    record = call(client, CREATE, body, headers)["data"]
    assert (record["status"], record["auth_time"]) == ("authorized", "2026-01-01 08:00:00")
    state = status(client, headers, user, first["uuid"])
    assert (state["status"], state["record_uuid"], state["channel"]) == (
        "authorized",
        record["uuid"],
        "h5",
    )
    assert status(client, headers, user, second["uuid"])["status"] == "unauthorized"


def test_a_removed_record_no_longer_authorizes_nor_is_listed(
    client: TestClient, headers: dict[str, str]
) -> None:
    user = person(client, headers, "mobile", "13900000062")
    policy = policies(client, headers)[0]["uuid"]
    record = call(client, CREATE, {"omni_user_uuid": user, "policy_uuid": policy}, headers)
    listed = call(client, "privacy.v1.auth_records", {"omni_user_uuid": user}, headers)["data"]
    assert listed["list"] == [record["data"]]
    removed = call(client, REMOVE, {"uuid": record["data"]["uuid"]}, headers)
    assert removed["data"] == {"uuid": record["data"]["uuid"]}
    assert status(client, headers, user, policy)["status"] == "unauthorized"
    listed = call(client, "privacy.v1.auth_records", {"omni_user_uuid": user}, headers)["data"]
    assert listed["total"] == 0
    again = call(client, REMOVE, {"uuid": record["data"]["uuid"]}, headers)
    assert again["code"] == 40005


def test_the_status_is_that_of_the_latest_record(
    client: TestClient, headers: dict[str, str]
) -> None:
    user = person(client, headers, "mobile", "13900000063")
    policy = policies(client, headers)[0]["uuid"]
    base = {"omni_user_uuid": user, "policy_uuid": policy}
    call(client, CREATE, base, headers)
    revoked = call(client, CREATE, {**base, "status": "revoked"}, headers)["data"]
    assert status(client, headers, user, policy)["status"] == "revoked"
    older = {**base, "auth_time": "2025-06-01 12:00:00"}
    call(client, CREATE, older, headers)
    assert status(client, headers, user, policy)["record_uuid"] == revoked["uuid"]
    call(client, REMOVE, {"uuid": revoked["uuid"]}, headers)
    assert status(client, headers, user, policy)["status"] == "authorized"


def test_an_unknown_user_or_policy_fails_clearly(
    client: TestClient, headers: dict[str, str]
) -> None:
    user = person(client, headers, "mobile", "13900000064")
    policy = policies(client, headers)[0]["uuid"]
    cases = [
        (CREATE, {"omni_user_uuid": NOBODY, "policy_uuid": policy}, 40030, "$.omni_user_uuid"),
        (CREATE, {"omni_user_uuid": user, "policy_uuid": NOBODY}, 40005, "$.policy_uuid"),
        (STATUS, {"omni_user_uuid": NOBODY}, 40030, "$.omni_user_uuid"),
        (STATUS, {"omni_user_uuid": user, "policy_uuid": NOBODY}, 40005, "$.policy_uuid"),
    ]
    for op_id, body, code, where in cases:
        answer = call(client, op_id, body, headers)
        assert (answer["code"], answer["data"]["details"][0]["path"]) == (code, where), answer
        assert body[where[2:]] in answer["msg"]


def test_a_disabled_policy_cannot_be_authorized_but_can_be_revoked(
    client: TestClient, headers: dict[str, str]
) -> None:
    user = person(client, headers, "mobile", "13900000065")
    disabled = policies(client, headers, enabled=0)[0]["uuid"]
    body = {"omni_user_uuid": user, "policy_uuid": disabled}
    answer = call(client, CREATE, body, headers)
    assert answer["code"] == 40016
    assert disabled in answer["msg"]
    revoked = call(client, CREATE, {**body, "status": "revoked"}, headers)
    assert revoked["data"]["status"] == "revoked"


def test_the_status_covers_every_policy_when_none_is_named(
    client: TestClient, headers: dict[str, str]
) -> None:
    user = person(client, headers, "mobile", "13900000066")
    every = call(client, "privacy.v1.list", {}, headers)["data"]["list"]
    found = call(client, STATUS, {"omni_user_uuid": user}, headers)["data"]["list"]
    assert [(s["policy_uuid"], s["name"], s["version"]) for s in found] == [
        (p["uuid"], p["name"], p["version"]) for p in every
    ]
