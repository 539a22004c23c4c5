"""Resource schemas (schemas/resources): small draft-07 objects, ids and unique fields declared."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from emulator import spec

FILES = sorted((spec.SCHEMAS_DIR / "resources").glob("*.json"))
ID_FIELDS = {"account": "jing_uuid", "lead": "jing_uuid", "company": "jing_uuid"}
ID_FIELDS |= {"user": "omni_user_uuid", "crowd": "group_id"}


def raw(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_a_resource_schema_is_a_small_closed_draft7_object(path: Path) -> None:
    schema = raw(path)
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft7Validator.check_schema(spec.schema_file(f"resources/{path.name}"))
    assert schema["$schema"] == spec.DRAFT7
    assert schema["type"] == "object"
    assert schema["title"]
    assert schema["description"]
    assert "additionalProperties" in schema
    props = schema["properties"]
    assert 2 <= len(props) <= 15
    assert 1 <= len(schema["required"]) <= 4
    assert set(schema["required"]) | set(schema.get("x-unique", [])) <= set(props)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_an_id_field_is_declared_only_when_it_is_an_integer(path: Path) -> None:
    schema = raw(path)
    id_field = schema.get("x-id", "uuid")
    declared = schema["properties"].get(id_field)
    assert declared is None or declared["type"] == "integer"


def test_platform_objects_use_the_platform_id_names() -> None:
    found = {p.stem: raw(p).get("x-id", "uuid") for p in FILES}
    assert {name: found[name] for name in ID_FIELDS} == ID_FIELDS


def test_every_resource_schema_is_used_by_an_operation() -> None:
    assert {p.stem for p in FILES} <= set(spec.load().resources)
