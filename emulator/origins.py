"""Where a request rule comes from: the keywords a subschema lists in `x-assumed` are the
emulator's own (no vendor page states them); every other rule has its operation's fidelity."""

from __future__ import annotations

from typing import Any

from emulator.spec import Json, Operation

ASSUMED = "x-assumed"
ASSUMPTION = "assumption"
# Keywords whose value is one subschema, or a list of them, or a map of names to them.
ONE = ("items", "additionalProperties", "additionalItems", "not", "if", "then", "else")
MANY = ("anyOf", "allOf", "oneOf")
NAMED = ("properties", "patternProperties", "definitions")
STEP = {"items": "[*]", "additionalItems": "[*]", "additionalProperties": ".*"}
Rule = tuple[str, str, str]  # (body | query, JSON path, keyword)


def relaxed(schema: Json | None) -> Json | None:
    """The schema without its assumed keywords, or None when it has none (nothing to relax)."""
    if schema is None or not assumed_in(schema):
        return None
    result: Json = _relax(schema)
    return result


def _relax(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    dropped = set(schema.get(ASSUMED, ())) | {ASSUMED}
    out = {k: v for k, v in schema.items() if k not in dropped}
    for key in ONE:
        if key in out:
            out[key] = _relax(out[key])
    for key in MANY:
        if key in out:
            out[key] = [_relax(part) for part in out[key]]
    for key in NAMED:
        if key in out:
            out[key] = {name: _relax(part) for name, part in out[key].items()}
    return out


def assumed_in(schema: Json | None, path: str = "$") -> list[tuple[str, str]]:
    """(JSON path, keyword) of every assumed rule of a schema, in schema order."""
    if not isinstance(schema, dict):
        return []
    found = [(path, str(keyword)) for keyword in schema.get(ASSUMED, ())]
    for key in ONE:
        found += assumed_in(schema.get(key), path + STEP.get(key, ""))
    for key in MANY:
        for part in schema.get(key, ()):
            found += assumed_in(part, path)
    for name, part in schema.get("properties", {}).items():
        found += assumed_in(part, f"{path}.{name}")
    return found


def assumed_rules(op: Operation) -> list[Rule]:
    """The operation's assumed rules: (body or query, JSON path, keyword)."""
    parts = {"body": op.body_schema, "query": op.query_schema}
    return [(part, path, kw) for part, schema in parts.items() for path, kw in assumed_in(schema)]


def origin(schema: Any, keyword: str, fidelity: str) -> str:
    """The origin of the rule `keyword` of a subschema: assumption if it lists it, else the
    fidelity of its operation (documented: a vendor page states it; inferred: conventions)."""
    marked = isinstance(schema, dict) and keyword in schema.get(ASSUMED, ())
    return ASSUMPTION if marked else fidelity


def batch_origin(op: Operation) -> str | None:
    """Where the operation's batch rules come from (None: it has none)."""
    if not op.batch:
        return None
    return str(op.batch.get("origin", op.fidelity))
