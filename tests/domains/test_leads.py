"""Leads: owner, status from the list, stage and pool, collaborators, user and account links."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator import spec
from emulator.core import Emulator
from tests.conftest import post, user
from tests.domains.test_members import error

OPS = spec.load().by_id


class Api:
    """The lead operations of the default (demo-seeded) app, called by operationId."""

    def __init__(self, client: TestClient, headers: dict[str, str], emulator: Emulator) -> None:
        self.client, self.headers = client, headers
        self.tenant = emulator.tenants.default

    def call(self, op_id: str, body: Any) -> Any:
        return post(self.client, OPS[op_id].path, body, self.headers)

    def ok(self, op_id: str, body: Any) -> Any:
        answer = self.call(op_id, body)
        assert answer["code"] == 0, answer
        return answer["data"]

    def records(self, resource: str, **filters: Any) -> list[Any]:
        return self.tenant.records.find(resource, **filters)

    def new_user(self, mobile: str = "13700000001") -> str:
        answer = post(self.client, "/v1/user/update", [user(mobile)], self.headers)
        uuid: str = answer["data"]["success"][0]["omni_user_uuid"]
        return uuid

    def lead(self, **fields: Any) -> Any:
        business_type = self.records("business_type")[0]["id"]
        body = {"name": "王磊", "business_type": business_type, "omni_user_uuid": self.new_user()}
        return self.ok("lead.create", {**body, **fields})

    def employees(self) -> list[str]:
        return [e["uuid"] for e in self.records("employee")]


@pytest.fixture
def api(client: TestClient, headers: dict[str, str], emulator: Emulator) -> Api:
    return Api(client, headers, emulator)


def test_new_lead_starts_as_baby_lead_in_the_market_pool_with_the_default_status(
    api: Api,
) -> None:
    lead = api.lead()
    default = next(s for s in api.records("lead_status") if s["is_default"] == 1)
    assert (lead["life_status"], lead["lead_pool"]) == ("baby_lead", "market")
    assert lead["status"] == default["uuid"]
    assert "owner" not in lead


def test_created_lead_is_read_back_by_query_and_layout_list(api: Api) -> None:
    lead = api.lead(customer_level="level_a")
    found = api.ok("lead.query", {"omni_user_uuid": lead["omni_user_uuid"]})
    assert found["list"] == [lead]
    assert found["list"][0]["customer_level"] == "level_a"
    listed = api.ok("lead.layout_list", {"page_size": 100})
    assert lead in listed["list"]
    assert listed["total"] == len(api.records("lead"))


def test_lead_with_an_owner_stays_out_of_the_pool(api: Api) -> None:
    owner = api.employees()[0]
    lead = api.lead(owner=owner)
    assert lead["owner"] == owner
    assert "lead_pool" not in lead


def test_lead_must_name_its_user(api: Api) -> None:
    business_type = api.records("business_type")[0]["id"]
    answer = api.call("lead.create", {"name": "王磊", "business_type": business_type})
    assert error(answer) == (40060, "$.omni_user_uuid")
    assert "omni_user_uuid, or a mobile or email" in answer["msg"]


def test_a_lead_whose_mobile_and_email_are_two_users_is_refused(api: Api) -> None:
    api.new_user("13700000041")
    post(
        api.client,
        "/v1/user/update",
        [{"identities": [{"type": "email", "value": "x@y.cn"}]}],
        api.headers,
    )
    business_type = api.records("business_type")[0]["id"]
    body = {"name": "王磊", "business_type": business_type, "mobile": "13700000041"}
    answer = api.call("lead.create", {**body, "email": "x@y.cn"})
    assert error(answer) == (40060, "$")
    assert "belong to different users" in answer["msg"]
    assert not api.records("lead", name="王磊", mobile="13700000041")


def test_a_lead_naming_an_unknown_user_is_user_not_found_as_elsewhere(api: Api) -> None:
    unknown = {"omni_user_uuid": "NoSuchUserNoSuchUser22"}
    created = api.call("lead.create", {**unsaved(api), **unknown})
    updated = api.call("lead.update", {"jing_uuid": api.lead()["jing_uuid"], **unknown})
    member = api.call("member.create", {**unknown, "mobile": "13900000002"})
    for answer in (created, updated, member):
        assert error(answer) == (40030, "$.omni_user_uuid"), answer
        assert answer["data"]["error"] == "user_not_found"
        assert answer["msg"] == "No user with omni_user_uuid NoSuchUserNoSuchUser22"
    assert not api.records("lead", name="测试线索")


def unsaved(api: Api) -> dict[str, Any]:
    business_type = api.records("business_type")[0]["id"]
    return {"name": "测试线索", "business_type": business_type, "omni_user_uuid": api.new_user()}


def test_lead_owner_must_be_an_employee(api: Api) -> None:
    answer = api.call("lead.create", {**unsaved(api), "owner": "NotAnEmployeeAtAll0000"})
    assert error(answer) == (40005, "$.owner")
    assert not api.records("lead", name="测试线索")


def test_lead_status_on_create_must_be_listed(api: Api) -> None:
    answer = api.call("lead.create", {**unsaved(api), "status": "已会面"})
    assert error(answer) == (40020, "$.status")
    assert "已会面" in answer["msg"]


def test_lead_business_type_must_be_known(api: Api) -> None:
    answer = api.call("lead.create", {**unsaved(api), "business_type": "unknown"})
    assert error(answer) == (40004, "$.business_type")


def test_lead_may_link_to_an_existing_account_only(api: Api) -> None:
    account = api.records("account")[0]["jing_uuid"]
    lead = api.lead(account_id=account)
    assert api.ok("lead.query", {"account_id": account})["list"][-1] == lead
    answer = api.call("lead.create", {**unsaved(api), "account_id": "NoSuchAccount000000000"})
    assert error(answer) == (40005, "$.account_id")


def test_update_changes_fields_that_query_reads_back(api: Api) -> None:
    lead = api.lead()
    owner = api.employees()[1]
    change = {"jing_uuid": lead["jing_uuid"], "owner": owner, "life_status": "mql"}
    updated = api.ok("lead.update", {**change, "interest_products": ["cdp", "social"]})
    assert (updated["owner"], updated["life_status"]) == (owner, "mql")
    found = api.ok("lead.query", {"omni_user_uuid": lead["omni_user_uuid"]})["list"]
    assert found == [updated]
    assert found[0]["interest_products"] == ["cdp", "social"]


def test_update_refuses_option_values_outside_their_set(api: Api) -> None:
    lead = api.lead()
    single = api.call("lead.update", {"jing_uuid": lead["jing_uuid"], "customer_level": "level_z"})
    assert error(single) == (40021, "$.customer_level")
    assert "level_a, level_b, level_c" in single["msg"]
    multi = {"jing_uuid": lead["jing_uuid"], "interest_products": ["cdp", "crm"]}
    assert error(api.call("lead.update", multi)) == (40021, "$.interest_products[1]")
    assert api.tenant.leads.get(lead["jing_uuid"]) == lead


def test_a_null_select_value_clears_the_field_unchecked(api: Api) -> None:
    lead = api.lead(customer_level="level_b")
    body = {"jing_uuid": lead["jing_uuid"], "customer_level": None}
    assert api.ok("lead.update", body)["customer_level"] is None


@pytest.mark.parametrize(
    ("field", "kind"), [("business_card", "image"), ("service_teams", "multi_departmemt")]
)
def test_update_refuses_read_only_custom_fields(api: Api, field: str, kind: str) -> None:
    lead = api.lead()
    answer = api.call("lead.update", {"jing_uuid": lead["jing_uuid"], field: "x"})
    assert error(answer) == (40022, f"$.{field}")
    assert kind in answer["msg"]


def test_update_of_an_unknown_lead_is_not_found(api: Api) -> None:
    answer = api.call("lead.update", {"jing_uuid": "NoSuchLead000000000000", "name": "x"})
    assert error(answer) == (40005, "$.jing_uuid")


def test_update_refuses_collaborators_who_are_not_employees(api: Api) -> None:
    lead = api.lead()
    body = {"jing_uuid": lead["jing_uuid"], "collaborators": [api.employees()[0], "nobody"]}
    assert error(api.call("lead.update", body)) == (40005, "$.collaborators[1]")


def test_status_list_lists_the_tenant_statuses(api: Api) -> None:
    listed = api.ok("lead.status.list", {"page_size": 100})["list"]
    assert [s["name"] for s in listed] == ["待跟进", "跟进中", "已会面", "已转化", "无效线索"]


def test_status_update_moves_the_lead_and_reports_both_statuses(api: Api) -> None:
    lead = api.lead()
    met = api.ok("lead.status.list", {"name": "已会面"})["list"][0]["uuid"]
    answer = api.ok("lead.status.update", {"jing_uuid": lead["jing_uuid"], "status": met})
    assert answer == {
        "jing_uuid": lead["jing_uuid"],
        "from_leads_status": lead["status"],
        "to_leads_status": met,
    }
    assert api.ok("lead.query", {"status": met})["list"][-1]["jing_uuid"] == lead["jing_uuid"]


def test_status_update_accepts_only_listed_statuses(api: Api) -> None:
    lead = api.lead()
    answer = api.call("lead.status.update", {"jing_uuid": lead["jing_uuid"], "status": "done"})
    assert error(answer) == (40020, "$.status")
    assert "待跟进" in answer["msg"]
    assert api.tenant.leads.get(lead["jing_uuid"])["status"] == lead["status"]


def test_status_update_reports_an_empty_former_status(api: Api, emulator: Emulator) -> None:
    for status in api.records("lead_status"):
        emulator.tenants.default.records.update("lead_status", status["uuid"], {"is_default": 0})
    lead = api.lead()
    assert "status" not in lead
    met = api.records("lead_status")[2]["uuid"]
    answer = api.ok("lead.status.update", {"jing_uuid": lead["jing_uuid"], "status": met})
    assert answer["from_leads_status"] == ""


def collaborators(api: Api, lead: Any, add: list[str], remove: list[str]) -> Any:
    body = {"jing_uuid": lead["jing_uuid"], "add": add, "remove": remove}
    return api.call("lead.collaborators.update", body)


def test_collaborators_are_added_and_removed_exactly(api: Api) -> None:
    first, second, third = api.employees()[:3]
    lead = api.lead()
    added = collaborators(api, lead, [first, second], [])["data"]
    assert added == {"jing_uuid": lead["jing_uuid"], "collaborators": [first, second]}
    changed = collaborators(api, lead, [third], [first])["data"]
    assert changed["collaborators"] == [second, third]
    found = api.ok("lead.query", {"omni_user_uuid": lead["omni_user_uuid"]})["list"][0]
    assert found["collaborators"] == [second, third]


def test_adding_a_collaborator_twice_is_refused_and_changes_nothing(api: Api) -> None:
    first, second = api.employees()[:2]
    lead = api.lead()
    collaborators(api, lead, [first], [])
    answer = collaborators(api, lead, [second, first], [])
    assert error(answer) == (40023, "$.add[1]")
    assert api.tenant.leads.get(lead["jing_uuid"])["collaborators"] == [first]


def test_removing_someone_who_is_not_a_collaborator_is_refused(api: Api) -> None:
    first, second = api.employees()[:2]
    lead = api.lead()
    collaborators(api, lead, [first], [])
    answer = collaborators(api, lead, [], [first, second])
    assert error(answer) == (40024, "$.remove[1]")
    assert api.tenant.leads.get(lead["jing_uuid"])["collaborators"] == [first]


def test_collaborators_must_be_employees(api: Api) -> None:
    answer = collaborators(api, api.lead(), ["NotAnEmployeeAtAll0000"], [])
    assert error(answer) == (40005, "$.add[0]")


def test_a_lead_has_at_most_twenty_collaborators(api: Api, emulator: Emulator) -> None:
    records = emulator.tenants.default.records
    staff = [
        records.create("employee", {"name": f"员工{n}", "email": f"e{n}@staff.example.cn"})["uuid"]
        for n in range(21)
    ]
    lead = api.lead()
    assert collaborators(api, lead, staff[:20], [])["code"] == 0
    answer = collaborators(api, lead, staff[20:], [])
    assert error(answer) == (40025, "$.add")
    assert collaborators(api, lead, staff[20:], staff[:1])["code"] == 0


def test_detail_link_names_the_lead(api: Api) -> None:
    lead = api.lead()
    link = api.ok("lead.detail_link", {"jing_uuid": lead["jing_uuid"]})
    assert link["jing_uuid"] == lead["jing_uuid"]
    assert link["url"].startswith("https://")
    assert link["url"].endswith("/" + lead["jing_uuid"])
    unknown = api.call("lead.detail_link", {"jing_uuid": "NoSuchLead000000000000"})
    assert error(unknown) == (40005, "$.jing_uuid")
