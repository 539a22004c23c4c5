"""Secrets kept out of the journal: the values of secret fields in a request body's first bytes."""

from __future__ import annotations

import re

# The JSON fields whose values are credentials: the app secret of the token calls, and tokens.
SECRET_FIELDS = ("app_secret", "access_token", "refresh_token")
MASK = "***"
# What a body naming a secret must hold: a backslash (an escaped name) or the end of a name
# ("_secret", "_token"): cheaper to look for than each name. Most bodies hold none of them.
_HINTS = (b"\\", *dict.fromkeys(("_" + name.rsplit("_", 1)[-1]).encode() for name in SECRET_FIELDS))


def _spelled(name: str) -> str:
    """A pattern for a field name as JSON may write it: each character plain or \\u-escaped."""
    return "".join(f"(?:{re.escape(c)}|\\\\u(?i:{ord(c):04x}))" for c in name)


# The field name, then its value: a string (maybe cut short by the journal's limit) or a bare
# number; whatever follows is kept as sent.
_SECRET_VALUE = re.compile(
    r'("(?:' + "|".join(map(_spelled, SECRET_FIELDS)) + r')"\s*:\s*)'
    r'(?:"(?:[^"\\]|\\.)*\\?"?|-?[0-9][0-9.eE+-]*)'
)


def journal_body(body: bytes, limit: int) -> str:
    """The first `limit` bytes of a body as text, each secret field's value masked."""
    head = body[:limit]
    text = head.decode("utf-8", "replace")
    if any(hint in head for hint in _HINTS):
        return _SECRET_VALUE.sub(lambda m: f'{m.group(1)}"{MASK}"', text)
    return text
