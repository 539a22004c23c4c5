"""Equality indexes over one resource's records: which records hold a value in a field, oldest
first, so that a find costs the records it matches rather than the whole table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from emulator.spec import Json

Bucket = dict[int, Json]  # a record's place in creation order -> the record
ODD: Any = object()  # the key of a value with no exact key (not plain JSON): always a candidate
_SCALARS = frozenset({str, int, float, bool, type(None)})


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
        keys = {field: key(value) for field, value in filters.items()}
        if not keys or any(k is ODD for k in keys.values()):
            return matching(self._rows.values(), filters)
        found, odd = min((self._bucket(field, k) for field, k in keys.items()), key=_size)
        bucket = {**found, **odd} if odd else found
        return matching((bucket[place] for place in sorted(bucket)), filters)

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

    def _bucket(self, field: str, value: Any) -> tuple[Bucket, Bucket]:
        """The records whose key in a field is this one, and those holding odd values."""
        index = self._fields.get(field)
        if index is None:
            index = self._fields[field] = {}
            for record_id, record in self._rows.items():
                index.setdefault(key(record.get(field)), {})[self._born[record_id]] = record
        return index.get(value, {}), index.get(ODD, {})


def _size(buckets: tuple[Bucket, Bucket]) -> int:
    return len(buckets[0]) + len(buckets[1])


def matching(rows: Iterable[Json], filters: Json) -> list[Json]:
    """The rows whose fields equal every filter (a missing field is None), in the given order."""
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
