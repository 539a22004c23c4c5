"""Custom events: definitions with attributes, occurrences reported for existing users."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator.core import Emulator
from tests.domains.test_members import call, error, new_user

SIGN_UP = {
    "name": "trial_signup",
    "display_name": "申请试用",
    "attributes": [
        {"code": "product", "type": "string", "required": True},
        {"code": "seats", "type": "number"},
        {"code": "is_partner", "type": "boolean"},
        {"code": "modules", "type": "list"},
        {"code": "note"},
    ],
}


def define(client: TestClient, headers: dict[str, str], event: Any = None) -> Any:
    answer = call(client, headers, "custom_event.create", event or SIGN_UP)
    assert answer["code"] == 0, answer
    return answer["data"]


def report(client: TestClient, headers: dict[str, str], user: str, **more: Any) -> Any:
    body = {"event": "trial_signup", "omni_user_uuid": user, **more}
    return call(client, headers, "custom_event.report", body)


def reported(emulator: Emulator, user: str) -> list[Any]:
    return emulator.tenants.default.records.find("custom_event_record", omni_user_uuid=user)


def test_a_defined_event_is_stored_with_its_attributes(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    event = define(client, headers)
    assert event["attributes"] == SIGN_UP["attributes"]
    stored = emulator.tenants.default.records.find("custom_event", name="trial_signup")
    assert stored == [event]


def test_event_names_are_unique(client: TestClient, headers: dict[str, str]) -> None:
    define(client, headers)
    again = call(client, headers, "custom_event.create", SIGN_UP)
    assert error(again) == (40006, "$.name")


def test_an_attribute_declared_twice_is_refused(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    twice = {**SIGN_UP, "attributes": [{"code": "sku"}, {"code": "sku", "required": True}]}
    answer = call(client, headers, "custom_event.create", twice)
    assert error(answer) == (40060, "$.attributes[1].code")
    assert emulator.tenants.default.records.find("custom_event", name="trial_signup") == []


def test_a_report_is_stored_at_the_current_time(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    define(client, headers)
    user = new_user(client, headers, "13700000001")
    emulator.clock.advance(60)
    values = {"product": "JINGdigital", "seats": 20, "is_partner": False, "modules": ["edm"]}
    answer = report(client, headers, user, attributes=values)
    assert answer["code"] == 0, answer
    assert answer["data"]["event_time"] == "2026-01-01 08:01:00"
    assert answer["data"]["attributes"] == values
    assert reported(emulator, user) == [answer["data"]]


def test_a_report_keeps_the_event_time_it_gives(
    client: TestClient, headers: dict[str, str]
) -> None:
    define(client, headers)
    user = new_user(client, headers, "13700000002")
    answer = report(
        client, headers, user, attributes={"product": "x"}, event_time="2025-12-31 23:59:59"
    )
    assert answer["data"]["event_time"] == "2025-12-31 23:59:59"


def test_reporting_an_undefined_event_fails(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    user = new_user(client, headers, "13700000003")
    answer = report(client, headers, user, attributes={"product": "x"})
    assert error(answer) == (40045, "$.event")
    assert "trial_signup" in answer["msg"]
    assert reported(emulator, user) == []


def test_reporting_for_an_unknown_user_fails(client: TestClient, headers: dict[str, str]) -> None:
    define(client, headers)
    answer = report(client, headers, "NoSuchUserNoSuchUser12", attributes={"product": "x"})
    assert error(answer) == (40030, "$.omni_user_uuid")


@pytest.mark.parametrize("values", [{}, {"product": None, "seats": 3}])
def test_reporting_without_a_required_attribute_fails(
    client: TestClient, headers: dict[str, str], emulator: Emulator, values: Any
) -> None:
    define(client, headers)
    user = new_user(client, headers, "13700000004")
    answer = report(client, headers, user, attributes=values)
    assert error(answer) == (40046, "$.attributes.product")
    assert reported(emulator, user) == []


def test_a_report_without_attributes_fails_when_one_is_required(
    client: TestClient, headers: dict[str, str]
) -> None:
    define(client, headers)
    user = new_user(client, headers, "13700000005")
    assert error(report(client, headers, user)) == (40046, "$.attributes.product")


def test_reporting_an_undeclared_attribute_fails(
    client: TestClient, headers: dict[str, str]
) -> None:
    define(client, headers)
    user = new_user(client, headers, "13700000006")
    answer = report(client, headers, user, attributes={"product": "x", "colour": "red"})
    assert error(answer) == (40047, "$.attributes.colour")
    assert "product, seats" in answer["msg"]


@pytest.mark.parametrize(
    ("code", "value"),
    [("product", 7), ("seats", "20"), ("seats", True), ("is_partner", "yes"), ("modules", "edm")],
)
def test_reporting_a_value_of_the_wrong_type_fails(
    client: TestClient, headers: dict[str, str], code: str, value: Any
) -> None:
    define(client, headers)
    user = new_user(client, headers, "13700000007")
    answer = report(client, headers, user, attributes={"product": "x", code: value})
    assert error(answer) == (40048, f"$.attributes.{code}")


def test_an_untyped_attribute_takes_any_value(client: TestClient, headers: dict[str, str]) -> None:
    define(client, headers)
    user = new_user(client, headers, "13700000008")
    for value in ("text", 3, True, ["a"]):
        answer = report(client, headers, user, attributes={"product": "x", "note": value})
        assert answer["code"] == 0, answer


def test_an_event_without_attributes_takes_none(
    client: TestClient, headers: dict[str, str]
) -> None:
    define(client, headers, {"name": "page_share", "display_name": "分享页面"})
    user = new_user(client, headers, "13700000009")
    body: dict[str, Any] = {"event": "page_share", "omni_user_uuid": user}
    assert call(client, headers, "custom_event.report", body)["code"] == 0
    body["attributes"] = {"channel": "wechat"}
    answer = call(client, headers, "custom_event.report", body)
    assert error(answer) == (40047, "$.attributes.channel")
    assert "no attributes" in answer["msg"]


def test_the_demo_events_take_the_demo_reports(client: TestClient, headers: dict[str, str]) -> None:
    user = new_user(client, headers, "13700000010")
    body = {"event": "watch_live", "omni_user_uuid": user, "attributes": {"minutes": 42}}
    assert call(client, headers, "custom_event.report", body)["code"] == 0
