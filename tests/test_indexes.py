"""Equality indexes: a find gives exactly what a scan of the table gives, oldest first, while
reading only the records it matches."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.clock import Clock, Ids
from emulator.conventions import Resource
from emulator.engine import Records
from emulator.envelope import ApiError
from emulator.indexes import ODD, Indexes, key, matching
from tests.conftest import START

WIDGET = Resource(name="widget", id_field="id", integer_id=True, unique=(), schema={})
FIELDS = ("id", "colour", "size")
NAN = float("nan")
GIVEN = (101, 102, 103)  # ids a create may give: beyond those assigned (1, 2, ...) in a script
TARGETS = (1, 2, 3, 4, 101, 102)  # ids an update or delete names: stored or not
# Values whose equality is subtle: numbers equal across types, arrays and objects equal by
# content, a NaN equal only to itself inside an array; and values that are not JSON, some equal
# to JSON ones (an OrderedDict equals the dict of its items), some unhashable (a set).
VALUES: list[Any] = [
    *(None, 1, 1.0, True, False, "a", NAN),
    *([], [1], [True, "a"], [1.0, "a"], [NAN], {"x": 1}, {"y": [2], "x": 1.0}),
    *((1,), {1}, OrderedDict(x=1), [OrderedDict(x=True)], [{"x": 1}]),
    *({"o": OrderedDict(x=1)}, {"o": {"x": 1.0}}),
]


def records() -> Records:
    return Records({WIDGET.name: WIDGET}, Clock(START), Ids(7))


def make(store: Records, *rows: dict[str, Any]) -> list[Any]:
    return [store.create("widget", row)["id"] for row in rows]


def ids(found: list[dict[str, Any]]) -> list[Any]:
    return [row["id"] for row in found]


# Common values half the time, so that records share values and move between them.
value = st.sampled_from(["a", "b"]) | st.sampled_from(VALUES)
fields = st.fixed_dictionaries({"colour": value}, optional={"size": value})
create = st.tuples(st.just("create"), fields, st.sampled_from([None, None, None, *GIVEN]))
update = st.tuples(st.just("update"), fields, st.sampled_from(TARGETS))
NO_FIELDS: dict[str, Any] = {}
delete = st.tuples(st.just("delete"), st.just(NO_FIELDS), st.sampled_from(TARGETS))
reset = st.tuples(st.just("reset"), st.just(NO_FIELDS), st.none())
filters = st.dictionaries(
    st.sampled_from(FIELDS), value | st.sampled_from([2, 3]), min_size=1, max_size=2
)
find = st.tuples(st.just("find"), filters, st.none())
sweep = st.tuples(st.just("sweep"), st.just(NO_FIELDS), st.none())
# Writes mostly, so that records pile up and move between values between finds.
STEPS = {"create": create, "update": update, "delete": delete, "find": find, "sweep": sweep}
steps = st.lists(
    st.sampled_from(
        [*["create", "update"] * 4, "delete", "find", "sweep", "sweep", "reset"]
    ).flatmap(lambda action: STEPS.get(action, reset)),
    min_size=20,
    max_size=60,
)
# A sweep: one find per field and value, so no stale or missing record goes unseen.
SWEEP = [{name: value} for name in FIELDS for value in [*VALUES, 2, 3, 4, 5, 101]]


@settings(max_examples=200, deadline=None)
@given(steps)
def test_every_find_gives_what_a_scan_of_the_records_in_creation_order_gives(
    script: list[tuple[str, dict[str, Any], int | None]],
) -> None:
    store, model = records(), dict[Any, dict[str, Any]]()  # the model: id -> fields, in order
    for action, body, number in script:
        if action in {"find", "sweep"}:
            for filters in [body] if action == "find" else SWEEP:
                expected = [i for i, row in model.items() if _equal(row, filters)]
                assert ids(store.find("widget", **filters)) == expected, filters
        elif action == "reset":
            store.reset()
            model.clear()
        else:
            _write(store, model, action, body, number)


def _equal(row: dict[str, Any], filters: dict[str, Any]) -> bool:
    return all(row.get(k) == v for k, v in filters.items())


def _write(store: Records, model: dict[Any, Any], action: str, body: Any, number: Any) -> None:
    """Apply a write to the store and the model alike; one the model says fails must fail
    (a create giving a stored id, a change to a missing one) and changes neither."""
    if (number in model) == (action == "create"):
        with pytest.raises(ApiError):
            _apply(store, action, body, number)
    elif action == "create":
        made = _apply(store, action, body, number)
        model[made] = {**body, "id": made}
    elif action == "update":
        _apply(store, action, body, number)
        model[number].update(body)
    else:
        _apply(store, action, body, number)
        del model[number]


def _apply(store: Records, action: str, body: Any, number: Any) -> Any:
    if action == "create":
        return store.create("widget", {**body, **({} if number is None else {"id": number})})["id"]
    if action == "update":
        return store.update("widget", number, body)
    return store.delete("widget", number)


def test_a_none_filter_finds_missing_fields_and_none_values_oldest_first() -> None:
    store = records()
    first, second, third = make(store, {"colour": None}, {"size": 1}, {"colour": "red"})
    assert ids(store.find("widget", colour=None)) == [first, second]
    store.update("widget", second, {"colour": "red"})
    assert ids(store.find("widget", colour=None)) == [first]
    assert ids(store.find("widget", colour="red")) == [second, third]


def test_numbers_equal_across_int_float_and_bool_are_found_as_a_scan_finds_them() -> None:
    store = records()
    one, real, true, zero = make(store, {"size": 1}, {"size": 1.0}, {"size": True}, {"size": 0})
    assert ids(store.find("widget", size=1)) == [one, real, true]
    assert ids(store.find("widget", size=False)) == [zero]
    assert ids(store.find("widget", size=-0.0)) == [zero]


def test_arrays_and_objects_are_found_by_content_whatever_the_key_order() -> None:
    store = records()
    made = make(
        store, {"tags": {"a": 1, "b": [2]}}, {"tags": ["x", 1]}, {"tags": {"b": [2.0], "a": True}}
    )
    assert ids(store.find("widget", tags={"b": [2], "a": 1})) == [made[0], made[2]]
    assert ids(store.find("widget", tags=["x", 1.0])) == [made[1]]
    assert store.find("widget", tags=[1, "x"]) == []


def test_values_that_are_not_json_are_still_found_exactly() -> None:
    store = records()
    made = make(store, {"tags": (1,)}, {"tags": {1}}, {"tags": [1]}, {"tags": frozenset({1})})
    assert ids(store.find("widget", tags=(1,))) == [made[0]]
    assert ids(store.find("widget", tags=frozenset({1}))) == [made[1], made[3]]
    assert ids(store.find("widget", tags=[1])) == [made[2]]
    ordered, plain = make(store, {"tags": [OrderedDict(x=1)]}, {"tags": [{"x": True}]})
    assert ids(store.find("widget", tags=[{"x": 1.0}])) == [ordered, plain]
    assert ids(store.find("widget", tags=OrderedDict(x=1))) == []


def test_nan_is_found_only_inside_an_array_holding_the_same_nan() -> None:
    store = records()
    alone, inside = make(store, {"size": NAN}, {"size": [NAN]})
    assert store.find("widget", size=NAN) == matching([store.get("widget", alone)], {"size": NAN})
    assert ids(store.find("widget", size=[NAN])) == [inside]


def test_a_value_nested_too_deep_to_key_is_found_by_a_scan() -> None:
    deep: list[Any] = []
    for _ in range(5000):
        deep = [deep]
    store = records()
    held, other = make(store, {"tags": deep}, {"tags": "flat"})
    assert key(deep) is ODD
    assert ids(store.find("widget", tags=deep)) == [held]
    assert ids(store.find("widget", tags="flat")) == [other]
    store.update("widget", held, {"tags": "flat"})
    assert ids(store.find("widget", tags="flat")) == [held, other]


def test_several_filters_must_all_hold() -> None:
    store = records()
    rows = [{"colour": c, "size": s} for c in ("red", "blue") for s in (1, 2)]
    made = make(store, *rows, {"colour": "red"})
    assert ids(store.find("widget", colour="red", size=2)) == [made[1]]
    assert ids(store.find("widget", size=1, colour="blue")) == [made[2]]
    assert store.find("widget", colour="green", size=1) == []


def test_an_updated_record_keeps_its_place_in_creation_order() -> None:
    store = records()
    first, second, third = make(store, {"colour": "red"}, {"colour": "blue"}, {"colour": "red"})
    store.find("widget", colour="red")  # the index exists before the records change
    store.update("widget", third, {"colour": "blue"})
    store.update("widget", first, {"colour": "blue"})
    assert ids(store.find("widget", colour="blue")) == [first, second, third]
    assert store.find("widget", colour="red") == []


def test_an_id_used_again_after_a_delete_is_a_new_record_found_last() -> None:
    store = records()
    first, second = make(store, {"colour": "red"}, {"colour": "red"})
    assert ids(store.find("widget", colour="red")) == [first, second]
    store.delete("widget", first)
    make(store, {"id": first, "colour": "red"})
    assert ids(store.find("widget", colour="red")) == [second, first]
    assert ids(store.find("widget", id=first)) == [first]


def test_reset_forgets_the_indexes_with_the_records() -> None:
    store = records()
    make(store, {"colour": "red"})
    assert len(store.find("widget", colour="red")) == 1
    store.reset()
    assert store.find("widget", colour="red") == []
    (again,) = make(store, {"colour": "red"})
    assert ids(store.find("widget", colour="red")) == [again]


def test_a_find_without_filters_gives_every_record_oldest_first() -> None:
    store = records()
    made = make(store, {"colour": "red"}, {}, {"size": 2})
    assert ids(store.find("widget")) == made
    assert store.find("nothing", colour="red") == []


class Probe:
    """A stored value that counts how often a find compares it with a filter."""

    compared = 0
    __hash__ = None  # type: ignore[assignment]  # compared, never hashed

    def __eq__(self, other: object) -> bool:
        Probe.compared += 1
        return True


def test_a_find_compares_only_the_records_of_the_smallest_matching_bucket() -> None:
    # A scan compares the probe field (the first filter) of all 10,000 records; the index
    # reads the 10 records of group 7 and compares only theirs.
    store = records()
    make(store, *({"group": n % 1000, "probe": Probe()} for n in range(10_000)))
    Probe.compared = 0
    assert len(store.find("widget", probe="any", group=7)) == 10
    assert Probe.compared == 10
    store.update("widget", 9, {"group": 7})
    Probe.compared = 0
    assert ids(store.find("widget", probe="any", group=7)) == [8, 9, *range(1008, 10_001, 1000)]
    assert Probe.compared == 11


class Sealed(dict[Any, Any]):
    """A table that refuses to be read whole once sealed."""

    sealed = False

    def __iter__(self) -> Iterator[Any]:
        assert not self.sealed, "the table was iterated"
        return super().__iter__()

    def values(self) -> Any:
        assert not self.sealed, "the table was iterated"
        return super().values()

    def items(self) -> Any:
        assert not self.sealed, "the table was iterated"
        return super().items()


def test_indexes_never_read_the_table_whole_once_a_field_is_indexed() -> None:
    rows = Sealed({n: {"id": n, "colour": ["red", "blue"][n % 2]} for n in range(1000)})
    indexes = Indexes(rows)
    assert len(indexes.find({"colour": "red"})) == 500
    rows.sealed = True
    rows[1000] = {"id": 1000, "colour": "red"}
    indexes.enter(1000, rows[1000])
    indexes.leave(0, rows[0])
    indexes.forget(0)
    del rows[0]
    assert [r["id"] for r in indexes.find({"colour": "red"})][:2] == [2, 4]
    assert indexes.find({"colour": "red"})[-1]["id"] == 1000
    with pytest.raises(AssertionError, match="iterated"):
        indexes.find({"colour": (1,)})  # a value with no key is found by a scan
