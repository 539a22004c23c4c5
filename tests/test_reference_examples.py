"""The vendor's documented examples: our request schemas accept every example request, our
response schemas accept every example response, and the emulator serves the requests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from starlette.testclient import TestClient

from emulator import spec
from emulator.core import Emulator
from tests.conftest import SETTINGS, post

EXAMPLES = json.loads((Path(__file__).parent / "data" / "reference_examples.json").read_text())
IDS = [e["operationId"] for e in EXAMPLES["examples"]]


@pytest.mark.parametrize("example", EXAMPLES["examples"], ids=IDS)
def test_documented_request_example_matches_request_schema(example: dict[str, Any]) -> None:
    op = spec.load().by_id[example["operationId"]]
    assert (op.method, op.path, op.fidelity) == (example["method"], example["path"], "documented")
    jsonschema.validate(example["request"], op.body_schema or {})
    jsonschema.validate(example["query"], op.query_schema or {})


@pytest.mark.parametrize("example", EXAMPLES["examples"], ids=IDS)
def test_documented_response_example_matches_response_schema(example: dict[str, Any]) -> None:
    op = spec.load().by_id[example["operationId"]]
    jsonschema.validate(example["response"], op.response_schema)


def test_every_documented_operation_has_an_example() -> None:
    documented = {op.id for op in spec.load().operations if op.fidelity == "documented"}
    assert documented == set(IDS)


def example(op_id: str) -> Any:
    return next(e for e in EXAMPLES["examples"] if e["operationId"] == op_id)


def test_user_examples_are_served(client: TestClient, headers: dict[str, str]) -> None:
    created = client.post(
        "/v1/user/create?returnFull=true", json=example("user.create")["request"], headers=headers
    ).json()
    assert (created["code"], len(created["data"]["success"])) == (0, 1)
    jsonschema.validate(created, spec.load().by_id["user.create"].response_schema)
    updated = post(client, "/v1/user/update", example("user.update")["request"], headers)
    assert updated["code"] == "10000"
    assert (updated["data"]["failure"], len(updated["data"]["success"])) == ([], 1)
    jsonschema.validate(updated, spec.load().by_id["user.update"].response_schema)


def test_group_activity_and_account_examples_are_served(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    tenant = emulator.tenants.default
    uuid = post(client, "/v1/user/update", example("user.create")["request"], headers)["data"][
        "success"
    ][0]["omni_user_uuid"]
    tenant.activities.create({"entity_uuid": "etAJARbcPwUwnsgfr66BVJ", "name": "a", "type": "live"})
    tenant.activities.register("etAJARbcPwUwnsgfr66BVJ", [uuid])
    tenant.accounts.add_business_type("示例", "string")
    # The sample's option values and owner are the placeholder "string": make them the tenant's.
    for field in ("account_type", "nature_enterprise", "company_size", "country_region"):
        option = {"option_set": field, "value": "string", "label": "示例"}
        tenant.records.create("option_set", option)
    staff = {"uuid": "string", "name": "示例", "email": "string@staff.example.cn"}
    tenant.records.create("employee", staff)
    requests = {
        "crowd.static.import_by_uuids": {
            **example("crowd.static.import_by_uuids")["request"],
            "omni_user_uuids": [uuid],
        },
        "activity.user_status.batch_update": {
            **example("activity.user_status.batch_update")["request"],
            "user_ids": [uuid],
        },
        "account.create": example("account.create")["request"],
    }
    for op_id, body in requests.items():
        op = spec.load().by_id[op_id]
        answer = post(client, op.path, body, headers)
        assert answer["code"] == op.envelope.success_code, answer
        jsonschema.validate(answer, op.response_schema)


def test_refresh_example_is_served_with_a_live_token(client: TestClient) -> None:
    body = {"app_id": SETTINGS.app_id, "app_secret": SETTINGS.app_secret}
    refresh = post(client, "/v1/oauth2/token", body, {})["data"]["refresh_token"]
    answer = post(client, "/v1/oauth2/token/refresh", {**body, "refresh_token": refresh}, {})
    jsonschema.validate(answer, spec.load().by_id["oauth.refresh_token"].response_schema)
    assert answer["code"] == 0
