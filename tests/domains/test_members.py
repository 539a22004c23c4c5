"""Members and points: members of existing users, a points ledger the balance always equals."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from starlette.testclient import TestClient

from emulator import spec
from emulator.core import Emulator
from tests.conftest import post, user

CATALOGUE = spec.load()


def call(client: TestClient, headers: dict[str, str], op_id: str, body: Any) -> Any:
    """Call an operation by id; a success answer must match the operation's answer schema."""
    op = CATALOGUE.by_id[op_id]
    answer = post(client, op.path, body, headers)
    if answer["code"] == op.envelope.success_code:
        jsonschema.validate(answer, op.response_schema)
    return answer


def new_user(client: TestClient, headers: dict[str, str], mobile: str) -> str:
    """A new user's omni_user_uuid (created through the API)."""
    answer = post(client, "/v1/user/create", [user(mobile)], headers)
    uuid: str = answer["data"]["success"][0]["omni_user_uuid"]
    return uuid


def new_member(client: TestClient, headers: dict[str, str], mobile: str, **more: Any) -> Any:
    """A new member (with a new user) as member.create answers it."""
    body = {"omni_user_uuid": new_user(client, headers, mobile), "mobile": mobile, **more}
    answer = call(client, headers, "member.create", body)
    assert answer["code"] == 0, answer
    return answer["data"]


def points(
    client: TestClient, headers: dict[str, str], change: str, member: str, **more: Any
) -> Any:
    body = {"member_uuid": member, **more}
    return call(client, headers, f"member.points.{change}", body)


def balance(client: TestClient, headers: dict[str, str], member: str) -> int:
    answer = call(client, headers, "member.points.balance", {"uuid": member})
    assert answer["code"] == 0, answer
    held: int = answer["data"]["points"]
    return held


def error(answer: Any) -> tuple[int, str]:
    """An error answer's code and the JSON path it names."""
    return answer["code"], answer["data"]["details"][0]["path"]


def test_a_created_member_is_read_back_by_query_and_list(
    client: TestClient, headers: dict[str, str]
) -> None:
    member = new_member(client, headers, "13900000001", name="王芳", level="银卡会员")
    assert member["points"] == 0
    by_user = {"omni_user_uuid": member["omni_user_uuid"]}
    assert call(client, headers, "member.query", by_user)["data"]["list"] == [member]
    listed = call(client, headers, "member.list", {"page_size": 100})["data"]["list"]
    assert member in listed


def test_a_member_needs_an_existing_user(client: TestClient, headers: dict[str, str]) -> None:
    body = {"omni_user_uuid": "NoSuchUserNoSuchUser12", "mobile": "13900000002"}
    answer = call(client, headers, "member.create", body)
    assert error(answer) == (40030, "$.omni_user_uuid")


def test_a_user_has_at_most_one_member(client: TestClient, headers: dict[str, str]) -> None:
    member = new_member(client, headers, "13900000003")
    again = {"omni_user_uuid": member["omni_user_uuid"], "mobile": "13900000003"}
    assert error(call(client, headers, "member.create", again)) == (40006, "$.omni_user_uuid")


