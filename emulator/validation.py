"""Request checks for one operation: batch rules, body and query schemas -> ApiError."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jsonschema
import jsonschema_rs
import orjson

from emulator import origins, spec
from emulator.depth import MAX_DEPTH, check_depth, depth_bound
from emulator.envelope import ApiError
from emulator.integers import integers_of
from emulator.spec import Json, Operation

MAX_DETAILS = 20
MAX_REASON = 200
INTEGER_TEXT = re.compile(r"-?[0-9]+")
NUMBER_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
BOOLEAN_TEXT = {"true": True, "false": False}
Explained = Callable[[], ApiError]  # an assumed-rule error, explained when it is needed


class Checks:
    """The compiled validators of one operation; jsonschema only explains a failure.

    Each schema with assumed rules (`x-assumed`) has a second, relaxed validator without them:
    when the strict one fails and the relaxed one passes, only assumed rules failed, and the
    check returns that error for the caller to enforce, warn of or ignore (--assumed-rules).
    """

    def __init__(self, op: Operation) -> None:
        self.op = op
        self._body = compiled(op.body_schema)
        self._query = compiled(op.query_schema)
        self._relaxed_body = compiled(origins.relaxed(op.body_schema))
        self._relaxed_query = compiled(origins.relaxed(op.query_schema))
        self._query_types = query_types(op.query_schema)
        self._limits_in_schema = limits_in_schema(op)
        self._integers = integers_of(op.body_schema)
        # A body the schema accepts may be too deep only where the schema leaves nesting open.
        self._open_depth = op.body_schema is not None and depth_bound(op.body_schema) > MAX_DEPTH

    def query(
        self, params: dict[str, str], assumed: list[Explained] | None = None
    ) -> dict[str, Any]:
        """The query string, each value of a parameter the query schema types as an integer,
        number or boolean read as one, checked against the schema (none: anything goes).
        Given a list, a failure of assumed rules only goes there; else it is raised."""
        if self._query is None:
            return params
        typed: dict[str, Any] = {
            name: _typed(text, self._query_types[name]) if name in self._query_types else text
            for name, text in params.items()
        }
        if not self._query.is_valid(typed):
            _keep(self._refusal("invalid_query", self._relaxed_query, typed), assumed)
        return typed

    def body(self, body: Any, assumed: list[Explained] | None = None) -> Any:
        """Check a parsed body: batch limits first (named rules), then schema, then batch rules;
        a failure of assumed rules only goes to the list given, else it is raised. The body comes
        back with its integral floats read as integers where the schema says so."""
        batch = self.op.batch
        valid = self._body is None or self._body.is_valid(body)
        if batch and not (valid and self._limits_in_schema):  # a valid body is within them
            check_batch_limits(batch, body)
        if not valid:
            _keep(self._refusal("invalid_request", self._relaxed_body, body), assumed)
        if self._open_depth:
            check_depth("invalid_request", body)
        if batch:
            check_batch_rules(batch, body)
        return body if self._integers is None else self._integers.read(body)

    def _refusal(self, key: str, relaxed: Any, instance: Any) -> Explained:
        """The error of an instance the strict schema refuses: raised unless only assumed rules
        failed, then returned unexplained (explaining costs; --assumed-rules off never does)."""
        part = "body" if key == "invalid_request" else "query"
        schema = self.op.body_schema if part == "body" else self.op.query_schema
        if relaxed is None or not relaxed.is_valid(instance):
            raise explain(key, schema, instance, origin=self.op.fidelity)
        fidelity = self.op.fidelity
        return lambda: explain("assumed_rule", schema, instance, origin=fidelity, part=part)


def _keep(error: Explained, assumed: list[Explained] | None) -> None:
    if assumed is None:
        raise error()
    assumed.append(error)


def query_types(schema: Json | None) -> dict[str, tuple[str, ...]]:
    """Per query parameter that cannot be text, the types it can be read as (integer, number,
    boolean, tried in that order); a parameter that may be a string stays text."""
    typed = {}
    for name, part in (schema or {}).get("properties", {}).items():
        declared = part.get("type") if isinstance(part, dict) else None
        types = [declared] if isinstance(declared, str) else list(declared or [])
        readable = tuple(t for t in READERS if t in types)
        if readable and "string" not in types:
            typed[name] = readable
    return typed


def _typed(text: str, types: tuple[str, ...]) -> Any:
    """The value of a query parameter as the first type it reads as; else the text itself, for
    the schema to refuse (naming the parameter)."""
    for kind in types:
        value = READERS[kind](text)
        if value is not None:
            return value
    return text


def _integer(text: str) -> int | None:
    if not INTEGER_TEXT.fullmatch(text):
        return None
    try:
        return int(text)
    except ValueError:  # more digits than Python reads (sys.get_int_max_str_digits)
        return None


def _number(text: str) -> int | float | None:
    if not NUMBER_TEXT.fullmatch(text):
        return None
    value = _integer(text)
    return value if value is not None else _finite(float(text))


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


READERS: dict[str, Callable[[str], Any]] = {
    "integer": _integer,
    "number": _number,
    "boolean": BOOLEAN_TEXT.get,
}


def limits_in_schema(op: Operation) -> bool:
    """Whether the body schema holds the batch limits (spec applies them at load), so that a
    body it accepts cannot break them."""
    batch, schema = op.batch or {}, op.body_schema or {}
    fields = schema.get("items", {}).get("properties", {}).get("fields", {})
    return schema.get("maxItems") == batch.get("max_items") and fields.get(
        "maxProperties"
    ) == batch.get("max_custom_fields")


def compiled(schema: Json | None) -> Any:
    """The compiled validator of a schema (None for none), as every request check uses."""
    # `format` is an annotation, as in jsonschema (which explains failures): both must agree.
    return None if schema is None else jsonschema_rs.Draft7Validator(schema, validate_formats=False)


@lru_cache(maxsize=32)
def file_validator(relative: str) -> Any:
    """The compiled validator of one schema file under schemas/ (seed datasets, admin bodies)."""
    return compiled(spec.schema_file(relative))


def parse_json(raw: bytes) -> Any:
    """A request body as JSON, or the malformed_json error (an empty body included)."""
    if not raw.strip():
        raise ApiError("malformed_json", reason="the body is empty; send a JSON value", path="$")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError("malformed_json", reason=str(exc), path="$") from None


def require(key: str, schema: Json, instance: Any, **params: Any) -> None:
    """Raise the explained error unless the instance is valid (cold paths: admin, seed data)."""
    check_depth(key, instance)  # jsonschema's own check recurses (into a deep instance's text)
    if not jsonschema.Draft7Validator(schema).is_valid(instance):
        raise explain(key, schema, instance, **params)


def explain(
    key: str, schema: Json | None, instance: Any, origin: str | None = None, **params: Any
) -> ApiError:
    """The error for an instance the schema refuses: every violation by JSON path, first first;
    one nested too deep to explain is refused for that. Given the operation's fidelity, each
    names its rule's origin (assumption, or that)."""
    check_depth(key, instance)
    validator = jsonschema.Draft7Validator(schema or {})
    errors = sorted(
        validator.iter_errors(instance), key=lambda e: (list(map(str, e.path)), e.message)
    )
    details = [_detail(e, origin) for e in errors[:MAX_DETAILS]]
    first = details[0] if details else {"path": "$", "message": "does not match the schema"}
    return ApiError(key, details, **{"path": first["path"], "reason": first["message"], **params})


