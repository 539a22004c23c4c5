"""Strict mode: each request that breaks the contract is recorded per app, bounded, cleared by
reset, listed by GET /_admin/violations; credential and state errors are not violations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from emulator import create_app
from tests.conftest import SETTINGS

STRICT = SETTINGS.with_overrides({"strict": True})
MOBILE = {"type": "mobile", "value": "13800000000"}


@pytest.fixture
def strict() -> Iterator[TestClient]:
    with TestClient(create_app(STRICT), client=("127.0.0.1", 40000)) as client:
        yield client


def token(
    client: TestClient, app_id: str = STRICT.app_id, secret: str = STRICT.app_secret
) -> dict[str, str]:
    body = {"app_id": app_id, "app_secret": secret}
    issued = client.post("/v1/oauth2/token", json=body).json()["data"]["access_token"]
    return {"app_id": app_id, "access_token": issued}


def violations(client: TestClient) -> list[dict[str, object]]:
    answer = client.get("/_admin/violations").json()["data"]
    assert answer["count"] == len(answer["violations"])
    found: list[dict[str, object]] = answer["violations"]
    return found


def test_strict_emulator_records_each_broken_rule_with_path_rule_and_source(
    strict: TestClient,
) -> None:
    body = [{"identities": [{"type": "phone", "value": "1"}], "feilds": {}}]
    strict.post("/v1/user/update", json=body, headers=token(strict))
    found = violations(strict)
    assert [(v["path"], v["rule"]) for v in found] == [
        ("$[0]", "additionalProperties"),
        ("$[0].identities[0].type", "enum"),
    ]
    first = found[0]
    assert first["operation"] == "user.update"
    assert (first["method"], first["route"], first["error"]) == (
        "POST",
        "/v1/user/update",
        "invalid_request",
    )
    assert "用户批量更新" in str(first["source"])
    assert "'feilds' was unexpected" in str(first["message"])
    assert first["request"] == found[1]["request"]


def test_batch_rules_are_recorded_under_the_rule_broken(strict: TestClient) -> None:
    users = [{"identities": [MOBILE]}, {"identities": [MOBILE]}]
    strict.post("/v1/user/update", json=users, headers=token(strict))
    (found,) = violations(strict)
    assert (found["path"], found["rule"], found["error"]) == (
        "$[1]",
        "duplicate_user",
        "duplicate_user",
    )
    assert "the same user is in $[0] and $[1]" in str(found["message"])


def test_unknown_paths_are_violations_of_no_operation(strict: TestClient) -> None:
    strict.post("/v1/user/updat", json=[], headers=token(strict))
    (found,) = violations(strict)
    assert (found["operation"], found["source"], found["rule"]) == (None, None, "path_not_found")


def test_credential_and_state_errors_are_not_violations(strict: TestClient) -> None:
    assert strict.post("/v1/user/query", json={"identities": [MOBILE]}).status_code == 401
    body = {"group_id": 1, "omni_user_uuids": []}
    refused = strict.post("/v2/crowd/static/importByUuids", json=body, headers=token(strict))
    assert refused.json()["data"]["error"] == "group_not_found"
    assert violations(strict) == []


def test_violations_are_kept_per_app_and_reset_clears_them(strict: TestClient) -> None:
    other = strict.post("/_admin/apps", json={}).json()["data"]
    for app in (token(strict), token(strict, other["app_id"], other["app_secret"])):
        strict.post("/v1/user/query", json={}, headers=app)
    assert {v["app_id"] for v in violations(strict)} == {STRICT.app_id, other["app_id"]}
    strict.post("/_admin/reset", json={"app_id": other["app_id"]})
    assert {v["app_id"] for v in violations(strict)} == {STRICT.app_id}
    strict.post("/_admin/reset")
    assert violations(strict) == []


def test_violations_are_bounded_per_app(
    strict: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("emulator.violations.PER_APP", 3)
    strict.post("/_admin/reset")  # the bound applies to the lists made from now on
    headers = token(strict)
    for value in ("a", "b", "c", "d"):
        strict.post("/v1/user/query", json={"x": value}, headers=headers)
    assert [v["request"] for v in violations(strict)] == [2, 3, 4]


def test_emulator_without_strict_records_nothing(
    client: TestClient, headers: dict[str, str]
) -> None:
    client.post("/v1/user/query", json={}, headers=headers)
    answer = client.get("/_admin/violations").json()["data"]
    assert answer == {"strict": False, "count": 0, "violations": []}
