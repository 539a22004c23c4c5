"""What an API path says about an operation: its kind, its resource, an id made from it."""

from __future__ import annotations

import re

from emulator.conventions import VERSION

VERBS = {
    **dict.fromkeys(("create", "add"), "create"),
    **dict.fromkeys(("update", "edit"), "update"),
    **dict.fromkeys(("delete", "remove"), "delete"),
    **dict.fromkeys(("detail", "get", "info"), "get"),
    "list": "list",
    **dict.fromkeys(("query", "search"), "query"),
}
BATCH = {"create": "batch_create", "update": "batch_update", "delete": "batch_delete"}
BY_METHOD = {"GET": "list", "DELETE": "delete", "PUT": "update", "PATCH": "update"}


def resource(path: str, parents: dict[str, set[str]]) -> str:
    """The resource its siblings (same parent path) share, else the path's nouns in snake_case."""
    shared = parents.get(parent(path), set())
    if len(shared) == 1:
        return next(iter(shared))
    nouns = [w for s in segments(path) for w in words(s) if w not in VERBS and w != "batch"]
    return "_".join(nouns) or "imported"


def kind(method: str, path: str) -> str:
    """By the verb nearest the path's end (batch near it: a batch kind), else by the method."""
    last = [words(s) for s in segments(path)][-3:]
    verb = next((VERBS[w] for ws in reversed(last) for w in ws if w in VERBS), None)
    if verb is None:
        if method == "GET" and path.rstrip("/").endswith("}"):
            return "get"
        return BY_METHOD.get(method, "action")
    if any("batch" in ws for ws in last[-2:]):
        return BATCH.get(verb, "query")
    return verb


def op_id(method: str, path: str) -> str:
    """An id made of the method and the path: POST /v1/foo/barBaz -> post.v1.foo.bar_baz."""
    return ".".join([method.lower(), *(snake(s) for s in path.split("/") if s)])


def segments(path: str) -> list[str]:
    """The path's segments without its version and {parameters}."""
    return [s for s in path.split("/") if s and not s.startswith("{") and not VERSION.match(s)]


def words(segment: str) -> list[str]:
    """userStatus, user_status, user-status -> user, status."""
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", segment)]


def snake(segment: str) -> str:
    """userStatus -> user_status (x if nothing is left)."""
    return "_".join(words(segment)) or "x"


def parent(path: str) -> str:
    """/v1/edm/send/create -> /v1/edm/send."""
    return path.rstrip("/").rsplit("/", 1)[0]
