"""Valid requests whose reference fields name records that exist: values drawn from the ids a
contract run met, mixed with the schema's own values so that not-found answers stay exercised."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from contract_tests.cases import Case, batch_breaks
from contract_tests.references import Pool, validator
from emulator.spec import Json, Operation

# Three requests in four take met values; the fourth keeps the schema's (most likely unknown).
MIX = (True, True, True, False)
TRIES = 5  # met values tried in turn for one field before its drawn value is kept
MOST_IDS = 5  # ids in one drawn list of references
ABSENT = object()  # a field the drawn request left out
Check = Callable[[], bool]
Pools = Callable[[], dict[str, Pool]]


def referenced(op: Operation, valid: st.SearchStrategy[Case], pools: Pools) -> Any:
    """The valid requests, each reference field (at any depth, and the top level's optional
    ones when left out) mostly given a met value; values that would make the request invalid
    are skipped. Pools are read at each draw: a delete takes its ids out. None met: the valid
    requests as they are."""
    if not pools() or op.body_schema is None:
        return valid

    @st.composite
    def requests(draw: st.DrawFn) -> Case:
        case, met = draw(valid), pools()
        if not met or not draw(st.sampled_from(MIX), label="met values"):
            return case
        return replace(case, body=with_met_values(draw, op, case.body, met))

    return requests()


def with_met_values(draw: st.DrawFn, op: Operation, body: Any, met: dict[str, Pool]) -> Any:
    """A copy of a valid body with met values in its reference fields, still valid."""
    schema = op.body_schema or {}
    valid, body = validator(json.dumps(schema)), copy.deepcopy(body)

    def check() -> bool:
        return bool(valid.is_valid(body)) and not batch_breaks(op.batch, body)

    declared = set(schema.get("properties") or {}) & set(met)
    for holder, key in [*slots(body, met), *_left_out(draw, body, declared)]:
        fill(draw, holder, key, met[key], check)
    return body


def slots(value: Any, pools: dict[str, Pool]) -> Iterator[tuple[Json, str]]:
    """Each object in a value with a key that has a pool, with that key."""
    if isinstance(value, dict):
        yield from ((value, key) for key in value if key in pools)
        children: Any = value.values()
    else:
        children = value if isinstance(value, list) else ()
    for child in children:
        yield from slots(child, pools)


def _left_out(draw: st.DrawFn, body: Any, names: set[str]) -> list[tuple[Json, str]]:
    """Optional top-level reference fields the request left out, half of them to fill."""
    if not isinstance(body, dict):
        return []
    absent = sorted(names - set(body))
    return [(body, key) for key in absent if draw(st.booleans(), label=f"add {key}")]


def fill(draw: st.DrawFn, holder: Json, key: str, pool: Pool, check: Check) -> None:
    """Give holder[key] a met value (a list of them for a plural field) that keeps the request
    valid; keep the drawn value (or its absence) if none does."""
    drawn = holder.get(key, ABSENT)
    for candidate in _candidates(draw, pool):
        holder[key] = candidate
        if check():
            return
    if drawn is ABSENT:
        del holder[key]
    else:
        holder[key] = drawn


def _candidates(draw: st.DrawFn, pool: Pool) -> list[Any]:
    values = pool.values
    if pool.plural:
        most = min(len(values), MOST_IDS)
        picked = draw(st.lists(st.integers(0, len(values) - 1), min_size=1, max_size=most))
        return [[values[i] for i in dict.fromkeys(picked)]]
    start = draw(st.integers(0, len(values) - 1), label="met value")
    return list((values[start:] + values[:start])[:TRIES])
