"""Webhook chains of leads, accounts and tags through the API: the documented order, payloads
valid against their schemas, [before, after] per changed field, nothing from a refused call."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
import pytest
from starlette.testclient import TestClient

from contract_tests.collector import EventCollector
from emulator import spec
from emulator.core import Emulator
from tests.conftest import SETTINGS, post, user

OPS = spec.load().by_id
SUCCESS = (0, "10000")  # the success codes of the integer and the string envelopes


class Crm:
    """The default (demo-seeded) app's CRM and tag operations, and the events they send."""

    def __init__(self, client: TestClient, headers: dict[str, str], emulator: Emulator) -> None:
        self.client, self.headers, self.emulator = client, headers, emulator
        self.tenant = emulator.tenants.default
        self.events = EventCollector(emulator)

    def call(self, op_id: str, body: Any) -> Any:
        return post(self.client, OPS[op_id].path, body, self.headers)

    def ok(self, op_id: str, body: Any) -> Any:
        answer = self.call(op_id, body)
        assert answer["code"] in SUCCESS, answer
        return answer["data"]

    def sent(self, op_id: str, body: Any) -> list[tuple[str, dict[str, Any]]]:
        """Call an operation; the events it sent, each checked against its schema and trigger."""
        self.settle()
        self.ok(op_id, body)
        chain = [(d.event, d.payload) for d in self.events.delivered]
        for name, payload in chain:
            jsonschema.validate(payload, spec.event_schema(name))
            assert op_id in spec.events().by_name[name]["trigger"], (name, op_id)
        return chain

    def settle(self) -> None:
        """Deliver what earlier calls sent, then forget it."""
        self.emulator.webhooks.run_due()
        self.events.clear()

    def records(self, resource: str) -> list[Any]:
        return self.tenant.records.find(resource)

    def employees(self) -> list[Any]:
        return self.records("employee")

    def statuses(self) -> list[str]:
        return [s["uuid"] for s in sorted(self.records("lead_status"), key=lambda s: s["sort"])]

    def new_user(self, mobile: str, **extra: Any) -> str:
        answer = self.ok("user.update", [user(mobile, **extra)])
        return str(answer["success"][0]["omni_user_uuid"])

    def lead(self, **fields: Any) -> Any:
        business_type = self.records("business_type")[0]["id"]
        body = {"name": "王磊", "business_type": business_type, **fields}
        return self.ok("lead.create", {"omni_user_uuid": self.new_user("13700000001"), **body})


@pytest.fixture
def crm(client: TestClient, headers: dict[str, str], emulator: Emulator) -> Iterator[Crm]:
    api = Crm(client, headers, emulator)
    yield api
    api.events.close()


