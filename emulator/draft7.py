"""OpenAPI 3.0/3.1 schema objects as standalone draft-07 JSON Schemas, refs inlined."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import jsonschema

from emulator.conventions import Json

# Draft-07 validation and annotation keywords kept as they are; anything else (x- extensions,
# discriminator, xml, readOnly, writeOnly, deprecated, example(s), Apifox's mock) is dropped.
PLAIN = frozenset(
    {
        "title",
        "description",
        "default",
        "$comment",
        "enum",
        "const",
        "multipleOf",
        "maximum",
        "minimum",
        "maxLength",
        "minLength",
        "pattern",
        "maxItems",
        "minItems",
        "uniqueItems",
        "maxProperties",
        "minProperties",
        "contentMediaType",
        "contentEncoding",
    }
)
ONE = ("items", "additionalItems", "additionalProperties", "contains", "propertyNames", "not")
ONE_MORE = ("if", "then", "else")
MANY = ("allOf", "anyOf", "oneOf")
MAPS = ("properties", "patternProperties")
TYPES = frozenset({"string", "integer", "number", "boolean", "object", "array", "null"})
# Formats draft-07 defines; OpenAPI's own (int32, int64, float, double, byte, binary, password)
# are not assertions there, and some generators refuse them, so they go.
FORMATS = frozenset(
    {
        "date-time",
        "date",
        "time",
        "email",
        "idn-email",
        "hostname",
        "idn-hostname",
        "ipv4",
        "ipv6",
        "uri",
        "uri-reference",
        "iri",
        "iri-reference",
        "uri-template",
        "json-pointer",
        "relative-json-pointer",
        "regex",
    }
)


class SchemaError(ValueError):
    """A schema the import cannot use: a reference outside the document, or not a schema."""


class Converter:
    """Converts the schemas of one OpenAPI document, following its local references."""

    def __init__(self, document: Json) -> None:
        self.document = document

    def schema(self, node: Any) -> Json:
        """A standalone draft-07 schema (without $schema) for an OpenAPI schema object."""
        converted = self._convert(node, ())
        result: Json = (
            converted if isinstance(converted, dict) else {} if converted else {"not": {}}
        )
        try:
            jsonschema.Draft7Validator.check_schema(result)
        except jsonschema.SchemaError as exc:
            where = "".join(f"/{p}" for p in exc.path) or "/"
            raise SchemaError(f"not a valid schema at {where}: {exc.message}") from None
        return result

    def resolve(self, node: Any) -> Any:
        """A parameter, request body or response object, its $ref followed."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            if node["$ref"] in seen:
                raise SchemaError(f"$ref cycle through {node['$ref']!r}")
            seen.add(node["$ref"])
            node = self._target(node["$ref"])
        return node

    def _target(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise SchemaError(f"$ref {ref!r}: only references inside the document are supported")
        node: Any = self.document
        for raw in filter(None, ref[1:].split("/")):
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                raise SchemaError(f"$ref {ref!r} points nowhere")
        return node

    def _convert(self, node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            raise SchemaError(f"expected a schema object, found {type(node).__name__}")
        if isinstance(node.get("$ref"), str):
            return self._follow(node, seen)
        out = {k: v for k, v in node.items() if k in PLAIN}
        out.update(self._subschemas(node, seen))
        out.update(_checked(node))
        out = {k: out[k] for k in node if k in out}  # the document's order
        return _nullable(out) if node.get("nullable") is True else out

    def _follow(self, node: Json, seen: tuple[str, ...]) -> Any:
        """A reference inlined; its siblings (description, nullable) apply on top."""
        ref = node["$ref"]
        if ref in seen:  # draft-07 generators cannot take recursion: the loop is cut
            return {"description": f"Recursive reference to {ref}, not expanded."}
        target = self._target(ref)
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        merged = {**target, **siblings} if isinstance(target, dict) else target
        return self._convert(merged, (*seen, ref))

    def _subschemas(self, node: Json, seen: tuple[str, ...]) -> Json:
        out: Json = {}
        for key in (*ONE, *ONE_MORE):
            value = node.get(key)
            if isinstance(value, dict | bool) or (key == "items" and isinstance(value, list)):
                out[key] = self._each(value, seen)
        for key in MANY:
            if isinstance(node.get(key), list):
                out[key] = [self._convert(item, seen) for item in node[key]]
        for key in MAPS:
            if isinstance(node.get(key), dict):
                out[key] = {name: self._convert(s, seen) for name, s in node[key].items()}
        return out

    def _each(self, value: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(value, list):
            return [self._convert(item, seen) for item in value]
        return self._convert(value, seen)


def _checked(node: Json) -> Json:
    """The keywords OpenAPI spells differently from draft-07, in draft-07's spelling."""
    out: Json = {}
    kinds = node.get("type")
    if isinstance(kinds, str) and kinds in TYPES:
        out["type"] = kinds
    elif isinstance(kinds, list) and kinds and set(kinds) <= TYPES:
        out["type"] = list(dict.fromkeys(kinds))
    required = node.get("required")
    if isinstance(required, list) and all(isinstance(r, str) for r in required):
        out["required"] = list(dict.fromkeys(required))
    if node.get("format") in FORMATS:
        out["format"] = node["format"]
    return {**out, **_bounds(node)}


def _bounds(node: Json) -> Json:
    out: Json = {}
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = node.get(bound)
        if value is True and plain in node:  # OpenAPI 3.0: a flag on minimum (kept: same bound)
            out[bound] = node[plain]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[bound] = value
    return out


def _nullable(schema: Json) -> Json:
    """OpenAPI 3.0's `nullable: true` as draft-07 says it: null joins the types (and enum)."""
    kinds = schema.get("type")
    if kinds is None:
        return {"anyOf": [schema, {"type": "null"}]} if schema else schema
    listed = kinds if isinstance(kinds, list) else [kinds]
    out = {**schema, "type": listed if "null" in listed else [*listed, "null"]}
    if isinstance(out.get("enum"), list) and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out
