"""Cases: one request to one operation, valid or breaking one named rule, and JSON paths."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from emulator.spec import Json

Path = tuple[str | int, ...]
# jsonschema writes a key as .key when it looks like an identifier, else as ['key'].
_PLAIN_KEY = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")
PREVIEW = 300


@dataclass(frozen=True, slots=True)
class Case:
    """One request: valid (rule None) or breaking exactly one rule at one JSON path."""

    operation: str
    method: str
    path: str
    body: Any = None
    has_body: bool = False
    query: Mapping[str, str] = field(default_factory=dict)
    rule: str | None = None
    where: str | None = None  # JSON path of the broken value, missing key or unexpected key

    @property
    def valid(self) -> bool:
        """True when the case follows every rule."""
        return self.rule is None

    @property
    def content(self) -> bytes | None:
        """The body as sent (stdlib JSON keeps integers of any size exact), or None."""
        if not self.has_body:
            return None
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")

    @property
    def url(self) -> str:
        """The path with its query string."""
        return f"{self.path}?{urlencode(self.query)}" if self.query else self.path

    def describe(self) -> str:
        """One readable line: the operation, what the case breaks, the request."""
        broken = f"breaks {self.rule} at {self.where}" if self.rule else "valid"
        body = preview(self.content.decode("utf-8")) if self.content is not None else "(no body)"
        return f"{self.operation} ({broken}): {self.method} {self.url} {body}"


def preview(text: str, limit: int = PREVIEW) -> str:
    """Text cut to a readable length, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def json_path(parts: Sequence[str | int]) -> str:
    """A JSON path written the way jsonschema writes error paths: $[0].identities[0].type."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            out += f".{part}"
        else:
            out += "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return out


def within(reported: str, where: str) -> bool:
    """True when a reported error path is the broken path or one of its parents."""
    return where == reported or where.startswith((reported + ".", reported + "["))


def edit(instance: Any, parts: Path, value: Any, delete: bool = False) -> Any:
    """A deep copy of the instance with the value at a path replaced (or its key deleted)."""
    if not parts:
        return copy.deepcopy(value)
    root = copy.deepcopy(instance)
    parent = root
    for part in parts[:-1]:
        parent = parent[part]
    if delete:
        del parent[parts[-1]]
    else:
        parent[parts[-1]] = copy.deepcopy(value)
    return root


def identity_key(identity: Any) -> tuple[str, str] | None:
    """What makes two identities the same user's: type and trimmed value (None if not one)."""
    if not isinstance(identity, dict):
        return None
    kind, value = identity.get("type"), identity.get("value")
    if not isinstance(kind, str) or not isinstance(value, str):
        return None
    return kind, value.strip()


def identities_of(item: Any) -> list[Json]:
    """The identity objects of a batch item (empty if it has none)."""
    found = item.get("identities") if isinstance(item, dict) else None
    return [i for i in found if isinstance(i, dict)] if isinstance(found, list) else []


def first_type(item: Any) -> str | None:
    """The type of a batch item's first identity: the one the one-type rule compares."""
    found = identities_of(item)
    kind = found[0].get("type") if found else None
    return kind if isinstance(kind, str) else None


def conform(batch: Json | None, body: Any) -> Any:
    """A schema-valid batch made to follow the batch rules too: one identity type, no user twice."""
    if not batch or not isinstance(body, list) or not body or first_type(body[0]) is None:
        return body
    items = copy.deepcopy(body)
    if batch.get("one_identity_type"):
        expected = first_type(items[0])
        for identities in filter(None, map(identities_of, items)):
            identities[0]["type"] = expected
    if batch.get("unique_users"):
        items = distinct(items)
    return items


def distinct(items: list[Any]) -> list[Any]:
    """The items that share no identity with an earlier item (the first is always kept)."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for item in items:
        keys = {k for k in map(identity_key, identities_of(item)) if k is not None}
        if not keys & seen:
            kept.append(item)
        seen |= keys
    return kept


def batch_breaks(batch: Json | None, body: Any) -> set[str]:
    """The batch rules a body breaks, judged as the rules read (list bodies only)."""
    if not batch or not isinstance(body, list):
        return set()
    broken = set()
    if "max_items" in batch and len(body) > batch["max_items"]:
        broken.add("max_items")
    if "max_custom_fields" in batch and any(
        _field_count(item) > batch["max_custom_fields"] for item in body
    ):
        broken.add("max_custom_fields")
    if batch.get("one_identity_type") and len({first_type(item) for item in body}) > 1:
        broken.add("one_identity_type")
    if batch.get("unique_users") and len(distinct(body)) < len(body):
        broken.add("unique_users")
    return broken


def _field_count(item: Any) -> int:
    fields = item.get("fields") if isinstance(item, dict) else None
    return len(fields) if isinstance(fields, dict) else 0


def clone(item: Any, number: int) -> Any:
    """A copy of a batch item naming another user: each identity value gets a suffix."""
    twin = copy.deepcopy(item)
    for identity in identities_of(twin):
        if isinstance(identity.get("value"), str):
            identity["value"] = f"{identity['value'].strip()}~{number}"
    return twin
