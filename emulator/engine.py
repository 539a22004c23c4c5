"""The generic resource engine: operations without a domain handler, served from the catalogue.

Each such operation names a resource and a kind; the engine keeps the tenant's records of every
resource and answers by kind: writes are stored, reads return what was written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import orjson

from emulator.clock import Clock, Ids
from emulator.conventions import Resource, types
from emulator.domains import Call, without
from emulator.domains.pages import DEFAULT_PAGE_SIZE, PAGE_FIELDS, page_of
from emulator.envelope import ApiError
from emulator.indexes import Indexes
from emulator.spec import Json


class Records:
    """One tenant's records of every engine resource: by id, in the order they were created."""

    def __init__(self, resources: Mapping[str, Resource], clock: Clock, ids: Ids) -> None:
        self._resources, self._clock, self._ids = resources, clock, ids
        self._tables: dict[str, dict[Any, Json]] = {}
        self._serial: dict[str, int] = {}
        self._unique: dict[tuple[str, str], dict[Any, Any]] = {}
        self._indexes: dict[str, Indexes] = {}  # by resource, from its first filtered find

    def create(self, resource: str, fields: Json) -> Json:
        """Store a new record: its id is assigned (or given, if free), its times come from the
        virtual clock."""
        res = self.resource(resource)
        if self.lookup(resource, fields.get(res.id_field)) is not None:
            raise _clash(res, res.id_field, fields[res.id_field], fields[res.id_field])
        self._check_unique(res, fields, None)
        now = self._clock.text()
        record = {res.id_field: self._new_id(res), **fields, "create_time": now, "update_time": now}
        self._table(resource)[record[res.id_field]] = record
        self._index(res, record, record[res.id_field])
        self._file(resource, record[res.id_field], record)
        return record

    def get(self, resource: str, record_id: Any, path: str | None = None) -> Json:
        """The record with that id, or the not-found error (naming the path that gave the id)."""
        res = self.resource(resource)
        record = self._table(resource).get(record_id)
        if record is None:
            where = path or f"$.{res.id_field}"
            raise ApiError(
                "record_not_found",
                resource=resource,
                id_field=res.id_field,
                id=record_id,
                path=where,
            )
        return record

    def lookup(self, resource: str, record_id: Any) -> Json | None:
        """The record with that id, or None."""
        return self._table(resource).get(record_id)

    def update(self, resource: str, record_id: Any, fields: Json, path: str | None = None) -> Json:
        """Merge fields into a record; nothing changes if a unique field would clash."""
        res = self.resource(resource)
        record = self.get(resource, record_id, path)
        self._check_unique(res, fields, record[res.id_field])
        self._index(res, record, None)
        key = record[res.id_field]
        self._unfile(resource, key, record)
        record.update(fields, update_time=self._clock.text())
        self._index(res, record, record[res.id_field])
        self._file(resource, key, record)
        return record

    def delete(self, resource: str, record_id: Any, path: str | None = None) -> Json:
        """Remove a record; later reads of its id fail with the not-found error."""
        res = self.resource(resource)
        record = self.get(resource, record_id, path)
        self._index(res, record, None)
        self._unfile(resource, record[res.id_field], record, gone=True)
        return self._table(resource).pop(record[res.id_field])

    def find(self, resource: str, **filters: Any) -> list[Json]:
        """The records whose fields equal every filter, oldest first: by equality indexes, so
        the cost is the records matched, not the table."""
        if not filters:
            return list(self._table(resource).values())
        indexes = self._indexes.get(resource)
        if indexes is None:
            indexes = self._indexes[resource] = Indexes(self._table(resource))
        return indexes.find(filters)

    def count(self, resource: str) -> int:
        """How many records the resource holds."""
        return len(self._table(resource))

    def resource(self, name: str) -> Resource:
        """The catalogue's resource of that name."""
        return self._resources[name]

    def reset(self) -> None:
        """Forget every record and id counter."""
        self._tables.clear()
        self._serial.clear()
        self._unique.clear()
        self._indexes.clear()

    def dump(self) -> Json:
        """Every record and id counter, as JSON (what `load` takes back)."""
        tables = {name: list(table.values()) for name, table in self._tables.items() if table}
        return {"tables": tables, "serial": dict(self._serial)}

    def load(self, dumped: Json) -> None:
        """Hold exactly what `dump` gave: the records (oldest first) and the id counters."""
        self.reset()
        for name, rows in dumped["tables"].items():
            res, table = self.resource(name), self._table(name)
            for record in rows:
                table[record[res.id_field]] = record
                self._index(res, record, record[res.id_field])
        self._serial.update(dumped["serial"])

    def _table(self, resource: str) -> dict[Any, Json]:
        return self._tables.setdefault(resource, {})

    def _file(self, resource: str, record_id: Any, record: Json) -> None:
        """File a new or changed record in the resource's equality indexes, if it has any."""
        indexes = self._indexes.get(resource)
        if indexes is not None:
            indexes.enter(record_id, record)

    def _unfile(self, resource: str, record_id: Any, record: Json, gone: bool = False) -> None:
        """Take a record out of the resource's equality indexes before it changes or goes."""
        indexes = self._indexes.get(resource)
        if indexes is not None:
            indexes.leave(record_id, record)
            if gone:
                indexes.forget(record_id)

    def _new_id(self, res: Resource) -> Any:
        if not res.integer_id:
            return self._ids.short()
        self._serial[res.name] = self._serial.get(res.name, 0) + 1
        return self._serial[res.name]

    def _index(self, res: Resource, record: Json, record_id: Any) -> None:
        """Point each unique value of the record at its id (None: drop the record's values)."""
        for name in res.unique:
            if name in record:
                index = self._unique.setdefault((res.name, name), {})
                if record_id is None:
                    index.pop(_hashable(record[name]), None)
                else:
                    index[_hashable(record[name])] = record_id

    def _check_unique(self, res: Resource, fields: Json, own_id: Any) -> None:
        for name in res.unique:
            if name not in fields:
                continue
            other = self._unique.get((res.name, name), {}).get(_hashable(fields[name]), own_id)
            if other != own_id:
                raise _clash(res, name, fields[name], other)


