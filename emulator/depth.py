"""Nesting depth: the most containers a body may nest, checked without recursing."""

from __future__ import annotations

import math
from typing import Any

from emulator.envelope import ApiError

# Ours: explaining a body nested near the parser's own limit (1024) runs out of Python's stack,
# and the answers could not carry one nested past 255. No operation's schema accepts even 6.
MAX_DEPTH = 64


def check_depth(key: str, value: Any) -> None:
    """Raise the error `key` naming the first container nested deeper than MAX_DEPTH, if any."""
    path = too_deep(value)
    if path is not None:
        reason = f"nested deeper than {MAX_DEPTH} levels, the most a body may be"
        raise ApiError(key, path=path, reason=reason)


def too_deep(value: Any) -> str | None:
    """The JSON path of the first container deeper than MAX_DEPTH, found with a stack of its
    own (a walk that recursed would meet Python's limit first); None if none is."""
    stack: list[tuple[Any, str, int]] = [(value, "$", 1)] if isinstance(value, dict | list) else []
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            return path
        pairs = node.items() if isinstance(node, dict) else enumerate(node)
        inner = [(v, _step(path, k), depth + 1) for k, v in pairs if isinstance(v, dict | list)]
        stack.extend(reversed(inner))
    return None


def _step(path: str, key: str | int) -> str:
    """One step down a JSON path, spelled as jsonschema's json_path spells it."""
    return f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"


def depth_bound(schema: Any) -> float:
    """The deepest nesting an instance the schema accepts can have (math.inf: no bound)."""
    if schema is False:
        return 0
    if not isinstance(schema, dict):
        return math.inf
    if "const" in schema:
        return _value_depth(schema["const"])
    if isinstance(schema.get("enum"), list):
        return max(map(_value_depth, schema["enum"]), default=0)
    bound = _own_bound(schema)
    for part in schema.get("allOf", []):
        bound = min(bound, depth_bound(part))
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            bound = min(bound, max(map(depth_bound, schema[key]), default=0))
    return bound


def _own_bound(schema: dict[str, Any]) -> float:
    """The bound set by a schema's type and the schemas of its properties and items."""
    kinds = schema.get("type")
    types = {kinds} if isinstance(kinds, str) else set(kinds or ("object", "array"))
    parts: list[Any] = []
    if "object" in types:
        parts += [
            *schema.get("properties", {}).values(),
            *schema.get("patternProperties", {}).values(),
        ]
        parts.append(schema.get("additionalProperties", True))
    if "array" in types:
        items = schema.get("items", True)
        parts += (
            [*items, schema.get("additionalItems", True)] if isinstance(items, list) else [items]
        )
    return 1 + max(map(depth_bound, parts)) if parts else 0


def _value_depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_value_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_value_depth, value), default=0)
    return 0
