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


# A secret field's name and the colon after it; its value follows.
_SECRET_NAME = re.compile(r'"(?:' + "|".join(map(_spelled, SECRET_FIELDS)) + r')"\s*:\s*')
# A value that is no container: a string (maybe cut short by the journal's limit), or a bare
# word (a number, true, false, null, or whatever a body that is not JSON holds there).
_SCALAR = re.compile(r'"(?:[^"\\]|\\.)*\\?"?|[^\s,\]}]*')
# The pieces of a container: strings (their brackets are text), brackets, everything else.
_PIECE = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[{]|[\]}]|[^"\[\]{}]+')
_NESTING = {"[": 1, "{": 1, "]": -1, "}": -1}


def journal_body(body: bytes, limit: int) -> str:
    """The first `limit` bytes of a body as text, each secret field's value masked."""
    head = body[:limit]
    text = head.decode("utf-8", "replace")
    if any(hint in head for hint in _HINTS):
        return _masked(text)
    return text


def _masked(text: str) -> str:
    """The text with the value after each secret field's name, whatever its type, as MASK."""
    parts, done = [], 0
    for name in _SECRET_NAME.finditer(text):
        if name.start() < done:  # inside a value already masked
            continue
        end = _value_end(text, name.end())
        if end > name.end():
            parts += [text[done : name.end()], f'"{MASK}"']
            done = end
    return "".join([*parts, text[done:]])


def _value_end(text: str, start: int) -> int:
    """Where the value starting at `start` ends: a container at its closing bracket (the end of
    the text if cut short), anything else where the scalar pattern stops."""
    if not text.startswith(("[", "{"), start):
        scalar = _SCALAR.match(text, start)
        return scalar.end() if scalar else start
    depth = 0
    for piece in _PIECE.finditer(text, start):
        depth += _NESTING.get(piece.group(), 0)
        if depth == 0:
            return piece.end()
    return len(text)
