"""Importing an OpenAPI document: which of ours each operation corrects, what it adds (new
operations and resources), and the notes on what it cannot take."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator import openapi, spec
from emulator.apidoc import ImportFailure
from emulator.importer import Result, import_file, write

DATA = Path(__file__).parent / "data" / "openapi"
APIFOX = DATA / "apifox_edm.json"
Json = dict[str, Any]


def imported(
    tmp_path: Path, source: Path = APIFOX, engine: bool = False
) -> tuple[Result, spec.Catalogue]:
    """Import a document into tmp_path/overlay and load our catalogue with it."""
    result = import_file(source, engine=engine)
    write(result, tmp_path / "overlay")
    return result, spec.load(spec.SCHEMAS_DIR, overlay=tmp_path / "overlay")


def document(tmp_path: Path, paths: Json, name: str = "doc.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"openapi": "3.0.3", "paths": paths}), encoding="utf-8")
    return path


def body(props: Json, *required: str) -> Json:
    schema = {"type": "object", "properties": props, "required": list(required)}
    return {"content": {"application/json": {"schema": schema}}}


def data(props: Json) -> Json:
    schema = {"type": "object", "properties": props}
    return {"200": {"content": {"application/json": {"schema": schema}}}}


def test_corrected_path_replaces_the_inferred_one(tmp_path: Path) -> None:
    _, catalogue = imported(tmp_path)
    op = catalogue.by_route[("POST", "/v1/edm/task/create")]
    assert op.id == "edm.send.create"
    assert ("POST", "/v1/edm/send/create") not in catalogue.by_route
    assert op.fidelity == "documented"
    assert op.source == "Imported from apifox_edm.json: POST /v1/edm/task/create (创建发送邮件)"
    assert (op.resource, op.kind) == ("edm_send", "create")


def test_new_operation_joins_the_resource_of_its_siblings(tmp_path: Path) -> None:
    result, catalogue = imported(tmp_path)
    new = catalogue.by_id["post.v1.edm.task.search"]
    assert (new.method, new.path, new.resource, new.kind) == (
        "POST",
        "/v1/edm/task/search",
        "edm_send",
        "query",
    )
    assert (new.entry["group"], new.entry["name_zh"]) == ("EDM Management", "搜索邮件任务")
    assert new.envelope.name == "code_int_msg"
    assert result.resources == {}


def test_a_documented_operation_keeps_its_rules_and_takes_the_new_envelope(tmp_path: Path) -> None:
    answer = {
        "type": "object",
        "properties": {
            "code": {"type": "integer"},
            "msg": {},
            "request_id": {},
            "data": {"type": "object"},
        },
    }
    responses = {"200": {"content": {"application/json": {"schema": answer}}}}
    source = document(
        tmp_path, {"/v1/user/update": {"post": {"summary": "x", "responses": responses}}}
    )
    result, catalogue = imported(tmp_path, source)
    op = catalogue.by_id["user.update"]
    assert result.operations[0].changes == [
        "envelope code_string_msg -> code_int_msg",
        "schemas: response data",
    ]
    assert op.batch == {
        "origin": "documented",
        "max_items": 100,
        "max_custom_fields": 50,
        "one_identity_type": True,
        "unique_users": True,
    }
    assert len(op.rate_limit) == 2
    assert op.body_schema == spec.load().by_id["user.update"].body_schema


def test_name_en_or_operation_id_also_match(tmp_path: Path) -> None:
    source = document(
        tmp_path,
        {
            "/v1/edm/task/detail": {"post": {"operationId": "edm.send.detail"}},
            "/v1/edm/task/update": {"post": {"summary": "update send email"}},
        },
    )
    result, _ = imported(tmp_path, source)
    assert [d.entry["operationId"] for d in result.operations] == [
        "edm.send.detail",
        "edm.send.update",
    ]


def test_method_change_is_reported(tmp_path: Path) -> None:
    source = document(tmp_path, {"/v1/edm/send/delete": {"delete": {"summary": "删除发送邮件"}}})
    result, catalogue = imported(tmp_path, source)
    assert result.operations[0].changes == ["method POST -> DELETE"]
    assert catalogue.by_id["edm.send.delete"].method == "DELETE"


def test_without_schemas_our_derived_shapes_stay(tmp_path: Path) -> None:
    source = document(tmp_path, {"/v1/edm/task/create": {"post": {"summary": "创建发送邮件"}}})
    result, catalogue = imported(tmp_path, source)
    assert "response" not in result.operations[0].entry
    ours = spec.load().by_id["edm.send.create"]
    assert catalogue.by_id["edm.send.create"].body_schema == ours.body_schema


def test_parts_the_document_leaves_out_are_ours(tmp_path: Path) -> None:
    paths = {
        "/v1/edm/task/create": {
            "post": {
                "summary": "创建发送邮件",
                "requestBody": body({"name": {"type": "string"}}, "name"),
            }
        }
    }
    _, catalogue = imported(tmp_path, document(tmp_path, paths))
    ours = spec.load().by_id["edm.send.create"]
    op = catalogue.by_id["edm.send.create"]
    assert op.response_schema == ours.response_schema
    assert op.body_schema is not None
    assert op.body_schema["required"] == ["name"]


def test_a_route_match_wins_over_an_earlier_name_match(tmp_path: Path) -> None:
    paths = {
        "/v1/edm/elsewhere": {"post": {"summary": "创建发送邮件"}},
        "/v1/edm/send/create": {"post": {"summary": "something else"}},
    }
    result, _ = imported(tmp_path, document(tmp_path, paths))
    assert [d.entry["operationId"] for d in result.operations] == [
        "post.v1.edm.elsewhere",
        "edm.send.create",
    ]
    assert result.notes == [
        "POST /v1/edm/elsewhere is imported as new: its name fits edm.send.create"
    ]


def test_a_name_that_fits_two_of_ours_is_imported_as_new(tmp_path: Path) -> None:
    paths = {"/v3/privacy/list": {"post": {"summary": "查询隐私条款列表"}}}
    result, _ = imported(tmp_path, document(tmp_path, paths))
    assert result.operations[0].reference is None
    assert result.notes == [
        "POST /v3/privacy/list is imported as new: its name fits privacy.v1.list, privacy.v2.list"
    ]


def test_new_ids_are_usable_operation_ids_or_made_of_the_path(tmp_path: Path) -> None:
    paths = {
        "/v1/a/create": {"post": {"operationId": "widget.make"}},
        "/v1/b/create": {"post": {"operationId": "创建 小部件"}},
        "/v1/c/create": {"post": {"operationId": "widget.make"}},
        "/v1/d/create": {
            "post": {"operationId": "post.v1.d.create"},
            "put": {"operationId": "post.v1.d.create"},
        },
    }
    result, _ = imported(tmp_path, document(tmp_path, paths))
    assert [d.entry["operationId"] for d in result.operations] == [
        "widget.make",
        "post.v1.b.create",
        "post.v1.c.create",
        "post.v1.d.create",
        "put.v1.d.create",
    ]


def test_a_taken_derived_id_is_numbered(tmp_path: Path) -> None:
    paths = {
        "/v1/a/create": {"post": {"operationId": "post.v1.b.create"}},
        "/v1/b/create": {"post": {}},
    }
    result, _ = imported(tmp_path, document(tmp_path, paths))
    assert result.operations[1].entry["operationId"] == "post.v1.b.create.2"


def test_new_operation_in_an_unknown_group_is_grouped_by_its_tag(tmp_path: Path) -> None:
    paths = {
        "/v1/gadget/list": {"post": {"summary": "List gadgets", "tags": ["Gadgets/Old"]}},
        "/v1/gizmo/list": {"post": {}},
    }
    result, catalogue = imported(tmp_path, document(tmp_path, paths))
    gadget, gizmo = (d.entry for d in result.operations)
    assert (gadget["group"], gadget["group_zh"], gadget["name_en"]) == (
        "Gadgets",
        "Gadgets",
        "List gadgets",
    )
    assert "envelope" not in gadget
    assert (gizmo["group"], gizmo["name_en"], gizmo["name_zh"]) == (
        "Imported",
        "post.v1.gizmo.list",
        "post.v1.gizmo.list",
    )
    assert catalogue.by_id["post.v1.gizmo.list"].envelope.name == "code_int_msg"


def test_new_resource_gets_a_file_with_its_id_field(tmp_path: Path) -> None:
    result, catalogue = imported(tmp_path, DATA / "coupons.yaml")
    coupon = json.loads((tmp_path / "overlay" / "resources" / "coupon.json").read_text())
    assert coupon["x-id"] == "coupon_uuid"
    assert sorted(coupon["properties"]) == ["code", "expires", "value"]
    detail = catalogue.by_id["post.v1.coupon.detail"]
    assert (detail.kind, detail.resource, detail.envelope.name) == (
        "get",
        "coupon",
        "code_string_message",
    )
    assert detail.body_schema is not None
    assert detail.body_schema["required"] == ["coupon_uuid"]
    assert result.operations[1].notes == [
        "coupon_uuid made required: the engine finds the record by it"
    ]


def test_integer_ids_a_create_answers_make_an_integer_id_field(tmp_path: Path) -> None:
    create = {
        "requestBody": body({"name": {"type": "string"}}),
        "responses": data({"gizmo_id": {"type": "integer"}, "name": {}}),
    }
    paths = {
        "/v1/gizmo/create": {"post": create},
        "/v1/gizmo/info": {"post": {"requestBody": body({"name": {}})}},
    }
    result, _ = imported(tmp_path, document(tmp_path, paths))
    gizmo = result.resources["gizmo"]
    assert (gizmo["x-id"], gizmo["properties"]["gizmo_id"]) == (
        "gizmo_id",
        {"type": "integer", "minimum": 1},
    )
    info = result.operations[1]
    assert info.entry["kind"] == "action"
    assert info.notes == [
        "its body has no gizmo_id, the id of gizmo records",
        "so it is served as an action",
    ]


def test_a_resource_with_no_id_in_sight_is_keyed_by_uuid(tmp_path: Path) -> None:
    paths = {"/v1/gizmo/create": {"post": {"requestBody": body({"name": {}})}}}
    result, _ = imported(tmp_path, document(tmp_path, paths))
    assert result.resources["gizmo"]["x-id"] == "uuid"


def test_a_corrected_keyed_operation_without_our_id_is_noted(tmp_path: Path) -> None:
    paths = {
        "/v1/edm/task/detail": {
            "post": {"summary": "查询发送邮件详情", "requestBody": body({"task_id": {}})}
        }
    }
    result, _ = imported(tmp_path, document(tmp_path, paths))
    assert result.operations[0].notes == ["its body has no send_uuid, the id of edm_send records"]
    assert result.operations[0].entry["kind"] == "get"


def test_an_envelope_of_none_of_our_styles_keeps_ours(tmp_path: Path) -> None:
    answer = {"type": "object", "properties": {"code": {"type": "boolean"}, "data": {}}}
    responses = {"200": {"content": {"application/json": {"schema": answer}}}}
    paths = {"/v1/edm/task/create": {"post": {"summary": "创建发送邮件", "responses": responses}}}
    result, catalogue = imported(tmp_path, document(tmp_path, paths))
    assert result.operations[0].notes == ["its envelope is none of ours; it keeps code_int_msg"]
    assert catalogue.by_id["edm.send.create"].envelope.name == "code_int_msg"


def test_an_auth_header_turns_on_auth(tmp_path: Path) -> None:
    operation = {
        "summary": "获取访问Token",
        "parameters": [{"name": "Access_Token", "in": "header"}],
    }
    result, catalogue = imported(
        tmp_path, document(tmp_path, {"/v1/oauth2/token": {"post": operation}})
    )
    assert "auth none -> access_token" in result.operations[0].changes
    assert catalogue.by_id["oauth.get_token"].auth


def test_a_templated_path_is_noted(tmp_path: Path) -> None:
    result, _ = imported(tmp_path, document(tmp_path, {"/v1/gizmo/{id}": {"get": {}}}))
    assert result.operations[0].entry["kind"] == "get"
    assert result.notes == ["GET /v1/gizmo/{id}: the emulator matches paths exactly, {} included"]


def test_a_document_without_operations_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFailure, match="no operations to import"):
        import_file(document(tmp_path, {}))


def test_a_keyed_body_that_already_requires_the_id_is_left_alone(tmp_path: Path) -> None:
    keyed = {"requestBody": body({"gizmo_uuid": {"type": "string"}}, "gizmo_uuid")}
    paths = {"/v1/gizmo/create": {"post": {}}, "/v1/gizmo/remove": {"post": keyed}}
    result, _ = imported(tmp_path, document(tmp_path, paths))
    remove = result.operations[1]
    assert (remove.entry["kind"], remove.notes) == ("delete", [])
    assert remove.files["body"]["required"] == ["gizmo_uuid"]


def test_operations_without_a_chinese_name_match_by_english_name(tmp_path: Path) -> None:
    overlay = tmp_path / "ours"
    overlay.mkdir()
    entry = {
        "operationId": "gadget.list",
        "group": "Gadgets",
        "name_en": "List Gadgets",
        "method": "POST",
        "path": "/v1/gadget/list",
        "fidelity": "assumption",
        "source": "by hand",
        "resource": "tag",
        "kind": "list",
    }
    (overlay / "operations.json").write_text(json.dumps({"operations": [entry]}))
    catalogue = spec.load(spec.SCHEMAS_DIR, overlay=overlay)
    paths = {"/v2/gadgets": {"get": {"summary": "list gadgets"}}}
    result = import_file(document(tmp_path, paths), catalogue)
    assert result.operations[0].entry["operationId"] == "gadget.list"
    assert result.operations[0].changes == [
        "method POST -> GET",
        "path /v1/gadget/list -> /v2/gadgets",
    ]


def test_our_own_openapi_document_maps_every_operation_back_unchanged(tmp_path: Path) -> None:
    ours = spec.load()
    path = tmp_path / "ours.json"
    path.write_text(json.dumps(openapi.document(ours), ensure_ascii=False), encoding="utf-8")
    result = import_file(path)
    assert [d.entry["operationId"] for d in result.operations] == [op.id for op in ours.operations]
    assert {
        c for d in result.operations for c in d.changes if not c.startswith("schemas:")
    } == set()
    assert [n for d in result.operations for n in d.notes] + result.notes == []
