"""Cases and the batch-rule helpers: JSON paths as jsonschema writes them, edits, conformity."""

from __future__ import annotations

from typing import Any

from contract_tests.cases import (
    Case,
    batch_breaks,
    clone,
    conform,
    distinct,
    edit,
    json_path,
    preview,
    within,
)

BATCH = {"max_items": 3, "max_custom_fields": 1, "one_identity_type": True, "unique_users": True}


def user(kind: str, value: str, **extra: Any) -> dict[str, Any]:
    return {"identities": [{"type": kind, "value": value}], **extra}


def test_json_paths_are_written_as_jsonschema_writes_them() -> None:
    assert json_path(()) == "$"
    assert json_path((0, "identities", 1, "type")) == "$[0].identities[1].type"
    assert json_path(("a b", "it's", "_x")) == "$['a b']['it\\'s']['_x']"


def test_a_reported_path_is_within_when_it_is_the_path_or_a_parent() -> None:
    assert within("$", "$[0].type")
    assert within("$[0]", "$[0].type")
    assert within("$[0].type", "$[0].type")
    assert not within("$[0].t", "$[0].type")
    assert not within("$[1]", "$[10]")


def test_edit_copies_and_leaves_the_original_alone() -> None:
    original = {"a": [1, {"b": 2}]}
    assert edit(original, ("a", 1, "b"), 3) == {"a": [1, {"b": 3}]}
    assert edit(original, ("a", 1, "b"), None, delete=True) == {"a": [1, {}]}
    assert edit(original, (), [5]) == [5]
    assert original == {"a": [1, {"b": 2}]}


def test_conform_makes_one_identity_type_and_drops_repeated_users() -> None:
    body = [user("mobile", "1"), user("email", "2"), user("mobile", " 1 "), user("mobile", "3")]
    assert conform(BATCH, body) == [user("mobile", "1"), user("mobile", "2"), user("mobile", "3")]
    assert conform(None, body) is body
    assert conform(BATCH, {"not": "a list"}) == {"not": "a list"}


def test_batch_breaks_names_each_rule_a_body_breaks() -> None:
    assert batch_breaks(BATCH, [user("mobile", "1"), user("mobile", "2")]) == set()
    assert batch_breaks(BATCH, [user("mobile", str(n)) for n in range(4)]) == {"max_items"}
    assert batch_breaks(BATCH, [user("mobile", "1", fields={"a": 1, "b": 2})]) == {
        "max_custom_fields"
    }
    assert batch_breaks(BATCH, [user("mobile", "1"), user("email", "1")]) == {"one_identity_type"}
    assert batch_breaks(BATCH, [user("mobile", "1"), user("mobile", "1 ")]) == {"unique_users"}
    assert batch_breaks(None, [user("mobile", "1")] * 9) == set()


def test_distinct_ignores_identities_without_a_type_or_value() -> None:
    items = [{"identities": [{"type": "mobile"}]}, {"identities": [{"type": "mobile"}]}, 7]
    assert distinct(items) == items


def test_clone_names_another_user_with_the_same_identity_types() -> None:
    twin = clone(user("mobile", " 1 ", fields={"a": 1}), 4)
    assert twin == user("mobile", "1~4", fields={"a": 1})


def test_case_describes_itself_with_its_url_and_body() -> None:
    case = Case("user.create", "POST", "/v1/user/create", [1], True, {"returnFull": "true"})
    assert case.valid
    assert case.url == "/v1/user/create?returnFull=true"
    assert case.content == b"[1]"
    assert case.describe() == "user.create (valid): POST /v1/user/create?returnFull=true [1]"
    broken = Case("x", "GET", "/x", rule="type", where="$.a")
    assert broken.content is None
    assert broken.describe() == "x (breaks type at $.a): GET /x (no body)"


def test_case_bodies_keep_big_integers_exact() -> None:
    assert Case("x", "POST", "/x", {"n": 2**70}, True).content == b'{"n": 1180591620717411303424}'


def test_preview_cuts_long_text_and_says_how_much() -> None:
    assert preview("abc", 5) == "abc"
    assert preview("abcdefgh", 5) == "abcde… (3 more characters)"
