"""The catalogue's conventions: how a compact entry gets its path, envelope and schemas.

An operation known only by name is written down as its reference id, names, method, resource and
kind. Everything else follows from `schemas/conventions.json` and the resource's schema, by the
rules here (docs/ASSUMPTIONS.md, Inferred operations, says them in prose).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]

ENGINE_KINDS = (
    "create",
    "batch_create",
    "get",
    "query",
    "list",
    "update",
    "batch_update",
    "delete",
    "batch_delete",
    "action",
)
KINDS = (*ENGINE_KINDS, "batch_upsert")  # batch_upsert: users only, served by its domain
SCALARS = {"string", "integer", "number", "boolean"}
VERSION = re.compile(r"^v[0-9]+$")  # a path segment or id part naming the API version


@dataclass(frozen=True, slots=True)
class Resource:
    """A kind of record the engine stores: its writable fields and how its ids look."""

    name: str
    id_field: str
    integer_id: bool
    unique: tuple[str, ...]
    schema: Json

    def id_schema(self) -> Json:
        """The schema of this resource's ids."""
        if self.integer_id:
            return {"type": "integer", "minimum": 1}
        return {"type": "string", "pattern": "^[0-9A-Za-z]{22}$"}

    def writable(self) -> Json:
        """The fields a client writes: not the engine-assigned id, nor fields marked readOnly."""
        props = {
            k: v
            for k, v in self.schema.get("properties", {}).items()
            if k != self.id_field and not v.get("readOnly")
        }
        return {**self.schema, "properties": props}


def resource(name: str, schema: Json, default_id: str) -> Resource:
    """A resource from its schema file: `x-id` names the id field, `x-unique` unique fields."""
    id_field = str(schema.get("x-id", default_id))
    declared = schema.get("properties", {}).get(id_field, {})
    return Resource(
        name=name,
        id_field=id_field,
        integer_id=declared.get("type") == "integer",
        unique=tuple(schema.get("x-unique", ())),
        schema=schema,
    )


def complete(entry: Json, conventions: Json) -> Json:
    """The entry with every field it leaves out filled in by the conventions."""
    defaults = conventions.get("defaults", {})
    prefix = conventions.get("prefixes", {}).get(entry["operationId"].split(".")[0], {})
    filled = {k: v for k, v in defaults.items() if k != "id_field"}
    filled["envelope"] = prefix.get("envelope", defaults.get("envelope"))
    filled["path"] = infer_path(entry["operationId"], prefix.get("path"))
    return {**filled, **entry}


def infer_path(op_id: str, prefix: str | None) -> str:
    """`edm.send.create` -> /v1/edm/send/create; `privacy.v2.auth_record.create` -> /v2/privacy/...

    The first segment is the resource noun (or the prefix the conventions give it); snake_case
    segments become camelCase as in the documented paths (importByUuids, userStatus).
    """
    first, *rest = op_id.split(".")
    version = next((s for s in rest if VERSION.match(s)), "v1")
    head = prefix or f"/{version}/{_camel(first)}"
    if prefix and version != "v1":
        head = re.sub(r"^/v[0-9]+", f"/{version}", prefix)
    return "/".join([head, *(_camel(s) for s in rest if not VERSION.match(s))])


def _camel(segment: str) -> str:
    head, *tail = segment.split("_")
    return head + "".join(word.capitalize() for word in tail)


def derive(kind: str, res: Resource, parts: Json, batch: Json) -> tuple[Json, Json]:
    """The request body schema and the answer's data schema of an engine kind; `batch` gives
    the most items of a batch and that limit's origin (an assumption unless it says otherwise)."""
    record = _record(res, parts["record_meta"])
    if kind in ("create", "action"):
        return res.writable(), record
    if kind in ("get", "delete"):
        key = _key(res)
        return {**key, "additionalProperties": False}, record if kind == "get" else key
    if kind == "update":
        return _update_body(res), record
    if kind in ("list", "query"):
        return _page_body(res, parts["page_request"]), _page_data(parts["page_data"], record)
    return _batch_body(kind, res, batch), _batch_data(parts["batch_data"], res)


def _key(res: Resource) -> Json:
    """An object holding only the record's id."""
    return {
        "type": "object",
        "required": [res.id_field],
        "properties": {res.id_field: res.id_schema()},
    }


def _batch_body(kind: str, res: Resource, batch: Json) -> Json:
    """A `list` of 1 to max_items records to create, updates, or ids to delete."""
    items = {
        "batch_create": res.writable(),
        "batch_update": _update_body(res),
        "batch_delete": res.id_schema(),
    }[kind]
    listed = {"type": "array", "minItems": 1, "maxItems": batch.get("max_items", 100)}
    if batch.get("origin", "assumption") == "assumption":
        listed["x-assumed"] = ["maxItems"]
    listed["items"] = items
    return {
        "type": "object",
        "required": ["list"],
        "additionalProperties": False,
        "properties": {"list": listed},
    }


def _record(res: Resource, meta: Json) -> Json:
    own = {k: v for k, v in res.schema.get("properties", {}).items() if k != res.id_field}
    props = {res.id_field: res.id_schema(), **own, **meta["properties"]}
    required = [res.id_field, *res.schema.get("required", []), *meta["required"]]
    return {"type": "object", "required": required, "properties": props}


def _update_body(res: Resource) -> Json:
    """The id and any writable field; fields beyond them only where the resource takes them."""
    props = {res.id_field: res.id_schema(), **res.writable()["properties"]}
    extra = res.schema.get("additionalProperties", False)
    return {
        "type": "object",
        "required": [res.id_field],
        "additionalProperties": extra,
        "properties": props,
    }


def _page_body(res: Resource, page: Json) -> Json:
    filters = {k: v for k, v in res.writable()["properties"].items() if _scalar(v)}
    props = {**filters, **page["properties"]}
    return {"type": "object", "additionalProperties": False, "properties": props}


def _page_data(page: Json, record: Json) -> Json:
    props = {**page["properties"], "list": {"type": "array", "items": record}}
    return {**page, "properties": props}


def _batch_data(batch: Json, res: Resource) -> Json:
    success = batch["properties"]["success"]
    item = success["items"]
    item = {
        **item,
        "required": [*item["required"], res.id_field],
        "properties": {**item["properties"], res.id_field: res.id_schema()},
    }
    return {**batch, "properties": {**batch["properties"], "success": {**success, "items": item}}}


def _scalar(schema: Json) -> bool:
    kinds = types(schema)
    return "enum" in schema or (bool(kinds) and set(kinds) <= SCALARS)


def types(schema: Any) -> list[str]:
    """The types a schema names (an object schema may leave `type` out)."""
    if not isinstance(schema, dict):
        return []
    kinds = schema.get("type")
    if kinds is None:
        return ["object"] if "properties" in schema else []
    return list(kinds) if isinstance(kinds, list) else [str(kinds)]
