"""The admin API's own OpenAPI 3.1 document (/_admin/openapi.json), from its route table."""

from __future__ import annotations

import re

from emulator import spec
from emulator.admin import ADMIN, AdminOp
from emulator.envelope import DEFAULT_STYLE
from emulator.openapi import _clean, _json
from emulator.spec import Catalogue, Json

PATH = "/_admin/openapi.json"
TOKEN = "X-Admin-Token"
SCHEME = "adminToken"
PARAMETER = re.compile(r"\{(\w+)\}")


def document(catalogue: Catalogue) -> Json:
    """Every /_admin route with its request body schema (schemas/admin/) and its envelope."""
    envelope = catalogue.envelopes[DEFAULT_STYLE]
    success = _clean(envelope.schema)
    error = _clean(catalogue.error_schema(envelope))
    paths: Json = {PATH: {"get": _self_operation()}}
    for (method, path), op in ADMIN.items():
        paths.setdefault(path, {})[method.lower()] = _operation(path, op, success, error)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jing-emulator admin API",
            "version": "1",
            "description": "The emulator's own controls: reset, apps, the virtual clock, seed "
            "data, the journal, rate-limit counters, webhooks and contract violations. Every "
            "answer is in the default envelope. Open to loopback clients; when "
            "JING_EMULATOR_ADMIN_TOKEN is set, only to callers sending it as X-Admin-Token.",
        },
        "components": {
            "securitySchemes": {SCHEME: {"type": "apiKey", "in": "header", "name": TOKEN}}
        },
        "paths": paths,
    }


def _operation(path: str, op: AdminOp, success: Json, error: Json) -> Json:
    out: Json = {
        "operationId": f"admin.{op.fn.__name__}",
        "summary": op.fn.__name__.replace("_", " "),
        "security": [{}] if op.open else [{}, {SCHEME: []}],
        "responses": {
            "200": _json("Success, in the default envelope", success),
            "default": _json("Error, in the default envelope", error),
        },
    }
    names = PARAMETER.findall(path)
    if names:
        out["parameters"] = [_path_parameter(name) for name in names]
    if op.schema is not None:
        schema = spec.schema_file(f"admin/{op.schema}.json")
        out["summary"] = schema.get("title", out["summary"])
        content = {"application/json": {"schema": _clean(schema)}}
        out["requestBody"] = {"required": bool(schema.get("required")), "content": content}
    return out


def _self_operation() -> Json:
    return {
        "operationId": "admin.openapi",
        "summary": "this document",
        "security": [{}],
        "responses": {"200": _json("The admin API's OpenAPI document", {"type": "object"})},
    }


def _path_parameter(name: str) -> Json:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
