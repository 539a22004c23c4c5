"""Valid requests whose reference fields take met values, mixed with the schema's own."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import jsonschema
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from contract_tests.cases import Case
from contract_tests.referenced import referenced
from contract_tests.references import Pool
from contract_tests.strategies import from_operation
from emulator import spec

CATALOGUE = spec.load()
OP = CATALOGUE.by_id
FEW = settings(
    max_examples=30, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)
GROUP = 20541
TASK = "T" * 22


def case(op_id: str, body: Any) -> Case:
    op = OP[op_id]
    return Case(op.id, op.method, op.path, body, True)


def test_reference_fields_take_met_values_that_keep_the_request_valid() -> None:
    op = OP["crowd.static.detail"]
    pools = {"group_id": Pool(("not a number", GROUP))}
    requests = referenced(op, from_operation(op.id), lambda: pools)
    met = find(requests, lambda c: c.body["group_id"] == GROUP, settings=FEW)
    assert met.valid
    other = find(requests, lambda c: c.body["group_id"] != GROUP, settings=FEW)
    assert isinstance(other.body["group_id"], int)  # the schema's own value: maybe unknown

    schema = op.body_schema
    assert schema is not None

    @FEW
    @given(requests)
    def check(drawn: Case) -> None:
        jsonschema.validate(drawn.body, schema)
        assert drawn.body["group_id"] != "not a number"

    check()


def test_a_reference_field_the_request_left_out_may_be_added() -> None:
    op = OP["sms.send"]
    drawn = case(op.id, {"omni_user_uuid": "U" * 22, "content": "hi"})
    requests = referenced(op, st.just(drawn), lambda: {"task_uuid": Pool((TASK,))})
    added = find(requests, lambda c: "task_uuid" in c.body, settings=FEW)
    assert added.body == {**drawn.body, "task_uuid": TASK}
    assert find(requests, lambda c: c.body == drawn.body, settings=FEW) == drawn


def test_a_plural_field_takes_a_list_of_met_values() -> None:
    op = OP["score.user.active"]
    pools = {"omni_user_uuids": Pool(("a", "b", "c"), plural=True)}
    requests = referenced(op, st.just(case(op.id, {"omni_user_uuids": ["z"]})), lambda: pools)
    two = find(requests, lambda c: len(c.body["omni_user_uuids"]) >= 2, settings=FEW)
    assert set(two.body["omni_user_uuids"]) <= {"a", "b", "c"}


def test_no_met_values_leave_the_schema_strategy_as_it_is() -> None:
    op = OP["crowd.static.detail"]
    valid = from_operation(op.id)
    assert referenced(op, valid, dict) is valid
    no_body = replace(op, body_schema=None)
    assert referenced(no_body, valid, lambda: {"group_id": Pool((GROUP,))}) is valid
    pools: dict[str, Pool] = {"group_id": Pool((GROUP,))}
    requests = referenced(op, st.just(case(op.id, {"group_id": 5})), lambda: pools)
    pools.clear()  # every met record was deleted since: the drawn request is sent as it is

    @FEW
    @given(requests)
    def check(drawn: Case) -> None:
        assert drawn.body == {"group_id": 5}

    check()


def test_met_values_the_schema_refuses_are_never_sent() -> None:
    op, send = OP["crowd.static.detail"], OP["sms.send"]
    drawn = case(send.id, {"omni_user_uuid": "U" * 22, "content": "hi"})
    integers = referenced(send, st.just(drawn), lambda: {"task_uuid": Pool((7,))})
    words = referenced(
        op, st.just(case(op.id, {"group_id": 5})), lambda: {"group_id": Pool(("x",))}
    )

    @FEW
    @given(integers, words)
    def check(without_task: Case, with_drawn_group: Case) -> None:
        assert without_task.body == drawn.body  # 7 is no task_uuid: the field stays out
        assert with_drawn_group.body == {"group_id": 5}

    check()


def test_reference_fields_inside_a_batch_take_met_values_too() -> None:
    op = OP["user.update"]
    identity = {"type": "thirdparty_channel", "value": "v", "channel_uuid": "old"}
    drawn = case(op.id, [{"identities": [identity]}])
    requests = referenced(op, st.just(drawn), lambda: {"channel_uuid": Pool(("met",))})
    met = find(requests, lambda c: c.body != drawn.body, settings=FEW)
    assert met.body == [{"identities": [{**identity, "channel_uuid": "met"}]}]