def _clash(res: Resource, field: str, value: Any, existing: Any) -> ApiError:
    """A value the resource keeps unique (or an id) that another record already has."""
    return ApiError(
        "duplicate_record",
        resource=res.name,
        field=field,
        value=value,
        id_field=res.id_field,
        existing=existing,
        path=f"$.{field}",
    )


def _hashable(value: Any) -> Any:
    """A dict key standing for a JSON value (objects and arrays by their sorted JSON text)."""
    if isinstance(value, dict | list):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    return value


def serve(call: Call) -> Any:
    """Answer an operation by its kind, on the calling tenant's records.

    An operation with its own response schema (an overlay, an import) gets the answer shaped
    to that schema.
    """
    call = replace(call, body=_fields(call))
    answer = KINDS[call.op.kind](call, call.state.records, call.op.resource)
    if "response" not in call.op.entry:
        return answer
    return conform(answer, call.op.response_schema["properties"]["data"])


def conform(value: Any, schema: Json) -> Any:
    """The value shaped to a schema: declared fields kept, required ones it lacks filled in.

    A page's `list` goes to the schema's one array field when the schema names it otherwise.
    """
    if "object" in types(schema) and isinstance(value, dict):
        return _conform_object(value, schema)
    if "array" in types(schema):
        items = schema.get("items", {})
        rows = value if isinstance(value, list) else [value]
        return [conform(row, items) for row in rows]
    return value if _fits(value, schema) else blank(schema)


def _conform_object(value: Json, schema: Json) -> Json:
    props, required = schema.get("properties", {}), schema.get("required", [])
    arrays = [k for k, v in props.items() if "array" in types(v)]
    if "list" in value and "list" not in props and len(arrays) == 1:
        value = {**value, arrays[0]: value["list"]}
    shaped = {k: conform(value[k], sub) for k, sub in props.items() if k in value}
    shaped.update({k: blank(props.get(k, {})) for k in required if k not in shaped})
    if schema.get("additionalProperties", True) is not False:
        shaped.update({k: v for k, v in value.items() if k not in props and k != "list"})
    return shaped


