"""The vendor's documented pages against the catalogue: the fields a page marks required are
required in our answer schema, and the copy of the reference the tests fall back on is current."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import spec
from tests import reference

PAGES = reference.documented()


def required_paths(fields: list[dict[str, Any]], path: str = "$") -> list[tuple[str, str]]:
    """(object path, field name) for every field a page marks required, children included."""
    found = []
    for field in fields:
        if field.get("required") is True:
            found.append((path, field["name"]))
        step = "[*]" if str(field.get("type", "")).startswith("array") else ""
        found += required_paths(field.get("children") or [], f"{path}.{field['name']}{step}")
    return found


def schema_at(schema: dict[str, Any], path: str) -> dict[str, Any]:
    """The object schema at a path such as $.data[*] (properties, then items for [*])."""
    for step in path.removeprefix("$").split(".")[1:]:
        schema = schema["properties"][step.removesuffix("[*]")]
        if step.endswith("[*]"):
            schema = schema["items"]
    return schema


@pytest.mark.parametrize("page", PAGES, ids=[p["id"] for p in PAGES])
def test_fields_a_page_marks_required_are_required_in_our_answer(page: dict[str, Any]) -> None:
    schema = spec.load().by_id[page["id"]].response_schema
    missing = [
        f"{path}.{name}"
        for path, name in required_paths(page["response"]["fields"])
        if name not in schema_at(schema, path).get("required", [])
    ]
    assert missing == []


def test_every_documented_page_is_a_documented_operation() -> None:
    documented = {op.id for op in spec.load().operations if op.fidelity == "documented"}
    assert {page["id"] for page in PAGES} == documented


def test_the_copy_of_the_reference_is_current() -> None:
    found = reference.reference_file()
    if found is None:
        pytest.skip("the vendor reference (endpoints.yaml) is not at hand: set JING_REFERENCE_DIR")
    assert reference.from_copy() == reference.from_reference(found)
