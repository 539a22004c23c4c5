"""Rules no vendor page states are the emulator's own (`x-assumed`): named as assumptions in
errors, warnings and violations, and relaxed by --assumed-rules (warn by default, or off)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator import origins, spec
from emulator.settings import Settings, from_env
from tests.conftest import credentials, serving, user

STATUS = "/v1/activity/update/userStatus/batch"
ACTIVITY = "etAJARbcPwUwnsgfr66BVJ"
WARNING = "x-jing-emulator-warning"


def serve(mode: str) -> Iterator[TestClient]:
    yield from serving(strict=True, assumed_rules=mode)


@pytest.fixture
def warn() -> Iterator[TestClient]:
    yield from serve("warn")


@pytest.fixture
def enforce() -> Iterator[TestClient]:
    yield from serve("enforce")


@pytest.fixture
def off() -> Iterator[TestClient]:
    yield from serve("off")


def registered(client: TestClient) -> str:
    """A user registered to the activity ACTIVITY; its omni_user_uuid."""
    answer = client.post("/v1/user/update", json=[user("13600000001")], headers=credentials(client))
    uuid: str = answer.json()["data"]["success"][0]["omni_user_uuid"]
    store = client.app.state.emulator.tenants.default.activities  # type: ignore[attr-defined]
    store.create({"entity_uuid": ACTIVITY, "name": "直播", "type": "live"})
    store.register(ACTIVITY, [uuid])
    return uuid


def unstated_status(client: TestClient) -> Any:
    """A status the page types as a string and gives no list of values for."""
    body = {"entity_uuid": ACTIVITY, "user_ids": [registered(client)], "ems_signinstatus": "3"}
    return client.post(STATUS, json=body, headers=credentials(client))


def violations(client: TestClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get("/_admin/violations").json()["data"]["violations"]
    return found


def test_a_string_the_page_allows_is_served_with_a_warning_by_default(warn: TestClient) -> None:
    answer = unstated_status(warn)
    assert answer.json()["code"] == 0
    assert answer.json()["data"][0]["ems_signinstatus"] == "3"
    assert "assumed rule" in answer.headers[WARNING]
    assert "$.ems_signinstatus" in answer.headers[WARNING]
    [found] = violations(warn)
    assert (found["path"], found["rule"], found["origin"]) == (
        "$.ems_signinstatus",
        "enum",
        "assumption",
    )
    assert found["served"] is True


def test_enforce_refuses_an_assumed_rule_and_says_it_is_ours(enforce: TestClient) -> None:
    answer = unstated_status(enforce).json()
    assert answer["data"]["error"] == "assumed_rule"
    assert answer["code"] == 30008
    assert "no vendor page states" in answer["msg"]
    assert "--assumed-rules" in answer["msg"]
    assert answer["data"]["details"][0]["origin"] == "assumption"
    [found] = violations(enforce)
    assert (found["origin"], found["served"]) == ("assumption", False)


def test_off_serves_an_assumed_rule_silently(off: TestClient) -> None:
    answer = unstated_status(off)
    assert answer.json()["code"] == 0
    assert WARNING not in answer.headers
    assert violations(off) == []


def test_unknown_fields_of_documented_objects_are_an_assumed_rule(warn: TestClient) -> None:
    body = [user("13600000009", source_data={"utm_term": "x"})]
    answer = warn.post("/v1/user/update", json=body, headers=credentials(warn))
    assert answer.json()["code"] == "10000"
    assert answer.json()["data"]["success"]
    [found] = violations(warn)
    assert (found["path"], found["rule"]) == ("$[0].source_data", "additionalProperties")
    assert found["origin"] == "assumption"


def test_a_documented_rule_is_refused_in_every_mode_and_named_documented(off: TestClient) -> None:
    body = [{"identities": [{"type": "phone", "value": "1"}], "feilds": {}}]
    answer = off.post("/v1/user/update", json=body, headers=credentials(off)).json()
    assert answer["data"]["error"] == "invalid_request"
    origins_of = {(d["path"], d["origin"]) for d in answer["data"]["details"]}
    assert origins_of == {("$[0]", "assumption"), ("$[0].identities[0].type", "documented")}
    assert {v["origin"] for v in violations(off)} == {"assumption", "documented"}


def test_the_inferred_batch_cap_is_an_assumed_limit(warn: TestClient) -> None:
    tags = [{"name": f"tag{i}"} for i in range(101)]
    answer = warn.post("/v1/tag/batchCreate", json={"list": tags}, headers=credentials(warn))
    assert answer.json()["code"] == 0
    assert len(answer.json()["data"]["success"]) == 101
    assert "$.list" in answer.headers[WARNING]
    [found] = violations(warn)
    assert (found["rule"], found["origin"]) == ("maxItems", "assumption")


def test_the_inferred_page_size_cap_is_an_assumed_limit(enforce: TestClient) -> None:
    answer = enforce.post("/v1/tag/query", json={"page_size": 500}, headers=credentials(enforce))
    assert answer.json()["data"]["error"] == "assumed_rule"
    assert answer.json()["data"]["details"][0]["path"] == "$.page_size"


def test_a_query_string_rule_of_ours_is_assumed_too(enforce: TestClient) -> None:
    path = "/v1/user/create?returnFull=yes"
    answer = enforce.post(path, json=[user("13600000008")], headers=credentials(enforce)).json()
    assert answer["data"]["error"] == "assumed_rule"
    assert answer["data"]["details"][0]["path"] == "$.returnFull"


def test_the_catalogue_lists_each_operations_assumed_rules() -> None:
    catalogue = spec.load()
    status = origins.assumed_rules(catalogue.by_id["activity.user_status.batch_update"])
    assert ("body", "$.ems_signinstatus", "enum") in status
    assert ("body", "$", "additionalProperties") in status
    batch = origins.assumed_rules(catalogue.by_id["tag.batch_create"])
    assert ("body", "$.list", "maxItems") in batch
    users = origins.assumed_rules(catalogue.by_id["user.update"])
    assert ("body", "$[*].identities[*].type", "enum") not in users


def test_documented_batch_rules_carry_their_origin() -> None:
    batch = spec.load().by_id["user.update"].batch or {}
    assert batch["origin"] == "documented"
    assert origins.batch_origin(spec.load().by_id["user.create"]) == "documented"


def test_relaxed_schema_drops_only_the_assumed_keywords() -> None:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "x-assumed": ["additionalProperties"],
        "properties": {"a": {"type": "string", "enum": ["x"], "x-assumed": ["enum"]}},
    }
    assert origins.relaxed(schema) == {"type": "object", "properties": {"a": {"type": "string"}}}
    assert origins.relaxed({"type": "string"}) is None


def test_assumed_rules_mode_comes_from_the_environment() -> None:
    assert Settings().assumed_rules == "warn"
    assert from_env({"JING_EMULATOR_ASSUMED_RULES": "off"}).assumed_rules == "off"
    with pytest.raises(ValueError, match="assumed_rules"):
        Settings(assumed_rules="maybe")


def test_the_admin_listing_names_each_operations_assumed_rules(warn: TestClient) -> None:
    listed = warn.get("/_admin/operations").json()["data"]["operations"]
    status = next(op for op in listed if op["operationId"] == "activity.user_status.batch_update")
    rule = {"part": "body", "path": "$.ems_approvestatus", "rule": "enum"}
    assert rule in status["assumed_rules"]
    update = next(op for op in listed if op["operationId"] == "user.update")
    assert update["batch_rules_origin"] == "documented"
