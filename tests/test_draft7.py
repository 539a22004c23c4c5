"""OpenAPI schema objects as draft-07: refs inlined, nullable, OpenAPI-only keywords dropped."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from emulator.draft7 import Converter, SchemaError

Json = dict[str, Any]


def convert(schema: Any, **components: Any) -> Json:
    return Converter({"components": {"schemas": components}}).schema(schema)


def accepts(schema: Json, value: Any) -> bool:
    return jsonschema.Draft7Validator(schema).is_valid(value)


def test_nullable_string_becomes_a_type_list() -> None:
    assert convert({"type": "string", "nullable": True}) == {"type": ["string", "null"]}


def test_nullable_enum_also_lists_null() -> None:
    schema = convert({"type": "string", "enum": ["a", "b"], "nullable": True})
    assert schema == {"type": ["string", "null"], "enum": ["a", "b", None]}


def test_nullable_false_changes_nothing() -> None:
    assert convert({"type": "integer", "nullable": False}) == {"type": "integer"}


def test_nullable_reference_without_a_type_accepts_null_too() -> None:
    schema = convert(
        {"$ref": "#/components/schemas/Tag", "nullable": True},
        Tag={"allOf": [{"type": "object", "required": ["name"]}]},
    )
    assert accepts(schema, None)
    assert accepts(schema, {"name": "vip"})
    assert not accepts(schema, {})


def test_reference_to_components_is_inlined() -> None:
    schema = convert(
        {"type": "object", "properties": {"tag": {"$ref": "#/components/schemas/Tag"}}},
        Tag={"type": "object", "properties": {"name": {"type": "string"}}},
    )
    assert schema["properties"]["tag"] == {
        "type": "object",
        "properties": {"name": {"type": "string"}},
    }


def test_reference_siblings_apply_over_the_target() -> None:
    schema = convert(
        {"$ref": "#/components/schemas/Code", "description": "the coupon code"},
        Code={"type": "string", "description": "a code"},
    )
    assert schema == {"type": "string", "description": "the coupon code"}


def test_recursive_reference_is_cut_after_one_level() -> None:
    node = {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}}}
    schema = convert({"$ref": "#/components/schemas/Node"}, Node=node)
    child = schema["properties"]["child"]
    assert child == {
        "description": "Recursive reference to #/components/schemas/Node, not expanded."
    }


def test_escaped_pointer_segments_are_followed() -> None:
    schema = convert({"$ref": "#/components/schemas/a~1b%20c"}, **{"a/b c": {"type": "boolean"}})
    assert schema == {"type": "boolean"}


def test_reference_outside_the_document_is_refused() -> None:
    with pytest.raises(SchemaError, match="only references inside the document"):
        convert({"$ref": "common.yaml#/components/schemas/Tag"})


def test_dangling_reference_is_refused() -> None:
    with pytest.raises(SchemaError, match="points nowhere"):
        convert({"$ref": "#/components/schemas/Missing"})


def test_extensions_and_openapi_only_keywords_go_descriptions_stay() -> None:
    schema = convert(
        {
            "type": "string",
            "title": "Name",
            "description": "the customer's name",
            "x-apifox-mock": "@cname",
            "mock": {"mock": "@cname"},
            "example": "张三",
            "examples": ["张三"],
            "readOnly": True,
            "writeOnly": False,
            "deprecated": True,
            "xml": {"name": "name"},
            "discriminator": {"propertyName": "kind"},
        }
    )
    assert schema == {"type": "string", "title": "Name", "description": "the customer's name"}


def test_openapi_3_0_exclusive_minimum_flag_becomes_a_bound() -> None:
    schema = convert({"type": "integer", "minimum": 5, "exclusiveMinimum": True})
    assert not accepts(schema, 5)
    assert accepts(schema, 6)


def test_false_exclusive_flag_is_dropped_and_3_1_numbers_are_kept() -> None:
    schema = convert({"type": "number", "maximum": 9, "exclusiveMaximum": False})
    assert schema == {"type": "number", "maximum": 9}
    assert convert({"type": "number", "exclusiveMaximum": 9}) == {
        "type": "number",
        "exclusiveMaximum": 9,
    }


def test_openapi_formats_go_draft7_formats_stay() -> None:
    assert convert({"type": "integer", "format": "int64"}) == {"type": "integer"}
    assert convert({"type": "string", "format": "binary"}) == {"type": "string"}
    assert convert({"type": "string", "format": "date-time"}) == {
        "type": "string",
        "format": "date-time",
    }


def test_openapi_3_1_type_lists_are_kept() -> None:
    assert convert({"type": ["string", "null"]}) == {"type": ["string", "null"]}


def test_unknown_types_and_malformed_required_are_dropped() -> None:
    assert convert({"type": "file", "required": True}) == {}


def test_subschemas_of_every_keyword_are_converted() -> None:
    def every_keyword(sub: Json) -> Json:
        return {
            "items": [sub, sub],
            "additionalProperties": sub,
            "patternProperties": {"^x": sub},
            "oneOf": [sub],
            "not": sub,
            "if": sub,
            "then": sub,
            "else": True,
        }

    inner = {"type": "string", "x-apifox-orders": []}
    assert convert(every_keyword(inner)) == every_keyword({"type": "string"})


def test_a_keyword_that_is_not_valid_draft7_names_where() -> None:
    with pytest.raises(SchemaError, match="at /properties/a/maxLength"):
        convert({"type": "object", "properties": {"a": {"type": "string", "maxLength": "ten"}}})


def test_a_schema_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(SchemaError, match="expected a schema object, found str"):
        convert({"properties": {"a": "string"}})


def test_top_level_boolean_schemas_become_objects() -> None:
    assert convert(True) == {}
    assert not accepts(convert(False), None)


def test_resolve_follows_a_chain_of_references() -> None:
    document = {
        "components": {
            "parameters": {"Token": {"$ref": "#/components/parameters/Real"}, "Real": {"in": "x"}}
        }
    }
    assert Converter(document).resolve({"$ref": "#/components/parameters/Token"}) == {"in": "x"}


def test_resolve_refuses_a_reference_cycle() -> None:
    document = {"components": {"parameters": {"A": {"$ref": "#/components/parameters/A"}}}}
    with pytest.raises(SchemaError, match="cycle"):
        Converter(document).resolve({"$ref": "#/components/parameters/A"})


def test_resolve_follows_list_indexes() -> None:
    document = {"servers": [{"url": "/a"}, {"url": "/b"}]}
    assert Converter(document).resolve({"$ref": "#/servers/1"}) == {"url": "/b"}
