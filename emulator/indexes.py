"""Equality indexes over one resource's records: which records hold a value in a field, oldest
first, so that a find costs the records it matches rather than the whole table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from emulator.spec import Json

Bucket = dict[int, Json]  # a record's place in creation order -> the record
ODD: Any = object()  # the key of a value with no exact key (not plain JSON): always a candidate
_SCALARS = frozenset({str, int, float, bool, type(None)})
_EMPTY: Bucket = {}  # never written: what a value no record holds finds


class Indexes:
    """One resource's equality indexes: a field's index is built on the first find that filters
    on it, then kept current by the store, which files each record as it is created or changed
    (`enter`) and takes it out before it changes or goes (`leave`, then `forget` when it goes).

    `rows` is the store's own table (id -> record, oldest first), read to build an index.
    """

    def __init__(self, rows: Mapping[Any, Json]) -> None:
        self._rows = rows
        self._born = {record_id: place for place, record_id in enumerate(rows)}
        self._next = len(self._born)
        self._fields: dict[str, dict[Any, Bucket]] = {}

    def find(self, filters: Json) -> list[Json]:
        """The records whose fields equal every filter, oldest first: the smallest bucket the
        filters name, each record of it checked against every filter as a scan checks it."""
        smallest: Bucket | None = None
        for field, value in filters.items():
            bucket = self._bucket(field, value if type(value) in _SCALARS else key(value))
            if bucket is None:  # a value with no exact key: found by a scan
                return matching(self._rows.values(), filters)
            if smallest is None or len(bucket) < len(smallest):
                smallest = bucket
        if not smallest:  # no filter (the whole table), or no record holds the value
            return matching(self._rows.values(), filters) if smallest is None else []
        return matching((smallest[place] for place in sorted(smallest)), filters)

    def enter(self, record_id: Any, record: Json) -> None:
        """File a record, new (it takes the next place in creation order) or just changed."""
        place = self._born.get(record_id)
        if place is None:
            place = self._born[record_id] = self._next
            self._next += 1
        for field, index in self._fields.items():
            index.setdefault(key(record.get(field)), {})[place] = record

    def leave(self, record_id: Any, record: Json) -> None:
        """Take a record out of every index, as it is now; it keeps its place in creation order."""
        place = self._born[record_id]
        for field, index in self._fields.items():
            value = key(record.get(field))
            bucket = index[value]
            del bucket[place]
            if not bucket:
                del index[value]

    def forget(self, record_id: Any) -> None:
        """Drop a deleted record's place (an id used again is a new record, filed last)."""
        del self._born[record_id]

    def _bucket(self, field: str, value: Any) -> Bucket | None:
        """The records whose key in a field is this one, with those holding odd values (None
        for an odd key: no bucket holds exactly its records)."""
        if value is ODD:
            return None
        index = self._fields.get(field)
        if index is None:
            index = self._fields[field] = {}
            for record_id, record in self._rows.items():
                index.setdefault(key(record.get(field)), {})[self._born[record_id]] = record
        odd = index.get(ODD)
        return {**index.get(value, {}), **odd} if odd else index.get(value, _EMPTY)


def matching(rows: Iterable[Json], filters: Json) -> list[Json]:
    """The rows whose fields equal every filter (a missing field is None), in the given order."""
    if len(filters) == 1:  # the usual find, without a generator per row
        ((name, value),) = filters.items()
        return [r for r in rows if r.get(name) == value]
    return [r for r in rows if all(r.get(k) == v for k, v in filters.items())]


def key(value: Any) -> Any:
    """A dict key that is the same for any two values `==` finds equal: the value itself for a
    JSON scalar, a tuple or frozenset of keys for an array or object; ODD for anything else."""
    try:
        return _key(value)
    except RecursionError:  # nested too deep to key: found by a scan instead
        return ODD


def _key(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value  # equal numbers hash alike (1 == 1.0 == True): one bucket, as `==` has it
    if kind is list:
        items = tuple(_key(item) for item in value)
        return ODD if any(k is ODD for k in items) else ("[", items)
    if kind is dict:
        pairs = [(name, _key(item)) for name, item in value.items()]
        return ODD if any(k is ODD for _, k in pairs) else ("{", frozenset(pairs))
    return ODD