def _detail(error: jsonschema.ValidationError, fidelity: str | None) -> Json:
    rule = str(error.validator)
    detail: Json = {"path": error.json_path, "rule": rule, "message": _short(error.message)}
    if fidelity is not None:
        detail["origin"] = origins.origin(error.schema, rule, fidelity)
    return detail


def _short(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def check_batch_limits(batch: Json, body: Any) -> None:
    """Users per call and custom fields per user, named as the vendor's rules (any body shape)."""
    if not isinstance(body, list):
        return
    limit = batch.get("max_items")
    if limit is not None and len(body) > limit:
        raise ApiError(
            "batch_too_large", max=limit, count=len(body), index=limit, path=f"$[{limit}]"
        )
    most = batch.get("max_custom_fields")
    for index, item in enumerate(body):
        fields = item.get("fields") if isinstance(item, dict) else None
        if most is not None and isinstance(fields, dict) and len(fields) > most:
            path = f"$[{index}].fields"
            raise ApiError(
                "too_many_custom_fields", max=most, index=index, count=len(fields), path=path
            )


def check_batch_rules(batch: Json, users: list[Json]) -> None:
    """One identity type per call (the type of each user's first identity); no user twice."""
    if batch.get("one_identity_type") and users:  # none: the page's minimum is not stated
        expected = users[0]["identities"][0]["type"]
        if len({user["identities"][0]["type"] for user in users}) > 1:
            _check_one_type(users, expected)
    if batch.get("unique_users"):
        _check_unique(users)


def _check_one_type(users: list[Json], expected: str) -> None:
    """Name the first user whose first identity is of another type (there is one)."""
    index, found = next(
        (i, u["identities"][0]["type"])
        for i, u in enumerate(users)
        if u["identities"][0]["type"] != expected
    )
    path = f"$[{index}].identities[0].type"
    raise ApiError("mixed_identity_types", expected=expected, found=found, index=index, path=path)


def identity_key(identity: Json) -> str:
    """The key that finds a user by one identity; third-party ids are keyed by their channel."""
    kind, value = identity["type"], identity["value"].strip()
    if kind == "thirdparty_channel":
        return f"{kind}\x1f{identity.get('channel_uuid', '')}\x1f{value}"
    return f"{kind}\x1f{value}"


def _check_unique(users: list[Json]) -> None:
    # Fast path: no value (trimmed) twice in the whole call, so no identity twice. A value
    # seen twice may still be fine (one user carrying it twice, or two types sharing a value):
    # then the exact check below decides.
    values = [i["value"].strip() for user in users for i in user["identities"]]
    if len(set(values)) == len(values):
        return
    owner: dict[str, int] = {}
    for index, user in enumerate(users):
        for identity in user["identities"]:
            first = owner.setdefault(identity_key(identity), index)
            if first != index:
                reason = f"both carry {identity['type']} {identity['value'].strip()}"
                raise ApiError(
                    "duplicate_user", first=first, index=index, reason=reason, path=f"$[{index}]"
                )
