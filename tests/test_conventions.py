"""The catalogue conventions: one rule for inferred paths, one shape per engine kind."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import conventions, spec
from emulator.conventions import Json, Resource


@pytest.mark.parametrize(
    ("op_id", "prefix", "path"),
    [
        ("edm.send.create", None, "/v1/edm/send/create"),
        ("user.batch_query_identity", "/v1/user", "/v1/user/batchQueryIdentity"),
        ("crowd.static.list", "/v2/crowd", "/v2/crowd/static/list"),
        ("account.query", "/v1/customer", "/v1/customer/query"),
        ("privacy.v2.auth_record.create", None, "/v2/privacy/authRecord/create"),
        ("privacy.v1.list", None, "/v1/privacy/list"),
        ("custom_event.report", None, "/v1/customEvent/report"),
        ("thing.v2.list", "/v1/thing", "/v2/thing/list"),
    ],
)
def test_infer_path_follows_the_documented_spelling(op_id: str, prefix: str, path: str) -> None:
    assert conventions.infer_path(op_id, prefix) == path


def test_complete_fills_only_what_the_entry_leaves_out() -> None:
    rules = {
        "defaults": {"method": "POST", "auth": "access_token", "envelope": "code_int_msg"},
        "prefixes": {"crowd": {"path": "/v2/crowd", "envelope": "code_string_message"}},
    }
    entry = conventions.complete({"operationId": "crowd.static.delete", "method": "DELETE"}, rules)
    assert entry["method"] == "DELETE"
    assert entry["path"] == "/v2/crowd/static/delete"
    assert entry["envelope"] == "code_string_message"
    assert entry["auth"] == "access_token"
    kept = conventions.complete({"operationId": "x.y", "path": "/given"}, rules)
    assert kept["path"] == "/given"
    assert kept["envelope"] == "code_int_msg"


TAG = Resource(
    name="tag",
    id_field="tag_uuid",
    integer_id=False,
    unique=("name",),
    schema={
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {"name": {"type": "string"}, "labels": {"type": "array"}},
    },
)
GROUP = conventions.resource(
    "group", {"x-id": "group_id", "properties": {"group_id": {"type": "integer"}}}, "uuid"
)


PARTS = {
    name: spec.schema_file(f"common/{name}.json")
    for name in ("page_request", "page_data", "batch_data", "record_meta")
}


def derive(kind: str, res: Resource = TAG) -> tuple[Json, Json]:
    return conventions.derive(kind, res, PARTS, {"max_items": 100})


def test_resource_reads_id_field_and_unique_fields() -> None:
    assert GROUP.id_field == "group_id"
    assert GROUP.integer_id
    assert GROUP.writable()["properties"] == {}
    assert conventions.resource("x", {}, "uuid").id_field == "uuid"


def test_create_takes_the_writable_fields_and_answers_the_record() -> None:
    body, data = derive("create")
    assert body["required"] == ["name"]
    assert data["required"] == ["tag_uuid", "name", "create_time", "update_time"]


def test_get_and_delete_take_only_the_id() -> None:
    body, data = derive("get")
    assert body["required"] == ["tag_uuid"]
    assert body["additionalProperties"] is False
    assert "name" in data["properties"]
    _, deleted = derive("delete")
    assert deleted["required"] == ["tag_uuid"]


def test_list_filters_by_scalar_fields_and_answers_a_page() -> None:
    body, data = derive("list")
    assert set(body["properties"]) == {"name", "page", "page_size"}
    assert data["required"] == ["total", "page", "page_size", "list"]
    assert data["properties"]["list"]["items"]["required"][0] == "tag_uuid"


def test_batch_kinds_take_a_list_and_answer_per_item() -> None:
    body, data = derive("batch_delete", GROUP)
    assert body["properties"]["list"]["maxItems"] == 100
    assert body["properties"]["list"]["items"] == {"type": "integer", "minimum": 1}
    success = data["properties"]["success"]["items"]
    assert "group_id" in success["required"]


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, ["string"]),
        ({"type": ["integer", "null"]}, ["integer", "null"]),
        ({"properties": {}}, ["object"]),
        ({}, []),
        ("string", []),
    ],
)
def test_types_lists_what_a_schema_names(schema: Any, expected: list[str]) -> None:
    assert conventions.types(schema) == expected
