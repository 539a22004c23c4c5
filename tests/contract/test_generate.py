"""Strategies for schemas: composed objects and arrays, the rest by hypothesis-jsonschema."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract_tests.generate import strategy

# Each shape the composition meets; every response schema of the catalogue is drawn from by
# test_answers_follow_the_response_schema_with_the_success_code (test_strategies.py).
SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}},
    {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
    {"type": "object", "additionalProperties": {"type": "boolean"}, "maxProperties": 2},
    {"type": "object", "properties": {"a": {}}, "additionalProperties": {"type": "null"}},
    {"type": "object", "minProperties": 1, "maxProperties": 1, "properties": {"a": {}}},
    {"type": "array", "items": {"type": "string", "maxLength": 2}, "minItems": 1, "maxItems": 3},
    {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    {"title": "anything at all"},
    {"type": "object", "required": ["undeclared"]},
]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_every_value_drawn_is_valid_under_its_schema(schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(schema)

    @settings(max_examples=15, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy(schema))
    def check(value: Any) -> None:
        assert validator.is_valid(value), value

    check()


def test_open_objects_get_unknown_keys_and_closed_ones_never() -> None:
    open_schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    closed = {**open_schema, "additionalProperties": False}
    seen_unknown: list[bool] = []

    @settings(max_examples=50, database=None)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        assert set(data.draw(strategy(closed))) <= {"a"}
        seen_unknown.append(bool(set(data.draw(strategy(open_schema))) - {"a"}))

    check()
    assert any(seen_unknown)
