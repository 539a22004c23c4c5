"""Breaking a valid instance on purpose: the edits that break one JSON Schema or batch rule."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from contract_tests.cases import Path, clone, edit, first_type, identities_of
from emulator.spec import Json

EXTRA_KEY = "x_unexpected"
WRONG_VALUES: tuple[Any, ...] = (1, "x", [], {}, True, None)
NOT_ALLOWED: tuple[Any, ...] = ("x_not_allowed", -1, None)
NON_MATCHING = ("", "~", "\x00")
# Rules a query string can break: its values are strings, so no wrong types or numbers.
QUERY_RULES = frozenset(
    {"required", "additionalProperties", "enum", "const", "pattern", "maxLength", "minLength"}
)
NUMBER_RULES = ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum")
_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}
_SKIP = object()


@dataclass(frozen=True, slots=True)
class Edit:
    """Set (or delete) the value at a path; the rule it breaks and where that shows."""

    rule: str
    at: Path
    value: Any = None
    delete: bool = False
    shows_at: Path | None = None  # where a server reports it, when not at the edited path
    build: Callable[[], Any] | None = None  # makes the value when applied (big values)

    @property
    def where(self) -> Path:
        """The path of the broken value, missing key or unexpected key."""
        return self.at if self.shows_at is None else self.shows_at

    def apply(self, instance: Any) -> Any:
        """The broken instance (a copy; the original is untouched)."""
        value = self.build() if self.build is not None else self.value
        return edit(instance, self.at, value, self.delete)


def locations(schema: Json, instance: Any, parts: Path = ()) -> Iterator[tuple[Path, Json, Any]]:
    """Every value of the instance with the subschema that governs it (anyOf branches aside)."""
    yield parts, schema, instance
    if isinstance(instance, dict):
        props, extra = schema.get("properties", {}), schema.get("additionalProperties")
        for key, value in instance.items():
            sub = props.get(key, extra)
            if isinstance(sub, dict):
                yield from locations(sub, value, (*parts, key))
    elif isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for index, value in enumerate(instance):
            yield from locations(schema["items"], value, (*parts, index))


def schema_edits(schema: Json, instance: Any, rules: Collection[str] | None = None) -> list[Edit]:
    """Every edit that may break one keyword of the schema somewhere in the instance."""
    found = [e for p, s, v in locations(schema, instance) for e in edits_at(s, v, p)]
    return found if rules is None else [e for e in found if e.rule in rules]


def edits_at(schema: Json, value: Any, parts: Path) -> list[Edit]:
    """The edits one value offers: its object rules, its type and values, its limits."""
    found = [*_object_edits(schema, value, parts), *_value_edits(schema, value, parts)]
    for rule, make in LIMITS.items():
        if rule in schema and (broken := make(schema[rule], value)) is not _SKIP:
            found.append(Edit(rule, parts, broken))
    return found


def _object_edits(schema: Json, value: Any, parts: Path) -> Iterator[Edit]:
    if not isinstance(value, dict):
        return
    for key in schema.get("required", []):
        if key in value:
            yield Edit("required", (*parts, key), delete=True)
    if schema.get("additionalProperties") is False and EXTRA_KEY not in value:
        yield Edit("additionalProperties", (*parts, EXTRA_KEY), "x")


def _value_edits(schema: Json, value: Any, parts: Path) -> Iterator[Edit]:
    if "type" in schema:
        allowed = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        wrong = [v for v in WRONG_VALUES if not any(_TYPES[t](v) for t in allowed if t in _TYPES)]
        if wrong:
            yield Edit("type", parts, wrong[0])
    choices: dict[str, Any] = {"enum": schema.get("enum"), "const": [schema.get("const")]}
    for rule, allowed in choices.items():
        outside = next((v for v in NOT_ALLOWED if v not in (allowed or [])), _SKIP)
        if rule in schema and outside is not _SKIP:
            yield Edit(rule, parts, outside)


def _longer(limit: int, value: Any) -> Any:
    return value + "x" * (limit + 1 - len(value)) if isinstance(value, str) else _SKIP


def _shorter(limit: int, value: Any) -> Any:
    return value[: limit - 1] if isinstance(value, str | list) and limit >= 1 else _SKIP


def _more_items(limit: int, value: Any) -> Any:
    if not isinstance(value, list) or not value:
        return _SKIP
    return value + [value[-1]] * (limit + 1 - len(value))


def _unmatched(pattern: str, value: Any) -> Any:
    if not isinstance(value, str):
        return _SKIP
    return next((s for s in NON_MATCHING if not re.search(pattern, s)), _SKIP)


def _number(step: float) -> Callable[[float, Any], Any]:
    def beyond(limit: float, value: Any) -> Any:
        return limit + step if _TYPES["number"](value) else _SKIP

    return beyond


LIMITS: dict[str, Callable[[Any, Any], Any]] = {
    "maxLength": _longer,
    "minLength": _shorter,
    "pattern": _unmatched,
    "maxItems": _more_items,
    "minItems": _shorter,
    "maximum": _number(1),
    "minimum": _number(-1),
    "exclusiveMaximum": _number(0),
    "exclusiveMinimum": _number(0),
}


def batch_edits(batch: Json | None, schema: Json, body: Any) -> list[Edit]:
    """The edits that break each of the operation's batch rules (list bodies of users)."""
    if not batch or not isinstance(body, list) or not body or not isinstance(body[0], dict):
        return []
    head, found = body[0], []
    if "max_items" in batch:
        most = int(batch["max_items"])
        grown = partial(_grown, head, most + 1)
        found.append(Edit("max_items", (), build=grown, shows_at=(most,)))
    if "max_custom_fields" in batch:
        fields = partial(_fields, head, batch)
        found.append(Edit("max_custom_fields", (0, "fields"), build=fields))
    if batch.get("one_identity_type") and first_type(head):
        found.extend(_mixed(batch, schema, body))
    if batch.get("unique_users") and identities_of(head):
        found.append(_appended("unique_users", batch, body, partial(copy.deepcopy, head)))
    return found


