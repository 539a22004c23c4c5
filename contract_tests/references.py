"""References: ids of records that exist on the server under test, by the request fields that
name them; harvested from its list and query answers, and kept from the run's own creates.

Which resource a request field names follows from the catalogue alone: the field is the id field
of the operation's own resource (`jing_uuid` of lead.update), a resource's name (`business_type`),
a resource's name with an id suffix (`mailbox_uuid`, `user_id`), a resource's distinctive id
field (`group_id`, `omni_user_uuid`), the own resource's name before it (`status` of a lead:
lead_status), or, failing all those, a resource whose name ends with its stem (`task_uuid`:
sms_task). A plural (`omni_user_uuids`) takes lists of what its singular takes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jsonschema_rs

from contract_tests.cases import Case
from emulator.spec import Catalogue, Json, Operation

ID_SUFFIXES = ("_uuid", "_id")
HARVEST_KINDS = ("list", "query")
DELETE_KINDS = ("delete", "batch_delete")
PAGE_SIZE = "page_size"
SUBSCHEMAS = ("allOf", "anyOf", "oneOf")
Value = str | int


@dataclass(frozen=True, slots=True)
class Pool:
    """The values met that a reference field may take; a plural field takes lists of them."""

    values: tuple[Value, ...]
    plural: bool = False


class References:
    """Ids met per resource, and values met per reference field of listed records."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.ids: dict[str, dict[Value, None]] = {}  # resource -> ids, in the order met
        self.seen: dict[str, dict[Value, None]] = {}  # field -> values in listed records
        self._fields: dict[str, set[str]] = {}  # operation -> its request's field names

    def note(self, op: Operation, text: str, listing: bool = False) -> None:
        """Keep what a success answer holds: the ids of the operation's resource, and for a
        listing the reference fields of every record too."""
        data = success_data(op, text)
        if data is None:
            return
        res = self.catalogue.resources.get(op.resource)
        for record in records(data):
            if res is not None and _value(record.get(res.id_field)):
                self.ids.setdefault(res.name, {})[record[res.id_field]] = None
            if listing:
                self._see(record)

    def forget(self, op: Operation, body: Any) -> None:
        """Drop the ids a successful delete named: they name no record now."""
        res = self.catalogue.resources.get(op.resource)
        if op.kind not in DELETE_KINDS or res is None:
            return
        kept = self.ids.get(res.name, {})
        for gone in _named(body, res.id_field):
            kept.pop(gone, None)

    def _see(self, record: Json) -> None:
        for name, value in record.items():
            if _value(value) and self.names(name):
                self.seen.setdefault(name, {})[value] = None

    def names(self, field: str, op: Operation | None = None) -> tuple[str, ...]:
        """The resources whose ids a field (of the operation's request) holds."""
        return targets(self.catalogue, op.resource if op else "", field)

    def pools(self, op: Operation) -> dict[str, Pool]:
        """For each reference field of the operation's body, the values met (none: left out)."""
        if op.id not in self._fields:
            self._fields[op.id] = field_names(op.body_schema)
        found = {name: self.pool(op, name) for name in self._fields[op.id]}
        return {name: pool for name, pool in found.items() if pool.values}

    def pool(self, op: Operation, field: str) -> Pool:
        """The values a field of the operation's request may take, from what was met: the
        records' ids; or, where those records have a field of that name, its values."""
        plural = not self.names(field, op) and field.endswith("s")
        name = field[:-1] if plural else field
        resources = self.names(name, op)
        if any(self._declares(resource, name) for resource in resources):
            return Pool(tuple(self.seen.get(name, {})), plural)
        own = self.catalogue.resources.get(op.resource)
        values = {} if own is not None and name == own.id_field else dict(self.seen.get(name, {}))
        for resource in resources:
            values.update(self.ids.get(resource, {}))
        return Pool(tuple(values), plural)

    def _declares(self, resource: str, name: str) -> bool:
        """True when the resource's records have a field of that name besides their id."""
        res = self.catalogue.resources[resource]
        return name != res.id_field and name in res.schema.get("properties", {})

    def wanted(self, operations: Iterable[Operation]) -> set[str]:
        """The resources the reference fields of these operations' requests name."""
        return {
            resource
            for op in operations
            for field in field_names(op.body_schema)
            for name in (field, field[:-1])
            for resource in self.names(name, op)
        }


