"""Hostile bodies: integers sent as integral floats, JSON nested deep; an envelope, never a 500."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from starlette.testclient import TestClient

from emulator import create_app, spec
from emulator.core import Emulator, Request
from emulator.depth import MAX_DEPTH, depth_bound
from emulator.integers import integers_of
from emulator.settings import Settings
from tests.conftest import SETTINGS

CATALOGUE = spec.load()
PAGED = [
    op for op in CATALOGUE.operations if "page" in (op.body_schema or {}).get("properties", {})
]
WITH_INTEGERS = [op for op in CATALOGUE.operations if '"integer"' in json.dumps(op.body_schema)]
TOKEN_PATH = "/v1/oauth2/token"


def floats(value: Any) -> Any:
    """The same JSON value with every integer written as a float (1 -> 1.0)."""
    if isinstance(value, dict):
        return {k: floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [floats(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def answer(emulator: Emulator, op: spec.Operation, body: Any) -> Any:
    """The data of a call on the emulator as it started (same ids, same demo data)."""
    emulator.reset()
    token = emulator.tenants.tokens.issue(SETTINGS.app_id)["access_token"]
    headers = {"app_id": SETTINGS.app_id, "access_token": token}
    response = emulator.handle(Request(op.method, op.path, "", headers, json.dumps(body).encode()))
    assert response.status < 500
    return response.json()


def test_every_paged_operation_is_found() -> None:
    assert len(PAGED) >= 30
    assert {"user.list", "employee.query", "crm.source_option_fields"} <= {op.id for op in PAGED}


@pytest.mark.parametrize("op", PAGED, ids=[op.id for op in PAGED])
def test_a_page_sent_as_an_integral_float_is_read_as_that_integer(
    client: TestClient, headers: dict[str, str], op: spec.Operation
) -> None:
    as_floats = client.post(op.path, json={"page": 1.0, "page_size": 5.0}, headers=headers)
    as_ints = client.post(op.path, json={"page": 1, "page_size": 5}, headers=headers)
    assert as_floats.status_code == as_ints.status_code < 500
    assert as_floats.json()["code"] == as_ints.json()["code"]
    assert as_floats.json()["data"] == as_ints.json()["data"]


def test_a_page_read_as_an_integer_is_answered_as_one(
    client: TestClient, headers: dict[str, str]
) -> None:
    body = b'{"page": 2.0, "page_size": 3e0}'
    data = client.post("/v1/user/list", content=body, headers=headers).json()["data"]
    assert (data["page"], data["page_size"], len(data["list"])) == (2, 3, 3)
    assert isinstance(data["page"], int)
    assert isinstance(data["page_size"], int)


def test_a_fractional_page_is_refused_naming_it(
    client: TestClient, headers: dict[str, str]
) -> None:
    answer = client.post("/v1/user/list", json={"page": 1.5}, headers=headers).json()
    assert (int(answer["code"]), answer["data"]["details"][0]["path"]) == (30006, "$.page")


@pytest.fixture(scope="module")
def shared() -> Emulator:
    found: Emulator = create_app(SETTINGS.with_overrides({"rate_limits": "off"})).state.emulator
    return found


@pytest.mark.parametrize("op", WITH_INTEGERS, ids=[op.id for op in WITH_INTEGERS])
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_integer_sent_as_a_float_gets_the_answer_the_integer_gets(
    shared: Emulator, op: spec.Operation, data: st.DataObject
) -> None:
    body = data.draw(from_schema(op.body_schema or {}))
    assert answer(shared, op, floats(body)) == answer(shared, op, body)


def nested(depth: int) -> bytes:
    """A body of `depth` nested containers, objects and arrays in turn."""
    opening = b"".join(b'{"a":' if level % 2 else b"[" for level in range(depth))
    closing = b"".join(b"}" if level % 2 else b"]" for level in reversed(range(depth)))
    return opening + b"1" + closing


DEPTHS = [MAX_DEPTH + 1, 300, 978, 979, 1000, 1024]
PATHS = {
    TOKEN_PATH: 30006,
    "/v1/user/update": 30006,
    "/v1/user/list": 30006,
    "/_admin/reset": 50006,
}


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("path", PATHS)
def test_a_body_nested_too_deep_is_refused_naming_where(
    client: TestClient, headers: dict[str, str], path: str, depth: int
) -> None:
    response = client.post(path, content=nested(depth), headers=headers)
    assert response.status_code < 500
    answer = response.json()
    assert int(answer["code"]) == PATHS[path]
    where = answer["data"]["details"][0]["path"]
    assert where == "$" + "[0].a" * (MAX_DEPTH // 2)
    assert f"nested deeper than {MAX_DEPTH} levels" in answer["msg"]


def test_a_body_past_the_parser_s_own_depth_limit_is_malformed_json(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.post(TOKEN_PATH, content=nested(1025), headers=headers)
    assert (response.status_code, response.json()["code"]) == (400, 30005)


def test_a_body_as_deep_as_the_limit_is_checked_by_its_schema(
    client: TestClient, headers: dict[str, str]
) -> None:
    answer = client.post(TOKEN_PATH, content=nested(MAX_DEPTH), headers=headers).json()
    assert answer["code"] == 30006
    assert "nested deeper" not in answer["msg"]


def test_brackets_inside_strings_are_not_nesting(
    client: TestClient, headers: dict[str, str]
) -> None:
    secret = "[{" * MAX_DEPTH
    body = {"app_id": SETTINGS.app_id, "app_secret": secret}
    answer = client.post(TOKEN_PATH, json=body, headers=headers).json()
    assert answer["data"]["error"] == "invalid_app_secret"


def test_every_operation_s_schema_bounds_the_nesting_of_the_bodies_it_accepts() -> None:
    bounds = [depth_bound(op.body_schema) for op in CATALOGUE.operations if op.body_schema]
    assert max(bounds) <= 5


@pytest.mark.parametrize(
    ("schema", "bound"),
    [
        ({}, math.inf),
        ({"type": "string"}, 0),
        ({"type": "array", "items": {"type": "integer"}}, 1),
        ({"type": "array", "items": [{"type": "array", "items": False}]}, math.inf),
        ({"type": "array", "items": [{"type": "null"}], "additionalItems": False}, 1),
        ({"type": "object", "additionalProperties": {"type": "object"}}, math.inf),
        (
            {"type": "object", "patternProperties": {"x": {}}, "additionalProperties": False},
            math.inf,
        ),
        ({"const": {"a": [1]}}, 2),
        ({"enum": [1, [2]]}, 1),
        ({"allOf": [{"type": "object"}, {"type": "number"}]}, 0),
        ({"type": "array", "anyOf": [{"items": {"type": "number"}}, {"maxItems": 0}]}, math.inf),
        ({"oneOf": [{"type": "boolean"}, {"type": "array", "items": {"type": "null"}}]}, 1),
        (True, math.inf),
        (False, 0),
    ],
)
def test_the_depth_bound_of_a_schema_follows_its_keywords(schema: Any, bound: float) -> None:
    assert depth_bound(schema) == bound


def test_an_open_schema_s_valid_body_nested_too_deep_is_refused(tmp_path: Path) -> None:
    (tmp_path / "any.json").write_text('{"type": "object"}')
    entry = {
        "operationId": "gizmo.create",
        "group": "Gizmos",
        "name_en": "create",
        "fidelity": "assumption",
        "source": "test: a body schema that leaves nesting open",
        "resource": "gizmo",
        "kind": "create",
        "request": {"body": "any.json"},
        "response": "any.json",
    }
    (tmp_path / "operations.json").write_text(json.dumps({"operations": [entry]}))
    emulator = Emulator(Settings(seed=7, schemas_overlay=str(tmp_path)))
    token = emulator.tenants.tokens.issue(emulator.settings.app_id)["access_token"]
    headers = {"app_id": emulator.settings.app_id, "access_token": token}

    def send(depth: int) -> Any:
        body = b'{"x":' + nested(depth - 1) + b"}"
        return emulator.handle(Request("POST", "/v1/gizmo/create", "", headers, body)).json()

    assert send(MAX_DEPTH)["code"] == 0
    refused = send(300)["data"]["details"][0]
    assert refused["path"] == "$.x" + "[0].a" * (MAX_DEPTH // 2 - 1) + "[0]"


@pytest.mark.parametrize(
    ("schema", "sent", "read"),
    [
        ({"type": "array", "items": {"type": "integer"}}, [1.0, 2.5, True], [1, 2.5, True]),
        (
            {
                "type": "array",
                "items": [{"type": "string"}],
                "additionalItems": {"type": "integer"},
            },
            [1.0, 2.0],
            [1, 2],
        ),
        (
            {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
            [[1.0], "x"],
            [[1], "x"],
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string"}},
                "additionalProperties": {"type": ["integer", "null"]},
            },
            {"a": 1.0, "b": 2.0, "c": None},
            {"a": 1.0, "b": 2, "c": None},
        ),
        (
            {
                "anyOf": [{"properties": {"a": {"type": "integer"}}}, {"properties": {"b": {}}}],
                "additionalProperties": {"type": "integer"},
            },
            {"a": 1.0, "b": 2.0, "c": 3.0},
            {"a": 1, "b": 2, "c": 3},  # b is additional to the schema holding the anyOf
        ),
        (
            {
                "allOf": [
                    {"properties": {"a": {"properties": {"x": {"type": "integer"}}}}},
                    {"properties": {"a": {"properties": {"y": {"type": "integer"}}}}},
                ]
            },
            {"a": {"x": 1.0, "y": 2.0, "z": 3.0}},
            {"a": {"x": 1, "y": 2, "z": 3.0}},
        ),
        ({"type": "integer"}, 1e300, 1e300),
        (
            {"type": "array", "items": {"properties": {"n": {"type": "integer"}}}},
            [{"n": 4.0}, 5.0, {"m": 1.0}],
            [{"n": 4}, 5.0, {"m": 1.0}],
        ),
    ],
)
def test_integral_floats_are_read_as_integers_only_where_the_schema_allows_integers(
    schema: Any, sent: Any, read: Any
) -> None:
    plan = integers_of(schema)
    assert plan is not None
    got = plan.read(sent)
    assert json.dumps(got) == json.dumps(read)


def test_a_schema_without_integers_has_nothing_to_read() -> None:
    assert integers_of({"type": "object", "properties": {"a": {"type": "number"}}}) is None
    assert integers_of(None) is None