def test_opening_points_are_the_ledgers_first_record(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    member = new_member(client, headers, "13900000004", points=300)
    assert member["points"] == 300
    (opening,) = emulator.tenants.default.members.ledger(member["uuid"])
    assert (opening["change_type"], opening["points"], opening["reason"]) == (
        "add",
        300,
        "opening balance",
    )
    assert opening["balance"] == 300


def test_member_update_changes_details_that_query_reads(
    client: TestClient, headers: dict[str, str]
) -> None:
    member = new_member(client, headers, "13900000005")
    body = {"uuid": member["uuid"], "level": "金卡会员", "card_no": "JM0000000005"}
    updated = call(client, headers, "member.update", body)["data"]
    assert (updated["level"], updated["card_no"]) == ("金卡会员", "JM0000000005")
    query = call(client, headers, "member.query", {"card_no": "JM0000000005"})["data"]
    assert query["list"] == [updated]


def test_member_update_refuses_to_set_points(client: TestClient, headers: dict[str, str]) -> None:
    member = new_member(client, headers, "13900000006", points=10)
    answer = call(client, headers, "member.update", {"uuid": member["uuid"], "points": 999})
    assert error(answer) == (40041, "$.points")
    assert balance(client, headers, member["uuid"]) == 10


def test_member_update_refuses_an_unknown_user(client: TestClient, headers: dict[str, str]) -> None:
    member = new_member(client, headers, "13900000007")
    body = {"uuid": member["uuid"], "omni_user_uuid": "NoSuchUserNoSuchUser12"}
    assert error(call(client, headers, "member.update", body)) == (40030, "$.omni_user_uuid")


def test_adding_points_records_the_change_with_reason_time_and_balance(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    member = new_member(client, headers, "13900000008")["uuid"]
    emulator.clock.advance(90)
    answer = points(client, headers, "add", member, points=120, reason="线下活动签到")
    record = answer["data"]
    assert (record["change_type"], record["points"], record["balance"]) == ("add", 120, 120)
    assert (record["reason"], record["create_time"]) == ("线下活动签到", "2026-01-01 08:01:30")
    assert emulator.tenants.default.members.ledger(member) == [record]
    assert balance(client, headers, member) == 120


def test_deducting_more_than_the_balance_is_refused_and_changes_nothing(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    member = new_member(client, headers, "13900000009", points=50)["uuid"]
    answer = points(client, headers, "deduct", member, points=51, reason="兑换礼品")
    assert error(answer) == (40040, "$.points")
    assert "has 50 points" in answer["msg"]
    assert balance(client, headers, member) == 50
    assert len(emulator.tenants.default.members.ledger(member)) == 1


def test_deducting_the_whole_balance_leaves_zero(
    client: TestClient, headers: dict[str, str]
) -> None:
    member = new_member(client, headers, "13900000010", points=50)["uuid"]
    answer = points(client, headers, "deduct", member, points=50, reason="兑换礼品")
    assert (answer["data"]["change_type"], answer["data"]["balance"]) == ("deduct", 0)
    assert balance(client, headers, member) == 0


def test_the_balance_always_equals_the_ledgers_sum(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    member = new_member(client, headers, "13900000011", points=20)["uuid"]
    for change, amount in [("add", 30), ("deduct", 45), ("deduct", 10), ("add", 7), ("add", 1)]:
        points(client, headers, change, member, points=amount, reason="调整")
        ledger = emulator.tenants.default.members.ledger(member)
        total = sum(r["points"] if r["change_type"] == "add" else -r["points"] for r in ledger)
        assert balance(client, headers, member) == total == ledger[-1]["balance"]
    assert (total, len(ledger)) == (13, 5)  # the deduct of 10 from 5 was refused, not recorded


def test_member_query_shows_the_points_the_ledger_moved(
    client: TestClient, headers: dict[str, str]
) -> None:
    member = new_member(client, headers, "13900000012")
    points(client, headers, "add", member["uuid"], points=8, reason="评价晒单")
    query = call(client, headers, "member.query", {"omni_user_uuid": member["omni_user_uuid"]})
    assert query["data"]["list"][0]["points"] == 8


def test_the_balance_of_an_unknown_member_is_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    answer = call(client, headers, "member.points.balance", {"uuid": "NoSuchMemberNoSuchMem1"})
    assert error(answer) == (40005, "$.uuid")


def test_points_of_an_unknown_member_are_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    answer = points(client, headers, "add", "NoSuchMemberNoSuchMem1", points=1, reason="x")
    assert error(answer) == (40005, "$.member_uuid")


@pytest.mark.parametrize("missing", ["points", "reason"])
def test_points_and_reason_are_required_without_a_rule(
    client: TestClient, headers: dict[str, str], missing: str
) -> None:
    member = new_member(client, headers, "13900000015")["uuid"]
    body = {k: v for k, v in {"points": 5, "reason": "x"}.items() if k != missing}
    assert error(points(client, headers, "add", member, **body)) == (40060, f"$.{missing}")


def rule(client: TestClient, headers: dict[str, str], change_type: str) -> Any:
    """A demo member rule of that change type, as member.rules.list answers it."""
    rules = call(client, headers, "member.rules.list", {"page_size": 100})["data"]["list"]
    return next(r for r in rules if r["change_type"] == change_type)


def test_a_member_rule_gives_the_points_and_reason_left_out(
    client: TestClient, headers: dict[str, str]
) -> None:
    member = new_member(client, headers, "13900000016")["uuid"]
    sign_up = rule(client, headers, "add")
    record = points(client, headers, "add", member, rule_uuid=sign_up["uuid"])["data"]
    assert (record["points"], record["reason"]) == (sign_up["points"], sign_up["name"])
    assert record["rule_uuid"] == sign_up["uuid"]
    given = points(client, headers, "add", member, rule_uuid=sign_up["uuid"], points=1)
    assert given["data"]["points"] == 1


def test_a_rule_of_the_other_change_type_is_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    member = new_member(client, headers, "13900000017", points=1000)["uuid"]
    redeem = rule(client, headers, "deduct")
    answer = points(client, headers, "add", member, rule_uuid=redeem["uuid"])
    assert error(answer) == (40042, "$.rule_uuid")
    assert balance(client, headers, member) == 1000


def test_a_disabled_rule_is_refused(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    member = new_member(client, headers, "13900000018")["uuid"]
    fields = {"name": "停用规则", "change_type": "add", "points": 9, "is_enabled": 0}
    disabled = emulator.tenants.default.records.create("member_rule", fields)
    answer = points(client, headers, "add", member, rule_uuid=disabled["uuid"])
    assert error(answer) == (40043, "$.rule_uuid")


def test_an_unknown_rule_is_refused(client: TestClient, headers: dict[str, str]) -> None:
    member = new_member(client, headers, "13900000019")["uuid"]
    answer = points(client, headers, "add", member, rule_uuid="NoSuchRuleNoSuchRule12")
    assert error(answer) == (40005, "$.rule_uuid")


def test_a_repeated_request_id_answers_the_first_change_and_changes_nothing(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    member = new_member(client, headers, "13900000020")["uuid"]
    body = {"points": 40, "reason": "订单返积分", "request_id": "order-20260101-0001"}
    first = points(client, headers, "add", member, **body)
    emulator.clock.advance(5)
    again = points(client, headers, "add", member, **body)
    assert again["data"] == first["data"]
    assert balance(client, headers, member) == 40
    assert len(emulator.tenants.default.members.ledger(member)) == 1


def test_a_request_id_used_for_another_change_is_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    member = new_member(client, headers, "13900000021", points=100)["uuid"]
    points(client, headers, "add", member, points=40, reason="返积分", request_id="r-1")
    other = points(client, headers, "deduct", member, points=40, reason="返积分", request_id="r-1")
    assert error(other) == (40044, "$.request_id")
    more = points(client, headers, "add", member, points=41, reason="返积分", request_id="r-1")
    assert error(more) == (40044, "$.request_id")
    assert balance(client, headers, member) == 140


def test_a_refused_change_can_be_retried_with_its_request_id(
    client: TestClient, headers: dict[str, str]
) -> None:
    member = new_member(client, headers, "13900000022")["uuid"]
    body = {"points": 30, "reason": "兑换", "request_id": "redeem-1"}
    assert points(client, headers, "deduct", member, **body)["code"] == 40040
    points(client, headers, "add", member, points=30, reason="充值")
    assert points(client, headers, "deduct", member, **body)["data"]["balance"] == 0


def test_points_cannot_pass_the_balance_limit(client: TestClient, headers: dict[str, str]) -> None:
    member = new_member(client, headers, "13900000023", points=100_000_000)["uuid"]
    answer = points(client, headers, "add", member, points=1, reason="x")
    assert error(answer) == (40049, "$.points")
    assert balance(client, headers, member) == 100_000_000


def test_member_rules_list_answers_the_tenants_rules(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    listed = call(client, headers, "member.rules.list", {"page_size": 100})["data"]
    assert listed["list"] == emulator.tenants.default.records.find("member_rule")
    assert {r["change_type"] for r in listed["list"]} == {"add", "deduct"}
