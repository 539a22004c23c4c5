"""Rendering: {{field}} placeholders filled from a recipient, WeChat templates from their data."""

from __future__ import annotations

import re
from typing import Any

from emulator.spec import Json

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
SLOT = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\.DATA\s*\}\}")  # WeChat's {{keyword1.DATA}}

Values = dict[str, str]


def user_values(user: Json) -> Values:
    """What a placeholder can name: the user's fields, its identities by type (the first of
    each type), and omni_user_uuid; an identity wins over a field of the same name."""
    values = {name: _text(value) for name, value in user.get("fields", {}).items()}
    for identity in reversed(user.get("identities", [])):
        values[identity["type"]] = identity["value"]
    values["omni_user_uuid"] = user["omni_user_uuid"]
    return values


def fill(text: str, values: Values) -> str:
    """The text with each {{name}} it has a value for replaced; others are left as written."""
    return PLACEHOLDER.sub(lambda found: values.get(found[1], found[0]), text)


def slots(content: str | None) -> list[str]:
    """The keyword slots of a WeChat template's content, in order, each once."""
    return list(dict.fromkeys(SLOT.findall(content or "")))


def template(content: str | None, data: Json, values: Values) -> str:
    """A WeChat template filled with a message's data (each value's placeholders filled from
    the recipient); a slot without data stays empty, as WeChat shows it. A template without
    content shows the values one per line."""
    filled = {key: fill(item.get("value", ""), values) for key, item in data.items()}
    if not content:
        return "\n".join(filled.values())
    return SLOT.sub(lambda found: filled.get(found[1], ""), content)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
