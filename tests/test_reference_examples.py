"""The vendor's documented examples: our request schemas accept every example request, our
response schemas accept every example response (test_reference_pages sends each request)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from starlette.testclient import TestClient

from emulator import spec
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


def test_refresh_example_is_served_with_a_live_token(client: TestClient) -> None:
    body = {"app_id": SETTINGS.app_id, "app_secret": SETTINGS.app_secret}
    refresh = post(client, "/v1/oauth2/token", body, {})["data"]["refresh_token"]
    answer = post(client, "/v1/oauth2/token/refresh", {**body, "refresh_token": refresh}, {})
    jsonschema.validate(answer, spec.load().by_id["oauth.refresh_token"].response_schema)
    assert answer["code"] == 0
