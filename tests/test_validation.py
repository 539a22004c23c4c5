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
