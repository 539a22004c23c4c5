"""Integers sent as integral floats: where a body schema types a value as an integer, 1.0 is 1."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator.spec import Json

# Draft-07 counts 1.0 as an integer, so the schema accepts it; handlers page, count and look up
# with it as the int it is. Beyond 64 bits a float stays as sent (no int the answers could carry).
INT_RANGE = (-(2**63), 2**64)
ALTERNATIVES = ("allOf", "anyOf", "oneOf", "if", "then", "else")


@dataclass(slots=True)
class Integers:
    """Where in a value the schema allows integers: here, under some keys, in the items."""

    here: bool = False
    properties: dict[str, Integers] = field(default_factory=dict)  # the keys with integers
    declared: frozenset[str] = frozenset()  # every key the schema names
    rest: Integers | None = None  # any other key (additionalProperties, patternProperties)
    items: Integers | None = None

    def read(self, value: Any) -> Any:
        """The value with each integral float where an integer may be read as that int."""
        if isinstance(value, float):
            return int(value) if self.here and _integral(value) else value
        if isinstance(value, dict):
            self._read_keys(value)
        elif isinstance(value, list) and self.items is not None:
            self.items.read_each(value)
        return value

    def read_each(self, values: list[Any]) -> None:
        """Read every item of a list in place (a batch's objects: one call each, not two)."""
        if self.here or self.items is not None:
            values[:] = [self.read(value) for value in values]
            return
        for value in values:
            if isinstance(value, dict):
                self._read_keys(value)

    def _read_keys(self, value: Json) -> None:
        for key in list(value) if self.rest is not None else self.properties:
            inner = self.at(key)
            if inner is not None and key in value:
                value[key] = inner.read(value[key])

    def at(self, key: str) -> Integers | None:
        """Where integers are allowed in the value under a key."""
        if key in self.properties:
            return self.properties[key]
        return None if key in self.declared else self.rest

    def empty(self) -> bool:
        return not (self.here or self.properties or self.rest or self.items)


def _integral(value: float) -> bool:
    return value.is_integer() and INT_RANGE[0] <= value < INT_RANGE[1]


def integers_of(schema: Json | None) -> Integers | None:
    """Where a schema allows integers; None where it allows none (nothing to read)."""
    if not isinstance(schema, dict):
        return None
    kinds = schema.get("type")
    named = {k: integers_of(v) for k, v in schema.get("properties", {}).items()}
    others = [schema.get("additionalProperties"), *schema.get("patternProperties", {}).values()]
    items = schema.get("items")
    found = Integers(
        kinds == "integer" or (isinstance(kinds, list) and "integer" in kinds),
        {k: v for k, v in named.items() if v is not None},
        frozenset(named),
        _union(others),
        _union([*items, schema.get("additionalItems")] if isinstance(items, list) else [items]),
    )
    alternatives = [schema.get(key) for key in ALTERNATIVES]
    flat = [p for part in alternatives for p in (part if isinstance(part, list) else [part])]
    merged = _union([found, *flat])
    return None if merged is None or merged.empty() else merged


def _union(schemas: list[Any]) -> Integers | None:
    """Integers allowed where any of the schemas (or plans already made) allows them."""
    found = None
    for schema in schemas:
        found = merge(found, schema if isinstance(schema, Integers) else integers_of(schema))
    return found


def merge(one: Integers | None, other: Integers | None) -> Integers | None:
    """Integers allowed where either allows them."""
    if one is None or other is None:
        return one or other
    names = dict.fromkeys([*one.properties, *one.declared, *other.properties, *other.declared])
    merged = {name: merge(one.at(name), other.at(name)) for name in names}
    return Integers(
        one.here or other.here,
        {name: inner for name, inner in merged.items() if inner is not None},
        one.declared | other.declared,
        merge(one.rest, other.rest),
        merge(one.items, other.items),
    )