def names(chain: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [name for name, _ in chain]


def test_add_omni_user_success_is_indexed_as_sent_by_the_user_calls_that_send_it(
    crm: Crm,
) -> None:
    trigger = spec.events().by_name["add_omni_user_success"]["trigger"]
    assert trigger == ["user.create", "user.update", "lead.create"]
    for number, op_id in enumerate(trigger[:2]):
        chain = crm.sent(op_id, [user(f"1370000001{number}")])
        assert names(chain) == ["add_omni_user_success"]


LEAD_CHAIN = ["object_create", "object_update_life_cycle", "object_source_info"]


def test_a_lead_for_a_new_person_creates_the_user_and_sends_add_omni_user_success_first(
    crm: Crm,
) -> None:
    business_type = crm.records("business_type")[0]["id"]
    body = {"name": "王磊", "business_type": business_type, "mobile": "13700000031"}
    chain = crm.sent("lead.create", {**body, "email": "wanglei@example.cn"})
    assert names(chain) == ["add_omni_user_success", *LEAD_CHAIN]
    (_, created), (_, lead_created) = chain[:2]
    uuid = created["extra_data"]["omni_user_uuid"]
    assert lead_created["extra_data"]["lead_omni_user_uuid"] == uuid
    identities = crm.tenant.users.get(uuid)["identities"]  # type: ignore[index]
    assert [(i["type"], i["value"]) for i in identities] == [
        ("mobile", "13700000031"),
        ("email", "wanglei@example.cn"),
    ]
    assert crm.records("lead")[-1]["omni_user_uuid"] == uuid


def test_a_lead_whose_mobile_a_stored_user_has_is_that_user_s_and_creates_nobody(
    crm: Crm,
) -> None:
    uuid = crm.new_user("13700000032")
    business_type = crm.records("business_type")[0]["id"]
    before = len(crm.tenant.users)
    body = {"name": "王磊", "business_type": business_type, "mobile": "13700000032"}
    chain = crm.sent("lead.create", body)
    assert names(chain) == LEAD_CHAIN
    assert (crm.records("lead")[-1]["omni_user_uuid"], len(crm.tenant.users)) == (uuid, before)


def test_a_lead_with_no_user_mobile_or_email_is_refused_naming_omni_user_uuid(
    crm: Crm,
) -> None:
    business_type = crm.records("business_type")[0]["id"]
    before = len(crm.tenant.users)
    answer = crm.call("lead.create", {"name": "王磊", "business_type": business_type})
    assert (answer["code"], answer["data"]["details"][0]["path"]) == (40060, "$.omni_user_uuid")
    assert len(crm.tenant.users) == before


def test_a_refused_lead_for_a_new_person_creates_no_user(crm: Crm) -> None:
    before = len(crm.tenant.users)
    body = {"name": "王磊", "business_type": "NoSuchBusinessType0000", "mobile": "13700000033"}
    answer = crm.call("lead.create", body)
    assert answer["code"] != 0
    assert len(crm.tenant.users) == before


def test_lead_creation_sends_create_life_cycle_and_its_user_s_source_in_order(crm: Crm) -> None:
    uuid = crm.new_user("13700000002", source_data={"utm_source": "wechat"})
    business_type = crm.records("business_type")[0]
    collaborator = crm.employees()[0]["uuid"]
    body = {"name": "王磊", "business_type": business_type["id"], "omni_user_uuid": uuid}
    chain = crm.sent("lead.create", {**body, "collaborators": [collaborator]})
    assert names(chain) == ["object_create", "object_update_life_cycle", "object_source_info"]
    (_, created), (_, cycle), (_, source) = chain
    extra = created["extra_data"]
    assert (extra["object_name"], extra["lead_omni_user_uuid"]) == ("lead", uuid)
    assert extra["mapping_data"]["name"] == ["王磊"]
    assert extra["mapping_data"]["lead_pool"] == ["market"]
    assert extra["mapping_data_text"]["life_status"] == "初始线索"
    assert extra["business_type_name"] == business_type["name"]
    assert "collaborators" not in extra["mapping_data"]  # team members are not fields
    assert (cycle["extra_data"]["from_life_status"], cycle["extra_data"]["to_life_status"]) == (
        None,
        "baby_lead",
    )
    assert source["extra_data"]["source_data"] == {"utm_source": "wechat"}
    assert {p["extra_data"]["entity_id"] for _, p in chain} == {
        crm.records("lead")[-1]["jing_uuid"]
    }


def test_lead_update_sends_the_life_cycle_then_the_changed_fields_at_the_clock_s_time(
    crm: Crm, client: TestClient
) -> None:
    lead = crm.lead(mobile="13912345678")
    client.post("/_admin/clock", json={"advance_seconds": 90})
    body = {"jing_uuid": lead["jing_uuid"], "life_status": "sales_lead", "mobile": "13987654321"}
    chain = crm.sent("lead.update", body)
    assert names(chain) == ["object_update_life_cycle", "object_update"]
    (_, cycle), (_, updated) = chain
    assert cycle["extra_data"]["from_life_status"] == "baby_lead"
    assert updated["extra_data"]["mapping_data"] == {
        "life_status": ["baby_lead", "sales_lead"],
        "mobile": ["13912345678", "13987654321"],
    }
    assert updated["extra_data"]["mapping_data_text"]["life_status"] == ["初始线索", "sales_lead"]
    assert updated["extra_data"]["created_timestamp"] == crm.emulator.clock.text()
    assert updated["create_time"] == int(crm.emulator.clock.now())


def test_lead_owner_change_is_a_manual_distribution_naming_the_former_owner(crm: Crm) -> None:
    former, owner = crm.employees()[:2]
    lead = crm.lead(owner=former["uuid"])
    chain = crm.sent("lead.update", {"jing_uuid": lead["jing_uuid"], "owner": owner["uuid"]})
    assert names(chain) == ["object_update", "object_change_owner"]
    (_, updated), (_, moved) = chain
    assert updated["extra_data"]["mapping_data"] == {"owner": [former["uuid"], owner["uuid"]]}
    extra = moved["extra_data"]
    assert moved["action_keyword"] == "manual_distribution"
    assert (extra["scene_type"], extra["former_owner"], extra["former_owner_name"]) == (
        2,
        former["uuid"],
        former["name"],
    )
    assert extra["entity_change_mapping"] == {"owner": [former["uuid"], owner["uuid"]]}


def test_the_owner_change_carries_no_lead_data_unless_the_app_switches_it_on(crm: Crm) -> None:
    former, owner = crm.employees()[:2]
    lead = crm.lead(owner=former["uuid"], customer_level="level_a")
    change = {"jing_uuid": lead["jing_uuid"], "owner": owner["uuid"]}
    [(_, plain)] = crm.sent("lead.update", change)[1:]
    assert "mapping_data" not in plain["extra_data"]
    path = f"/_admin/apps/{crm.tenant.app_id}/settings"
    switched = crm.client.post(path, json={"owner_change_with_lead": True}).json()
    assert switched["data"] == {"app_id": crm.tenant.app_id, "owner_change_with_lead": True}
    [(_, full)] = crm.sent("lead.update", {**change, "owner": former["uuid"]})[1:]
    extra = full["extra_data"]
    assert (extra["mapping_data"]["name"], extra["mapping_data"]["customer_level"]) == (
        ["王磊"],
        ["level_a"],
    )
    assert extra["mapping_data"]["owner"] == [former["uuid"]]
    assert extra["mapping_data_text"]["name"] == "王磊"
    assert extra["former_owner"] == owner["uuid"]


def test_an_app_made_with_owner_change_with_lead_lists_it(client: TestClient) -> None:
    made = client.post("/_admin/apps", json={"owner_change_with_lead": True}).json()["data"]
    apps = client.get("/_admin/apps").json()["data"]["apps"]
    listed = {a["app_id"]: a["owner_change_with_lead"] for a in apps}
    assert listed[made["app_id"]] is True
    assert listed[SETTINGS.app_id] is False  # off unless switched on
    bad = client.post("/_admin/apps/nobody/settings", json={"owner_change_with_lead": True})
    assert (bad.status_code, bad.json()["code"]) == (404, 50003)


def test_lead_update_of_pool_status_and_team_sends_their_own_events_after_the_fields(
    crm: Crm,
) -> None:
    first, second = crm.employees()[:2]
    default, other = crm.statuses()[:2]
    lead = crm.lead(collaborators=[first["uuid"]])
    body = {"lead_pool": "sales", "status": other, "collaborators": [second["uuid"]]}
    chain = crm.sent("lead.update", {"jing_uuid": lead["jing_uuid"], **body})
    assert names(chain) == [
        "object_update",
        "object_change_lead_pool",
        "object_update_status",
        "object_add_team_member",
        "object_remove_team_member",
    ]
    extras = [payload["extra_data"] for _, payload in chain]
    assert extras[0]["mapping_data"] == {
        "lead_pool": ["market", "sales"],
        "status": [default, other],
    }
    assert (extras[1]["from_lead_pool"], extras[1]["to_lead_pool"]) == ("market", "sales")
    assert (extras[2]["from_leads_status"], extras[2]["to_leads_status"]) == (default, other)
    assert (extras[3]["members"], extras[4]["members"]) == ([second["uuid"]], [first["uuid"]])


def test_a_lead_owner_given_for_the_first_time_has_no_former_owner(crm: Crm) -> None:
    lead = crm.lead()
    owner = crm.employees()[0]["uuid"]
    chain = crm.sent("lead.update", {"jing_uuid": lead["jing_uuid"], "owner": owner})
    assert names(chain) == ["object_update", "object_change_owner"]
    extra = chain[1][1]["extra_data"]
    assert (extra["former_owner"], extra["former_owner_name"], extra["owner"]) == (
        None,
        None,
        owner,
    )


def test_an_update_that_changes_nothing_sends_nothing(crm: Crm) -> None:
    lead = crm.lead()
    same = {k: lead[k] for k in ("name", "life_status", "lead_pool", "status")}
    assert crm.sent("lead.update", {"jing_uuid": lead["jing_uuid"], **same}) == []
    status = {"jing_uuid": lead["jing_uuid"], "status": lead["status"]}
    assert crm.sent("lead.status.update", status) == []


def test_status_update_sends_object_update_status_from_and_to(crm: Crm) -> None:
    default, other = crm.statuses()[:2]
    lead = crm.lead()
    chain = crm.sent("lead.status.update", {"jing_uuid": lead["jing_uuid"], "status": other})
    assert names(chain) == ["object_update_status"]
    extra = chain[0][1]["extra_data"]
    assert (extra["from_leads_status"], extra["to_leads_status"]) == (default, other)
    assert (extra["entity_id"], extra["life_status"]) == (lead["jing_uuid"], "baby_lead")


def test_collaborator_changes_send_the_added_then_the_removed_members(crm: Crm) -> None:
    first, second, third = (e["uuid"] for e in crm.employees()[:3])
    lead = crm.lead(collaborators=[first, second])
    body = {"jing_uuid": lead["jing_uuid"], "add": [third], "remove": [first]}
    chain = crm.sent("lead.collaborators.update", body)
    assert names(chain) == ["object_add_team_member", "object_remove_team_member"]
    assert [payload["extra_data"]["members"] for _, payload in chain] == [[third], [first]]
    only_added = {"jing_uuid": lead["jing_uuid"], "add": [first]}
    assert names(crm.sent("lead.collaborators.update", only_added)) == ["object_add_team_member"]


def test_account_update_sends_the_changed_fields_then_the_owner_change(crm: Crm) -> None:
    former, owner = crm.employees()[:2]
    business_type = crm.records("business_type")[0]["id"]
    body = {"name": "杭州测试科技有限公司", "business_type": business_type, "owner": former["uuid"]}
    assert names(crm.sent("account.create", body)) == ["object_create"]
    account = crm.records("account")[-1]
    change = {"jing_uuid": account["jing_uuid"], "company_id": "中山大学", "owner": owner["uuid"]}
    chain = crm.sent("account.update", change)
    assert names(chain) == ["object_update", "object_change_owner"]
    (_, updated), (_, moved) = chain
    assert updated["extra_data"]["mapping_data"] == {
        "company_id": [None, "中山大学"],
        "owner": [former["uuid"], owner["uuid"]],
    }
    assert updated["extra_data"]["mapping_data_text"]["company_id"] == ["-", "中山大学"]
    assert "life_status" not in moved["extra_data"]  # account events carry no lead fields
    assert (moved["extra_data"]["object_name"], moved["extra_data"]["former_owner_name"]) == (
        "account",
        former["name"],
    )
    same = {"jing_uuid": account["jing_uuid"], "company_id": "中山大学"}
    assert crm.sent("account.update", same) == []


def test_batch_tagging_sends_user_tagging_once_per_newly_tagged_pair(
    crm: Crm, client: TestClient
) -> None:
    held, new = crm.records("tag")[:2]
    uuid = crm.new_user("13700000003")
    crm.ok("tag.batch_tag_users", {"list": [{"omni_user_uuid": uuid, "tag_uuid": held["uuid"]}]})
    client.post("/_admin/clock", json={"advance_seconds": 30})
    items = [
        (uuid, held["uuid"]),
        (uuid, new["uuid"]),
        (uuid, new["uuid"]),
        ("nobody", new["uuid"]),
    ]
    body = {"list": [{"omni_user_uuid": u, "tag_uuid": t} for u, t in items]}
    chain = crm.sent("tag.batch_tag_users", body)
    assert names(chain) == ["user_tagging"]
    extra = chain[0][1]["extra_data"]
    assert extra["omni_user_uuid"] == uuid
    assert extra["tags"] == [
        {"tag_name": new["name"], "tag_uuid": new["uuid"], "group_name": new["group_name"]}
    ]
    assert extra["created_timestamp"] == crm.emulator.clock.text()


Body = Callable[[Crm, dict[str, Any]], Any]


def outsider(crm: Crm, lead: dict[str, Any]) -> str:
    """An employee who is not one of the lead's collaborators."""
    team = lead.get("collaborators", [])
    return str(next(e["uuid"] for e in crm.employees() if e["uuid"] not in team))


# A call refused (its error code), or a batch whose only item fails (that item's code).
REFUSED: list[tuple[str, Body, int]] = [
    (
        "lead.status.update",
        lambda crm, lead: {"jing_uuid": lead["jing_uuid"], "status": "nope"},
        40020,
    ),
    ("lead.update", lambda crm, lead: {"jing_uuid": lead["jing_uuid"], "owner": "nobody"}, 40005),
    (
        "lead.update",
        lambda crm, lead: {"jing_uuid": lead["jing_uuid"], "life_status": "x", "status": "nope"},
        40020,
    ),
    (
        "lead.collaborators.update",
        lambda crm, lead: {"jing_uuid": lead["jing_uuid"], "remove": [outsider(crm, lead)]},
        40024,
    ),
    (
        "lead.create",
        lambda crm, lead: {
            "name": "王磊",
            "business_type": lead["business_type"],
            "omni_user_uuid": "nobody",
        },
        40030,
    ),
    (
        "account.update",
        lambda crm, lead: {"jing_uuid": lead["account_id"], "business_type": "nope"},
        40004,
    ),
    (
        "tag.batch_tag_users",
        lambda crm, lead: {"list": [{"omni_user_uuid": "nobody", "tag_uuid": "nope"}]},
        40030,
    ),
]


@pytest.mark.parametrize(
    ("op_id", "body", "code"), REFUSED, ids=[f"{op}-{code}" for op, _, code in REFUSED]
)
def test_a_refused_call_or_item_sends_nothing(crm: Crm, op_id: str, body: Body, code: int) -> None:
    lead = next(lead for lead in crm.records("lead") if lead.get("account_id"))
    before = dict(lead)
    crm.settle()
    answer = crm.call(op_id, body(crm, lead))
    failure = answer["data"]["failure"][0] if answer["code"] in SUCCESS else answer
    assert failure["code"] == code, answer
    assert crm.events.delivered == []
    assert lead == before  # the stored lead, unchanged


def test_an_account_custom_field_of_any_value_sends_a_valid_object_create(crm: Crm) -> None:
    business_type = crm.records("business_type")[0]["id"]
    body = {"name": "示例", "business_type": business_type, "custom_level": {"tier": "A"}}
    assert [name for name, _ in crm.sent("account.create", body)] == ["object_create"]
