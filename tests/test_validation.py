"""Request checks: batch limits held by the schema, the one-type and no-user-twice rules."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from emulator import spec
from emulator.envelope import ApiError
from emulator.validation import Checks, check_batch_rules, file_validator, limits_in_schema

RULES = {"one_identity_type": True, "unique_users": True}


def item(*identities: tuple[str, str]) -> dict[str, Any]:
    return {"identities": [{"type": kind, "value": value} for kind, value in identities]}


def test_a_value_shared_by_two_identity_types_is_two_users() -> None:
    users = [
        item(("mobile", "13800000001"), ("email", "a@example.cn")),
        item(("mobile", "13800000002"), ("external_userid", "13800000001")),
    ]
    check_batch_rules(RULES, users)  # no exception: the values repeat, the identities do not


def test_one_user_may_carry_the_same_identity_twice() -> None:
    check_batch_rules(RULES, [item(("mobile", "1"), ("mobile", " 1")), item(("mobile", "2"))])


def test_the_same_trimmed_identity_in_two_users_names_both() -> None:
    users = [item(("mobile", "1")), item(("mobile", "2")), item(("mobile", " 2 "))]
    with pytest.raises(ApiError) as raised:
        check_batch_rules(RULES, users)
    assert raised.value.key == "duplicate_user"
    assert raised.value.params["first"] == 1
    assert raised.value.params["index"] == 2


def test_the_first_user_of_another_identity_type_is_named() -> None:
    users = [
        item(("mobile", "1")),
        item(("mobile", "2")),
        item(("email", "e")),
        item(("email", "f")),
    ]
    with pytest.raises(ApiError) as raised:
        check_batch_rules(RULES, users)
    assert raised.value.params == {
        "expected": "mobile",
        "found": "email",
        "index": 2,
        "path": "$[2].identities[0].type",
    }


def test_user_operations_hold_their_batch_limits_in_the_body_schema() -> None:
    batched = [op for op in spec.load().operations if op.batch]
    assert batched
    assert all(limits_in_schema(op) for op in batched)


def test_limits_are_checked_by_name_when_the_schema_does_not_hold_them() -> None:
    op = spec.load().by_id["user.update"]
    loose = replace(op, body_schema={"type": "array"})
    assert not limits_in_schema(loose)
    with pytest.raises(ApiError) as raised:
        Checks(loose).body([item(("mobile", str(n))) for n in range(101)])
    assert raised.value.key == "batch_too_large"


def test_a_schema_file_is_compiled_once() -> None:
    dataset = "admin/seed_dataset.json"
    assert file_validator(dataset) is file_validator(dataset)
    assert file_validator(dataset).is_valid({"users": [item(("mobile", "1"))]})
    assert not file_validator(dataset).is_valid({"users": "none"})


TYPED_QUERY = {
    "type": "object",
    "properties": {
        "page": {"type": "integer", "minimum": 1},
        "ratio": {"type": "number"},
        "full": {"type": "boolean"},
        "id": {"type": ["integer", "string"]},
        "name": {"type": "string"},
    },
}


def typed_checks() -> Checks:
    return Checks(replace(spec.load().by_id["user.create"], query_schema=TYPED_QUERY))


def test_query_values_are_read_as_the_types_their_schema_declares() -> None:
    given = {"page": "2", "ratio": "0.5", "full": "false", "id": "7", "name": "3", "other": "1"}
    typed = typed_checks().query(given)
    assert typed == {"page": 2, "ratio": 0.5, "full": False, "id": "7", "name": "3", "other": "1"}
    assert typed_checks().query({"ratio": "-3"}) == {"ratio": -3}


@pytest.mark.parametrize(
    ("param", "text"),
    [
        ("page", "2.0"),
        ("page", "+2"),
        ("page", " 2"),
        ("page", "two"),
        ("page", "1" * 5000),  # more digits than Python reads: still refused, never raised
        ("ratio", "1e999"),
        ("ratio", "nan"),
        ("full", "True"),
        ("full", "1"),
    ],
)
def test_a_query_value_not_of_its_declared_type_is_refused_naming_the_parameter(
    param: str, text: str
) -> None:
    with pytest.raises(ApiError) as refused:
        typed_checks().query({param: text})
    assert (refused.value.key, refused.value.params["path"]) == ("invalid_query", f"$.{param}")


def test_a_query_value_read_as_its_type_is_still_held_to_the_schema() -> None:
    with pytest.raises(ApiError) as refused:
        typed_checks().query({"page": "0"})
    assert refused.value.params["path"] == "$.page"
    assert "minimum" in refused.value.params["reason"]


def test_without_a_query_schema_the_query_string_is_text_as_sent() -> None:
    params = {"returnFull": "true", "page": "2"}
    assert Checks(spec.load().by_id["user.update"]).query(params) is params
