"""Accounts: known business types, option values from their sets, no read-only custom field,
an employee as owner; what create and update write, the engine's query and list read."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator.core import Emulator
from tests.conftest import post
from tests.domains.test_members import call, error

CREATE = "/v1/customer/create"


def test_create_account_answers_jing_uuid_and_stores_custom_fields(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    business_type = emulator.tenants.default.accounts.business_types()[0]["id"]
    body = {"name": "上海示例科技有限公司", "business_type": business_type, "custom_level": "A"}
    answer = post(client, CREATE, body, headers)
    assert answer["code"] == 0
    stored = emulator.tenants.default.accounts.get(answer["data"]["jing_uuid"])
    assert stored is not None
    assert stored["custom_level"] == "A"
    assert stored["create_time"] == "2026-01-01 08:00:00"


def test_unknown_business_type_is_refused(client: TestClient, headers: dict[str, str]) -> None:
    answer = post(client, CREATE, {"name": "x", "business_type": "string"}, headers)
    assert answer["code"] == 40004
    assert answer["data"]["details"][0]["path"] == "$.business_type"


def test_name_and_business_type_are_required(client: TestClient, headers: dict[str, str]) -> None:
    answer = post(client, CREATE, {"name": "x"}, headers)
    assert answer["code"] == 30006
    assert "business_type" in answer["msg"]


def test_tenant_without_business_types_says_so(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    emulator.tenants.default.accounts.reset()
    answer = post(client, CREATE, {"name": "x", "business_type": "y"}, headers)
    assert "none defined" in answer["msg"]


def new_account(
    client: TestClient, headers: dict[str, str], emulator: Emulator, **more: Any
) -> Any:
    business_type = emulator.tenants.default.accounts.business_types()[0]["id"]
    body = {"name": "杭州测试科技有限公司", "business_type": business_type, **more}
    answer = post(client, CREATE, body, headers)
    assert answer["code"] == 0, answer
    return emulator.tenants.default.accounts.get(answer["data"]["jing_uuid"])


def test_created_account_is_read_back_by_query_and_layout_list(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    account = new_account(client, headers, emulator, account_type="partner")
    found = call(client, headers, "account.query", {"name": "杭州测试科技有限公司"})["data"]
    assert found["list"] == [account]
    listed = call(client, headers, "account.layout_list", {"page_size": 100})["data"]
    assert account in listed["list"]
    assert listed["total"] == len(emulator.tenants.default.records.find("account"))


def test_update_changes_preset_and_custom_fields_that_query_reads_back(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    account = new_account(client, headers, emulator)
    owner = emulator.tenants.default.records.find("employee")[0]["uuid"]
    change = {"jing_uuid": account["jing_uuid"], "owner": owner, "company_size": "size_50_199"}
    updated = call(client, headers, "account.update", {**change, "annual_revenue": 5000000})
    assert updated["code"] == 0
    assert (updated["data"]["owner"], updated["data"]["annual_revenue"]) == (owner, 5000000)
    found = call(client, headers, "account.query", {"owner": owner, "page_size": 100})["data"]
    assert updated["data"] in found["list"]


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("account_type", "vip", "$.account_type"),
        ("company_size", "size_huge", "$.company_size"),
        ("country_region", "mars", "$.country_region"),
    ],
)
def test_option_values_outside_their_set_are_refused(
    client: TestClient,
    headers: dict[str, str],
    emulator: Emulator,
    field: str,
    value: str,
    path: str,
) -> None:
    business_type = emulator.tenants.default.accounts.business_types()[0]["id"]
    answer = post(
        client, CREATE, {"name": "x", "business_type": business_type, field: value}, headers
    )
    assert error(answer) == (40021, path)
    assert value in answer["msg"]
    account = new_account(client, headers, emulator)
    answer = call(
        client, headers, "account.update", {"jing_uuid": account["jing_uuid"], field: value}
    )
    assert error(answer) == (40021, path)


@pytest.mark.parametrize(("field", "kind"), [("logo", "image"), ("related_company", "look_up")])
def test_read_only_custom_fields_are_refused(
    client: TestClient, headers: dict[str, str], emulator: Emulator, field: str, kind: str
) -> None:
    business_type = emulator.tenants.default.accounts.business_types()[0]["id"]
    answer = post(
        client, CREATE, {"name": "x", "business_type": business_type, field: "v"}, headers
    )
    assert error(answer) == (40022, f"$.{field}")
    assert kind in answer["msg"]
    account = new_account(client, headers, emulator)
    answer = call(
        client, headers, "account.update", {"jing_uuid": account["jing_uuid"], field: "v"}
    )
    assert error(answer) == (40022, f"$.{field}")


def test_account_owner_must_be_an_employee(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    business_type = emulator.tenants.default.accounts.business_types()[0]["id"]
    body = {"name": "x", "business_type": business_type, "owner": "NotAnEmployeeAtAll0000"}
    assert error(post(client, CREATE, body, headers)) == (40005, "$.owner")


def test_update_refuses_an_unknown_business_type_and_keeps_the_account(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    account = new_account(client, headers, emulator)
    body = {"jing_uuid": account["jing_uuid"], "business_type": "unknown", "name": "y"}
    assert error(call(client, headers, "account.update", body)) == (40004, "$.business_type")
    assert emulator.tenants.default.accounts.get(account["jing_uuid"]) == account


def test_update_of_an_unknown_account_is_not_found(
    client: TestClient, headers: dict[str, str]
) -> None:
    body = {"jing_uuid": "NoSuchAccount000000000", "name": "y"}
    assert error(call(client, headers, "account.update", body)) == (40005, "$.jing_uuid")


def test_reset_forgets_accounts_and_business_types(emulator: Emulator) -> None:
    store = emulator.tenants.default.accounts
    store.reset()
    assert store.business_types() == []
    assert emulator.tenants.default.records.find("account") == []


def test_store_answers_none_for_an_unknown_account(emulator: Emulator) -> None:
    assert emulator.tenants.default.accounts.get("NoSuchAccount000000000") is None


def test_a_custom_field_of_any_value_is_served_as_its_page_allows(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    # The page types a custom field as "any"; our value types are a rule of ours (assumed).
    business_type = emulator.tenants.default.accounts.business_types()[0]["id"]
    value: Any = {"tier": "A", "since": [2020, 2024]}
    body = {"name": "上海示例科技有限公司", "business_type": business_type, "custom_level": value}
    answer = client.post(CREATE, json=body, headers=headers)
    assert answer.json()["code"] == 0
    assert "x-jing-emulator-warning" in answer.headers
    stored = emulator.tenants.default.accounts.get(answer.json()["data"]["jing_uuid"])
    assert stored is not None
    assert stored["custom_level"] == value
