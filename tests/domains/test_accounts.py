"""Accounts: creation with a known business type; custom fields beside preset ones."""

from __future__ import annotations

from starlette.testclient import TestClient

from emulator.core import Emulator
from tests.conftest import post

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
