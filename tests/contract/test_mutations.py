"""Edits that break one rule: per keyword, per batch rule, and the rules every instance offers."""

from __future__ import annotations

from typing import Any

import jsonschema

from contract_tests.mutations import (
    EXTRA_KEY,
    Edit,
    batch_edits,
    dig,
    edits_at,
    schema_edits,
    static_rules,
)
from emulator import spec

USERS = spec.load().by_id["user.update"]
BATCH = USERS.batch


def broken(schema: dict[str, Any], edit: Edit, instance: Any) -> set[str]:
    errors = jsonschema.Draft7Validator(schema).iter_errors(edit.apply(instance))
    return {str(e.validator) for e in errors}


def test_each_keyword_offers_an_edit_breaking_it_alone() -> None:
    cases: list[tuple[dict[str, Any], Any]] = [
        ({"type": "string", "maxLength": 3}, "ab"),
        ({"type": "string", "minLength": 2}, "abc"),
        ({"type": "string", "pattern": "^[a-z]+$"}, "abc"),
        ({"type": "array", "maxItems": 2}, [1]),
        ({"type": "array", "minItems": 1}, [1]),
        ({"type": "integer", "maximum": 5}, 1),
        ({"type": "integer", "minimum": 5}, 6),
        ({"type": "number", "exclusiveMaximum": 5}, 1),
        ({"type": "number", "exclusiveMinimum": 5}, 6),
        ({"enum": ["a", "b"]}, "a"),
        ({"const": "a"}, "a"),
        ({"type": ["string", "null"]}, None),
    ]
    for schema, value in cases:
        for edit in edits_at(schema, value, ()):
            assert broken(schema, edit, value) == {edit.rule}, (schema, edit)


def test_objects_offer_a_missing_required_key_and_an_unexpected_one() -> None:
    schema = {"type": "object", "required": ["a"], "additionalProperties": False}
    edits = edits_at(schema, {"a": 1}, ("x",))
    assert [(e.rule, e.where) for e in edits] == [
        ("required", ("x", "a")),
        ("additionalProperties", ("x", EXTRA_KEY)),
        ("type", ("x",)),
    ]


def test_limits_skip_values_they_do_not_apply_to() -> None:
    assert edits_at({"maxLength": 2, "minItems": 0, "maxItems": 1, "pattern": "a"}, [], ()) == []
    assert edits_at({"maximum": 1, "minLength": 1}, "abc", ())[0].rule == "minLength"
    assert edits_at({"enum": ["x_not_allowed", -1, None]}, None, ()) == []


def test_schema_edits_reach_every_value_and_filter_by_rule() -> None:
    assert USERS.body_schema is not None
    body = [{"identities": [{"type": "mobile", "value": "1"}], "fields": {"a": "b"}}]
    where = {(e.rule, e.where) for e in schema_edits(USERS.body_schema, body)}
    assert ("enum", (0, "identities", 0, "type")) in where
    assert ("type", (0, "fields", "a")) not in where  # anyOf branches are left alone
    assert {e.rule for e in schema_edits(USERS.body_schema, body, {"enum"})} == {"enum"}


def test_batch_edits_break_each_batch_rule_where_a_server_reports_it() -> None:
    assert USERS.body_schema is not None
    body = [{"identities": [{"type": "mobile", "value": "1"}]}]
    edits = {e.rule: e for e in batch_edits(BATCH, USERS.body_schema, body)}
    grown = edits["max_items"].apply(body)
    assert (len(grown), edits["max_items"].where) == (101, (100,))
    assert len(edits["max_custom_fields"].apply(body)[0]["fields"]) == 51
    mixed = edits["one_identity_type"].apply(body)
    assert (mixed[1]["identities"][0]["type"], edits["one_identity_type"].where) == (
        "email",
        (1, "identities", 0, "type"),
    )
    assert edits["unique_users"].apply(body) == body * 2


def test_a_full_batch_gets_its_last_user_replaced() -> None:
    assert USERS.body_schema is not None
    body = [{"identities": [{"type": "mobile", "value": str(n)}]} for n in range(100)]
    edits = {e.rule: e for e in batch_edits(BATCH, USERS.body_schema, body)}
    assert len(edits["unique_users"].apply(body)) == 100
    assert edits["unique_users"].where == (99,)


def test_batch_edits_need_a_list_of_users_and_a_second_identity_type() -> None:
    assert batch_edits(BATCH, {}, {"a": 1}) == []
    assert batch_edits(None, {}, [{}]) == []
    no_types = batch_edits({"one_identity_type": True}, {}, [{"identities": [{"type": "m"}]}])
    assert no_types == []


def test_static_rules_follow_only_values_every_instance_has() -> None:
    schema = {
        "type": "object",
        "required": ["a", "n", "s"],
        "additionalProperties": False,
        "properties": {
            "a": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"enum": [1]}},
            "n": {"type": "integer", "maximum": 3},
            "s": {"type": "string", "minLength": 1, "pattern": "x"},
            "optional": {"const": 1},
        },
    }
    assert static_rules(schema) == {
        "type", "required", "additionalProperties", "minItems", "maxItems", "enum",
        "maximum", "minLength", "pattern",
    }  # fmt: skip
    assert static_rules(schema, {"enum", "const"}) == {"enum"}
    assert static_rules(None) == set()


def test_dig_follows_keys_and_stops_where_they_end() -> None:
    assert dig({"a": {"b": 1}}, "a", "b") == 1
    assert dig({"a": 1}, "a", "b") is None


def test_an_object_full_at_its_most_keys_cannot_break_additional_properties_alone() -> None:
    full = {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": False}
    assert "additionalProperties" not in static_rules(full)
    assert "additionalProperties" in static_rules({**full, "minProperties": 0})
