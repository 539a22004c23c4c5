"""CRM objects: the fields, business types and option sets the CRM reads list are the very
records account and lead writes are checked against."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from emulator import spec
from emulator.core import Emulator
from tests.conftest import post

OPS = spec.load().by_id
CREATE = OPS["account.create"].path


def read(client: TestClient, headers: dict[str, str], op_id: str, **filters: Any) -> list[Any]:
    answer = post(client, OPS[op_id].path, {"page_size": 100, **filters}, headers)
    assert answer["code"] == 0, answer
    rows: list[Any] = answer["data"]["list"]
    return rows


def account(business_type: str, **fields: Any) -> dict[str, Any]:
    return {"name": "苏州示例制造有限公司", "business_type": business_type, **fields}


def test_object_fields_list_preset_and_custom_fields_side_by_side(
    client: TestClient, headers: dict[str, str]
) -> None:
    fields = read(client, headers, "crm.object_fields", object_name="account")
    assert {f["is_preset"] for f in fields} == {0, 1}
    custom = read(client, headers, "crm.object_fields", object_name="account", is_preset=0)
    assert {f["field_code"] for f in custom} == {"annual_revenue", "logo", "related_company"}


def test_every_listed_business_type_is_accepted_and_no_other(
    client: TestClient, headers: dict[str, str]
) -> None:
    types = read(client, headers, "crm.business_types")
    assert len(types) == 3
    for business_type in types:
        assert post(client, CREATE, account(business_type["id"]), headers)["code"] == 0
    answer = post(client, CREATE, account("NoSuchType000000000000"), headers)
    assert answer["code"] == 40004
    assert all(b["id"] in answer["msg"] for b in types)


def test_business_types_added_through_the_store_are_listed(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    added = emulator.tenants.default.accounts.add_business_type("海外客户")
    assert added in read(client, headers, "crm.business_types")


def test_option_set_fields_list_the_values_create_accepts(
    client: TestClient, headers: dict[str, str]
) -> None:
    business_type = read(client, headers, "crm.business_types")[0]["id"]
    sizes = read(client, headers, "crm.option_set_fields", option_set="company_size")
    for option in sizes:
        body = account(business_type, company_size=option["value"])
        assert post(client, CREATE, body, headers)["code"] == 0
    answer = post(client, CREATE, account(business_type, company_size=sizes[0]["label"]), headers)
    assert answer["code"] == 40021


def test_custom_option_set_fields_list_account_type_values(
    client: TestClient, headers: dict[str, str]
) -> None:
    business_type = read(client, headers, "crm.business_types")[0]["id"]
    types = read(client, headers, "crm.custom_option_set_fields", option_set="account_type")
    assert [t["value"] for t in types] == ["prospect", "customer", "partner", "competitor"]
    body = account(business_type, account_type="competitor")
    assert post(client, CREATE, body, headers)["code"] == 0


def test_a_new_option_is_accepted_as_soon_as_it_is_recorded(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    business_type = read(client, headers, "crm.business_types")[0]["id"]
    body = account(business_type, country_region="jp")
    assert post(client, CREATE, body, headers)["code"] == 40021
    option = {"option_set": "country_region", "value": "jp", "label": "日本", "sort": 5}
    emulator.tenants.default.records.create("option_set", option)
    assert post(client, CREATE, body, headers)["code"] == 0


def test_a_select_field_with_an_empty_set_names_no_options(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    field: dict[str, Any] = {"object_name": "account", "field_code": "tier", "is_preset": 0}
    field |= {"field_type": "select", "option_set": "tier"}
    emulator.tenants.default.records.create("object_field", field)
    business_type = read(client, headers, "crm.business_types")[0]["id"]
    answer = post(client, CREATE, account(business_type, tier="gold"), headers)
    assert answer["code"] == 40021
    assert "no options defined" in answer["msg"]


def test_fields_the_object_does_not_define_are_stored_as_custom_fields(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    business_type = read(client, headers, "crm.business_types")[0]["id"]
    answer = post(client, CREATE, account(business_type, custom_level="A", logo_note=None), headers)
    stored = emulator.tenants.default.accounts.get(answer["data"]["jing_uuid"])
    assert stored is not None
    assert (stored["custom_level"], stored["logo_note"]) == ("A", None)


def test_preset_fields_of_read_only_types_stay_writable(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    owner = emulator.tenants.default.records.find("employee")[0]["uuid"]
    business_type = read(client, headers, "crm.business_types")[0]["id"]
    assert post(client, CREATE, account(business_type, owner=owner), headers)["code"] == 0
