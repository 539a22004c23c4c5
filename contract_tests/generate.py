"""Strategies for JSON Schemas: plain objects and arrays are composed here, every other schema is
left to hypothesis-jsonschema, so each part is built once instead of at every draw."""

from __future__ import annotations

from typing import Any, cast

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from emulator.spec import Json

# Keywords that say nothing about valid values.
ANNOTATIONS = frozenset({"title", "description", "$schema", "$comment", "examples", "default"})
OBJECT_KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties"})
SIZE_KEYWORDS = frozenset({"minProperties", "maxProperties"})
ARRAY_KEYWORDS = frozenset({"type", "items", "minItems", "maxItems"})
EXTRA_KEYS = 3  # unknown keys drawn into an open object, at most
Strategy = st.SearchStrategy[Any]
# Any JSON value, kept small: free-form values are drawn often (open objects, untyped data).
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
ANY_JSON: Strategy = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


def strategy(schema: Json) -> Strategy:
    """Values valid under a draft-07 schema (refs already inlined)."""
    if not _meaningful(schema):
        return ANY_JSON
    if _plain(schema, "object", OBJECT_KEYWORDS | _sizes(schema)) and _declared(schema):
        return _object(schema)
    if _plain(schema, "array", ARRAY_KEYWORDS) and isinstance(schema.get("items"), dict):
        return st.lists(
            strategy(schema["items"]),
            min_size=schema.get("minItems", 0),
            max_size=schema.get("maxItems"),
        )
    return cast(Strategy, from_schema(schema))


def _meaningful(schema: Json) -> set[str]:
    return {k for k in schema if k not in ANNOTATIONS and not k.startswith("x-")}


def _plain(schema: Json, kind: str, keywords: frozenset[str]) -> bool:
    return schema.get("type") == kind and _meaningful(schema) <= keywords


def _sizes(schema: Json) -> frozenset[str]:
    """Size limits are composed here only for objects without named properties."""
    return frozenset() if schema.get("properties") or schema.get("required") else SIZE_KEYWORDS


def _declared(schema: Json) -> bool:
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    return set(schema.get("required", [])) <= set(properties) and isinstance(extra, bool | dict)


def _object(schema: Json) -> Strategy:
    properties: Json = schema.get("properties", {})
    required = set(schema.get("required", []))
    fixed = st.fixed_dictionaries(
        {k: strategy(v) for k, v in properties.items() if k in required},
        optional={k: strategy(v) for k, v in properties.items() if k not in required},
    )
    extra = schema.get("additionalProperties", True)
    if extra is False:
        return fixed
    values = strategy(extra) if isinstance(extra, dict) else ANY_JSON
    keys = st.text().filter(lambda key: key not in properties)
    most = schema.get("maxProperties", EXTRA_KEYS if properties else None)
    extras = st.dictionaries(keys, values, min_size=schema.get("minProperties", 0), max_size=most)
    return st.tuples(fixed, extras).map(lambda pair: {**pair[1], **pair[0]})
