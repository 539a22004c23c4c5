"""Property: any request valid under an operation's schema gets an answer valid under its
response schema (success) or its error schema (a rule or missing state), never a 500."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from emulator import create_app, spec
from emulator.core import Emulator, Request
from tests.conftest import SETTINGS

CATALOGUE = spec.load()
OPERATIONS = [op for op in CATALOGUE.operations if op.body_schema is not None]


@pytest.fixture(scope="module")
def shared() -> Emulator:
    """One emulator for the module: generated calls pile up state, as a real client's would."""
    found: Emulator = create_app(SETTINGS.with_overrides({"rate_limits": "off"})).state.emulator
    return found


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.id for op in OPERATIONS])
def test_valid_requests_get_schema_valid_answers(shared: Emulator, op: spec.Operation) -> None:
    assert op.body_schema is not None  # OPERATIONS holds only operations with a body
    token = shared.tenants.tokens.issue(SETTINGS.app_id)["access_token"]
    headers = {"app_id": SETTINGS.app_id, "access_token": token}
    query = from_schema(op.query_schema) if op.query_schema else st.just({})

    examples = 25 if op.fidelity == "documented" else 8

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=from_schema(op.body_schema), params=query)
    def check(body: Any, params: dict[str, str]) -> None:
        qs = "&".join(f"{k}={v}" for k, v in params.items())
        raw = json.dumps(body).encode()
        response = shared.handle(Request(op.method, op.path, qs, headers, raw))
        answer = response.json()
        assert response.status in (200, 401), answer
        success = answer["code"] == op.envelope.success_code
        schema = op.response_schema if success else CATALOGUE.error_schema(op.envelope)
        jsonschema.validate(answer, schema)

    check()