def blank(schema: Json) -> Any:
    """The plainest value a schema accepts, for a required field the engine holds no data for."""
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = next(iter(sorted(types(schema))), "object")
    if kind == "object":
        return conform({}, {**schema, "type": "object"})
    return {
        "string": "x" * int(schema.get("minLength", 0)),
        "integer": int(schema.get("minimum", 0)),
        "number": schema.get("minimum", 0),
        "boolean": False,
        "array": [],
        "null": None,
    }.get(kind)


def _fits(value: Any, schema: Json) -> bool:
    kinds = types(schema)
    if not kinds:
        return True
    checks = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "null": value is None,
        "object": isinstance(value, dict),
    }
    return any(checks.get(k, False) for k in kinds)


def _create(call: Call, records: Records, resource: str) -> Any:
    return records.create(resource, call.body)


def _get(call: Call, records: Records, resource: str) -> Any:
    return records.get(resource, _id(call.body, records.resource(resource)))


def _update(call: Call, records: Records, resource: str) -> Any:
    res = records.resource(resource)
    return records.update(resource, _id(call.body, res), without(call.body, res.id_field))


def _delete(call: Call, records: Records, resource: str) -> Any:
    res = records.resource(resource)
    return {res.id_field: records.delete(resource, _id(call.body, res))[res.id_field]}


def _page(call: Call, records: Records, resource: str) -> Any:
    """One page of the records matching the filters: stable order, exact total."""
    filters = without(call.body, *PAGE_FIELDS)
    asked = {
        "page": _whole(call.body, "page", 1),
        "page_size": _whole(call.body, "page_size", DEFAULT_PAGE_SIZE),
    }
    return page_of(records.find(resource, **filters), asked)


def _batch_create(call: Call, records: Records, resource: str) -> Any:
    def step(item: Json, path: str) -> Json:
        try:
            return records.create(resource, item)
        except ApiError as exc:  # the clash is in this item: say where
            exc.params["path"] = path + str(exc.params.get("path", "$"))[1:]
            raise

    return _each(call, records.resource(resource), step)


def _batch_update(call: Call, records: Records, resource: str) -> Any:
    id_field = records.resource(resource).id_field

    def step(item: Json, path: str) -> Json:
        try:
            return records.update(
                resource, item[id_field], without(item, id_field), f"{path}.{id_field}"
            )
        except ApiError as exc:
            if exc.key == "duplicate_record":  # the clash is in this item's field: say where
                exc.params["path"] = path + str(exc.params["path"])[1:]
            raise

    return _each(call, records.resource(resource), step)


def _batch_delete(call: Call, records: Records, resource: str) -> Any:
    def step(record_id: Any, path: str) -> Json:
        return records.delete(resource, record_id, path)

    return _each(call, records.resource(resource), step)


def _each(call: Call, res: Resource, step: Callable[[Any, str], Json]) -> Json:
    """A batch: each item on its own; failures are data, successes are stored."""

    def row(index: int, item: Any) -> Json:
        return {res.id_field: step(item, f"$.list[{index}]")[res.id_field]}

    return call.each(call.body["list"], row)


def _fields(call: Call) -> Json:
    """The call's JSON object; an operation without a body takes its query string instead."""
    if call.body is None:
        return dict(call.query)
    if not isinstance(call.body, dict):
        raise ApiError("invalid_request", path="$", reason="the engine takes a JSON object")
    return call.body


def _whole(body: Json, key: str, default: int) -> int:
    """A page number or size, also from a query string's text."""
    try:
        value = int(body.get(key, default))
    except (TypeError, ValueError):
        value = 0
    if value < 1:
        raise ApiError("invalid_request", path=f"$.{key}", reason="expected a whole number >= 1")
    return value


def _id(body: Json, res: Resource) -> Any:
    if res.id_field not in body:
        raise ApiError("invalid_request", path=f"$.{res.id_field}", reason="the id is required")
    return body[res.id_field]


KINDS: dict[str, Callable[[Call, Records, str], Any]] = {
    "create": _create,
    "action": _create,
    "get": _get,
    "update": _update,
    "delete": _delete,
    "list": _page,
    "query": _page,
    "batch_create": _batch_create,
    "batch_update": _batch_update,
    "batch_delete": _batch_delete,
}
