"""Reading OpenAPI 3.0/3.1 documents (JSON, YAML, Apifox exports) into operations."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from emulator import spec
from emulator.apidoc import ImportFailure, Source, read_document, sources

DATA = Path(__file__).parent / "data" / "openapi"
Json = dict[str, Any]


def read(paths: Json, **extra: Any) -> tuple[list[Source], list[str]]:
    return sources({"openapi": "3.0.3", "paths": paths, **extra}, spec.load())


def read_file(name: str) -> tuple[list[Source], list[str]]:
    return sources(read_document(DATA / name), spec.load())


def one(operation: Json, path: str = "/v1/thing/create", method: str = "post") -> Source:
    found, _ = read({path: {method: operation}})
    return found[0]


def answer(schema: Json, code: str = "200") -> Json:
    return {code: {"content": {"application/json": {"schema": schema}}}}


def envelope(**props: Any) -> Json:
    return {"type": "object", "properties": {**props, "data": {"type": "object"}}}


def keys_of(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node).union(*(keys_of(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(keys_of(v) for v in node))
    return set()


def test_apifox_export_reads_without_its_extensions() -> None:
    found, notes = read_file("apifox_edm.json")
    assert [(s.method, s.path) for s in found] == [
        ("POST", "/v1/edm/task/create"),
        ("POST", "/v1/edm/task/search"),
    ]
    assert notes == []
    assert not [k for k in keys_of([s.schemas for s in found]) if k.startswith("x-")]
    assert "example" not in keys_of([s.schemas for s in found])


def test_apifox_answer_envelope_is_recognised_as_ours() -> None:
    create = read_file("apifox_edm.json")[0][0]
    assert (create.summary, create.tag, create.auth) == ("创建发送邮件", "邮件管理", True)
    assert create.envelope == "code_int_msg"
    assert create.schemas["data"]["required"] == ["send_uuid", "name", "status"]


def test_nullable_fields_of_an_openapi_3_0_export_accept_null() -> None:
    create = read_file("apifox_edm.json")[0][0]
    assert create.schemas["body"]["properties"]["content"]["type"] == ["string", "null"]


def test_yaml_document_is_read_with_its_server_path() -> None:
    found, _ = read_file("coupons.yaml")
    assert [s.path for s in found] == ["/v1/coupon/create", "/v1/coupon/detail"]
    assert found[0].envelope == "code_string_message"
    assert found[0].schemas["body"]["properties"]["expires"] == {
        "type": ["string", "null"],
        "format": "date",
    }


def test_query_parameters_are_checked_as_the_text_they_arrive_as() -> None:
    detail = read_file("coupons.yaml")[0][1]
    assert detail.schemas["query"] == {
        "type": "object",
        "properties": {
            "lang": {"enum": ["zh", "en"]},
            "verbose": {"enum": ["true", "false"]},
            "limit": {"type": "string", "pattern": "^-?[0-9]+$"},
        },
        "required": ["lang"],
    }


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "number", "description": "d"}, {"description": "d", "type": "string"}),
        ({"type": "integer", "enum": [1, 2]}, {"enum": ["1", "2"]}),
        ({"type": "string", "nullable": True, "minLength": 2}, {"type": "string", "minLength": 2}),
        ({"type": "array", "items": {"type": "string"}}, {"type": "string"}),
    ],
)
def test_query_parameter_types_become_text(schema: Json, expected: Json) -> None:
    source = one({"parameters": [{"name": "q", "in": "query", "schema": schema}]})
    found = source.schemas["query"]["properties"]["q"]
    if schema["type"] == "number":
        assert found.pop("pattern") == r"^-?[0-9]+(\.[0-9]+)?$"
    assert found == expected


def test_referenced_parameters_and_bodies_are_followed() -> None:
    components = {
        "parameters": {"Token": {"name": "access_token", "in": "header"}},
        "requestBodies": {
            "Thing": {"content": {"application/json": {"schema": {"type": "array"}}}}
        },
    }
    operation = {
        "parameters": [{"$ref": "#/components/parameters/Token"}, "not a parameter"],
        "requestBody": {"$ref": "#/components/requestBodies/Thing"},
    }
    found, _ = read({"/v1/thing/create": {"post": operation}}, components=components)
    assert found[0].auth
    assert found[0].schemas == {"body": {"type": "array"}}


def test_path_level_parameters_apply_to_each_operation() -> None:
    item = {"parameters": [{"name": "app_id", "in": "header"}], "post": {}, "put": {}}
    found, _ = read({"/v1/thing/create": item})
    assert [(s.method, s.auth) for s in found] == [("POST", True), ("PUT", True)]


def test_no_auth_header_means_no_auth_claim() -> None:
    assert not one({"parameters": [{"name": "app_id", "in": "query"}]}).auth


def test_answer_without_envelope_is_the_data_itself() -> None:
    source = one({"responses": answer({"type": "array", "items": {"type": "string"}})})
    assert source.schemas["data"] == {"type": "array", "items": {"type": "string"}}
    assert (source.envelope, source.wrapped) == (None, False)


def test_envelope_matching_none_of_ours_is_flagged() -> None:
    schema = envelope(code={"type": "integer"}, message={"type": "string"})
    source = one({"responses": answer(schema)})
    assert (source.envelope, source.wrapped) == (None, True)
    assert source.schemas["data"] == {"type": "object"}


@pytest.mark.parametrize(
    ("props", "style"),
    [
        ({"code": {"type": "string"}, "msg": {}, "request_id": {}}, "code_string_msg"),
        (
            {"code": {"type": "integer"}, "msg": {}, "request_id": {}, "timestamp": {}},
            "code_int_msg_timestamp",
        ),
        (
            {"code": {"type": "number"}, "msg": {}, "message": {}, "timestamp": {}},
            "code_int_message_msg",
        ),
        ({"code": {}, "msg": {}, "request_id": {}}, None),
    ],
)
def test_envelope_style_is_told_by_code_type_and_keys(props: Json, style: str | None) -> None:
    assert one({"responses": answer(envelope(**props))}).envelope == style


def test_envelope_spread_over_all_of_is_recognised() -> None:
    base = {
        "type": "object",
        "properties": {"code": {"type": "string"}, "msg": {}, "request_id": {}},
    }
    schema = {"allOf": [base, {"properties": {"data": {"type": "integer"}}}]}
    source = one({"responses": answer(schema)})
    assert (source.envelope, source.schemas["data"]) == ("code_string_msg", {"type": "integer"})


@pytest.mark.parametrize(
    ("responses", "data"),
    [
        (
            {**answer({"type": "integer"}, "201"), **answer({"type": "string"}, "default")},
            "integer",
        ),
        ({**answer({"type": "boolean"}, "204"), **answer({"type": "string"}, "400")}, "boolean"),
        (answer({"type": "string"}, "default"), "string"),
    ],
)
def test_the_success_answer_is_chosen(responses: Json, data: str) -> None:
    assert one({"responses": responses}).schemas["data"] == {"type": data}


@pytest.mark.parametrize(
    "responses",
    [
        "none",
        answer({"type": "string"}, "404"),
        {"200": {"description": "no content"}},
        {"200": {"content": {"application/json": {}}}},
    ],
)
def test_no_success_schema_means_no_data_schema(responses: Any) -> None:
    assert "data" not in one({"responses": responses}).schemas


def test_a_json_media_type_is_preferred_over_others() -> None:
    content = {
        "text/plain": {"schema": {"type": "string"}},
        "application/vnd.jing+json": {"schema": {"type": "object"}},
    }
    assert one({"responses": {"200": {"content": content}}}).schemas["data"] == {"type": "object"}


def test_without_json_the_first_media_type_is_used() -> None:
    body = {"content": {"multipart/form-data": {"schema": {"type": "object"}}}}
    assert one({"requestBody": body}).schemas["body"] == {"type": "object"}


def test_unserved_methods_and_broken_path_items_are_noted() -> None:
    found, notes = read({"/v1/a": {"head": {}, "summary": "x"}, "v1/b": {}, "/v1/c": "x"})
    assert found == []
    assert notes == [
        "skipped HEAD /v1/a: the emulator serves GET, POST, PUT, PATCH, DELETE",
        "skipped v1/b: not a path item",
        "skipped /v1/c: not a path item",
    ]


@pytest.mark.parametrize(
    ("servers", "path"),
    [
        ([{"url": "https://jingopenapi.jingsocial.com/api/"}], "/api/x"),
        ([{"url": "https://{env}.jingsocial.com/{base}"}], "/x"),
        ([{"url": "/v2"}], "/v2/x"),
        ([{"url": "relative"}], "/x"),
        ([], "/x"),
    ],
)
def test_a_server_path_prefixes_every_path(servers: list[Json], path: str) -> None:
    found, _ = read({"/x": {"get": {}}}, servers=servers)
    assert found[0].path == path


def test_a_schema_the_import_cannot_use_names_the_operation() -> None:
    body = {"content": {"application/json": {"schema": {"$ref": "other.json#/Thing"}}}}
    with pytest.raises(ImportFailure, match=r"POST /v1/thing/create body: \$ref 'other.json"):
        one({"requestBody": body})


def test_a_broken_parameter_reference_names_the_operation() -> None:
    with pytest.raises(ImportFailure, match=r"GET /v1/x: .* points nowhere"):
        one({"parameters": [{"$ref": "#/components/parameters/Nope"}]}, "/v1/x", "get")


def write(tmp_path: Path, text: str | bytes, name: str = "doc.json") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"swagger": "2.0", "paths": {}}',
            r"not an OpenAPI 3.0 or 3.1 document \(openapi '2.0'\)",
        ),
        ('{"openapi": "4.0.0", "paths": {}}', r"\(openapi '4.0.0'\)"),
        ('{"info": {}}', r"\(no openapi field\)"),
        ('{"openapi": "3.1.0", "paths": []}', "needs a paths object"),
        ("[1, 2]", "its top level is not an object"),
        ("just words", "its top level is not an object"),
        ("{ not: [valid", "neither JSON nor YAML"),
        (b"\xff\xfe\x00garbage", "cannot read it"),
    ],
)
def test_a_file_that_is_not_openapi_3_is_refused(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    with pytest.raises(ImportFailure, match=message):
        read_document(write(tmp_path, content))


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFailure, match="cannot read it"):
        read_document(tmp_path / "nope.json")


def test_yaml_without_pyyaml_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(ImportFailure, match=r"reading YAML needs pyyaml \(pip install pyyaml\)"):
        read_document(DATA / "coupons.yaml")
    document = {"openapi": "3.0.0", "paths": {}}
    assert read_document(write(tmp_path, json.dumps(document))) == document


def test_a_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = write(tmp_path, '\ufeff{"openapi": "3.0.0", "paths": {}}')
    assert read_document(path)["openapi"] == "3.0.0"


def test_yaml_dates_become_text(tmp_path: Path) -> None:
    text = "openapi: 3.1.0\npaths: {}\ninfo: {released: 2026-01-01}\n"
    assert read_document(write(tmp_path, text, "doc.yaml"))["info"] == {"released": "2026-01-01"}
