"""The OpenAPI 3.1 document, derived from the catalogue once at start-up."""

from __future__ import annotations

from typing import Any

from emulator import spec
from emulator.spec import Catalogue, Json, Operation

BASE_URL = "https://jingopenapi.jingsocial.com"


def document(catalogue: Catalogue) -> Json:
    """Every operation with its schemas, fidelity (x-fidelity) and rate limits (x-rate-limit)."""
    paths: Json = {}
    for op in catalogue.operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, catalogue)
    groups = dict.fromkeys(op.entry["group"] for op in catalogue.operations)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "JINGdigital Open Platform API (jing-emulator)",
            "version": "1",
            "description": "Served by jing-emulator. x-fidelity tells, per operation, whether "
            "it is documented by the vendor or inferred.",
        },
        "servers": [{"url": BASE_URL}],
        "tags": [{"name": g} for g in groups],
        "paths": paths,
    }


def _operation(op: Operation, catalogue: Catalogue) -> Json:
    entry = op.entry
    error = _clean(catalogue.error_schema(op.envelope))
    out: Json = {
        "operationId": op.id,
        "summary": entry["name_en"],
        "tags": [entry["group"]],
        "description": f"{entry.get('name_zh', '')}. {op.source}",
        "x-fidelity": op.fidelity,
        "x-envelope": op.envelope.name,
        "x-rate-limit": [{"max": w.max, "per_seconds": w.per_seconds} for w in op.rate_limit],
        "parameters": _parameters(op),
        "responses": {
            "200": _json(
                "Success, or a business error named by code",
                {"anyOf": [_clean(op.response_schema), error]},
            ),
            "default": _json("Error (auth, rate limit, routing, body)", error),
        },
    }
    if op.batch:
        out["x-batch"] = op.batch
    if op.body_schema is not None:
        content = {"application/json": {"schema": _clean(op.body_schema)}}
        out["requestBody"] = {"required": True, "content": content}
    return out


def _parameters(op: Operation) -> list[Json]:
    params = []
    if op.auth:
        headers = spec.schema_file("common/auth_headers.json")
        for name, schema in headers["properties"].items():
            params.append({"name": name, "in": "header", "required": True, "schema": schema})
    query = op.query_schema or {}
    for name, schema in query.get("properties", {}).items():
        required = name in query.get("required", [])
        params.append({"name": name, "in": "query", "required": required, "schema": schema})
    return params


def _json(description: str, schema: Json) -> Json:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _clean(schema: Json) -> Any:
    return {k: v for k, v in schema.items() if k != "$schema"}