def _grown(head: Json, count: int) -> list[Any]:
    return [head, *(clone(head, n) for n in range(1, count))]


def _fields(head: Json, batch: Json) -> Json:
    fields = dict(head.get("fields") or {})
    number = 0
    while len(fields) <= int(batch["max_custom_fields"]):
        fields.setdefault(f"custom_{number}", "x")
        number += 1
    return fields


def _mixed(batch: Json, schema: Json, body: list[Any]) -> list[Edit]:
    kinds = dig(schema, "items", "properties", "identities", "items", "properties", "type", "enum")
    other = next((k for k in kinds or [] if k != first_type(body[0])), None)
    if other is None:
        return []
    return [_appended("one_identity_type", batch, body, partial(_retyped, body, other))]


def _retyped(body: list[Any], kind: str) -> Any:
    twin = clone(body[0], len(body))
    identities_of(twin)[0]["type"] = kind
    return twin


def _appended(rule: str, batch: Json, body: list[Any], item: Callable[[], Any]) -> Edit:
    """The body with one more item, or its last item replaced when the batch is full."""
    full = len(body) >= int(batch.get("max_items", len(body) + 1))
    index = len(body) - 1 if full and len(body) > 1 else len(body)
    inside: Path = ("identities", 0, "type") if rule == "one_identity_type" else ()
    return Edit(rule, (), build=lambda: [*body[:index], item()], shows_at=(index, *inside))


def dig(node: Any, *keys: str) -> Any:
    """The value at a chain of keys, or None where the chain breaks."""
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def static_rules(schema: Json | None, allowed: Collection[str] | None = None) -> set[str]:
    """The rules every valid instance can be made to break: keywords on always-present values."""
    if schema is None:
        return set()
    found: set[str] = set()
    _walk(schema, found)
    return found if allowed is None else found & set(allowed)


def _walk(schema: Json, found: set[str]) -> None:
    found.update(k for k in ("type", "enum", "const") if k in schema)
    walker = _WALKERS.get(str(schema.get("type")))
    if walker is not None:
        walker(schema, found)


def _walk_object(schema: Json, found: set[str]) -> None:
    found.update({"required"} if schema.get("required") else set())
    if schema.get("additionalProperties") is False and not _full(schema):
        found.add("additionalProperties")
    for key in schema.get("required", []):
        if isinstance(schema.get("properties", {}).get(key), dict):
            _walk(schema["properties"][key], found)


def _full(schema: Json) -> bool:
    """Whether every valid instance holds as many keys as it may (another breaks maxProperties)."""
    most = schema.get("maxProperties")
    least = max(schema.get("minProperties", 0), len(schema.get("required", [])))
    return most is not None and least >= most


def _walk_array(schema: Json, found: set[str]) -> None:
    if schema.get("minItems", 0) < 1:
        return  # an empty list is valid: nothing inside is always there
    found.update({"minItems", *({"maxItems"} & set(schema))})
    if isinstance(schema.get("items"), dict):
        _walk(schema["items"], found)


def _walk_string(schema: Json, found: set[str]) -> None:
    found.update({"maxLength", "pattern"} & set(schema))
    found.update({"minLength"} if schema.get("minLength", 0) >= 1 else set())


def _walk_number(schema: Json, found: set[str]) -> None:
    found.update(set(NUMBER_RULES) & set(schema))


_WALKERS: dict[str, Callable[[Json, set[str]], None]] = {
    "object": _walk_object,
    "array": _walk_array,
    "string": _walk_string,
    "integer": _walk_number,
    "number": _walk_number,
}