@lru_cache(maxsize=4096)
def targets(catalogue: Catalogue, own: str, field: str) -> tuple[str, ...]:
    """The resources a field names within an operation on the own resource (see the module)."""
    resources = catalogue.resources
    if own in resources and field == resources[own].id_field:
        return (own,)
    generic = _generic_id(catalogue)
    exact = [r for r, res in resources.items() if _exact(r, res.id_field, generic, own, field)]
    if exact:
        return tuple(exact)
    stem = next((field[: -len(s)] for s in ID_SUFFIXES if field.endswith(s)), None)
    return tuple(r for r in resources if stem and r.endswith(f"_{stem}"))


def _exact(name: str, id_field: str, generic: str, own: str, field: str) -> bool:
    spelled = {name, f"{name}_{id_field}", *(name + suffix for suffix in ID_SUFFIXES)}
    return field in spelled or (field == id_field != generic) or name == f"{own}_{field}"


@lru_cache(maxsize=8)
def _generic_id(catalogue: Catalogue) -> str:
    """The id field most resources share (the conventions' default): it names a record only
    within its own resource."""
    counts = Counter(res.id_field for res in catalogue.resources.values())
    return counts.most_common(1)[0][0] if counts else ""


def field_names(schema: Any) -> set[str]:
    """Every property name a schema declares, at any depth."""
    if not isinstance(schema, dict):
        return set()
    found = set(schema.get("properties") or {})
    nested = [*(schema.get("properties") or {}).values(), schema.get("items")]
    nested += [s for key in SUBSCHEMAS for s in schema.get(key) or []]
    for part in nested:
        found |= field_names(part)
    return found


def records(data: Any) -> Iterator[Json]:
    """The records of an answer's data: the data itself, and the objects of its lists."""
    if isinstance(data, dict):
        yield data
        rows = [v for value in data.values() if isinstance(value, list) for v in value]
    else:
        rows = data if isinstance(data, list) else []
    yield from (row for row in rows if isinstance(row, dict))


def _named(body: Any, id_field: str) -> Iterator[Value]:
    """The ids a request body names: its records' id field, and the items of its id lists."""
    for record in records(body):
        if _value(record.get(id_field)):
            yield record[id_field]
        for value in record.values():
            items = value if isinstance(value, list) else []
            yield from (item for item in items if _value(item))


def success_data(op: Operation, text: str) -> Any:
    """The data of a success answer (None for any other answer)."""
    try:
        body = json.loads(text)
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    expected = op.envelope.success_code
    return body.get("data") if code == expected and type(code) is type(expected) else None


def listing(op: Operation) -> Case | None:
    """A request for the largest first page of a list or query operation; None if it takes
    more than paging (e.g. a query by ids) or is no listing."""
    if op.kind not in HARVEST_KINDS or not _empty_ok(op.query_schema):
        return None
    if op.body_schema is None:
        return Case(op.id, op.method, op.path)
    most = (op.body_schema.get("properties") or {}).get(PAGE_SIZE, {}).get("maximum")
    for body in ({PAGE_SIZE: most} if most else {}, {}):
        if validator(json.dumps(op.body_schema)).is_valid(body):
            return Case(op.id, op.method, op.path, body, True)
    return None


def _empty_ok(schema: Json | None) -> bool:
    return schema is None or validator(json.dumps(schema)).is_valid({})


@lru_cache(maxsize=512)
def validator(schema_text: str) -> Any:
    """The compiled validator of a schema given as JSON text (cached: schemas repeat)."""
    return jsonschema_rs.Draft7Validator(json.loads(schema_text))


def _value(value: Any) -> bool:
    """An id-like value: text or a whole number (not a boolean)."""
    return isinstance(value, str | int) and not isinstance(value, bool)
