"""Seed data: datasets load through the stores; placeholders become the ids they stand for."""

from __future__ import annotations

import gc
from typing import Any

import jsonschema
import orjson
import pytest
from starlette.testclient import TestClient

from emulator import create_app, spec
from emulator.core import Emulator
from emulator.envelope import ApiError
from emulator.seed import demo, large, load
from emulator.settings import Settings
from tests.conftest import SETTINGS, post, user

ENGINE_FIELDS = ("create_time", "update_time")


def fresh_tenant() -> Any:
    emulator: Emulator = create_app(Settings(seed=3, seed_data="none")).state.emulator
    return emulator.tenants.default


def test_demo_state_is_loaded_into_the_default_tenant(emulator: Emulator) -> None:
    tenant = emulator.tenants.default
    assert len(tenant.users) == 24
    assert tenant.crowds.detail(20541)["user_count"] == 10
    assert len(tenant.accounts.business_types()) == 3
    for resource, items in demo(SETTINGS.seed)["records"].items():
        assert len(tenant.records.find(resource)) == len(items), resource


def test_every_seeded_record_matches_its_resource_schema(emulator: Emulator) -> None:
    records = emulator.tenants.default.records
    for resource in demo(SETTINGS.seed)["records"]:
        res = records.resource(resource)
        schema = spec.schema_file(f"resources/{resource}.json")
        validator = jsonschema.Draft7Validator(
            schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
        )
        for record in records.find(resource):
            stored = {k: v for k, v in record.items() if k not in (res.id_field, *ENGINE_FIELDS)}
            validator.validate(stored)


def test_seeded_references_are_the_ids_of_seeded_things(emulator: Emulator) -> None:
    tenant = emulator.tenants.default
    records = tenant.records
    staff = {e["uuid"] for e in records.find("employee")}
    statuses = {s["uuid"] for s in records.find("lead_status")}
    accounts = {a["jing_uuid"] for a in records.find("account")}
    types = {b["id"] for b in tenant.accounts.business_types()}
    leads = records.find("lead")
    assert all(tenant.users.get(lead["omni_user_uuid"]) for lead in leads)
    assert {lead["owner"] for lead in leads if "owner" in lead} <= staff
    assert {lead["status"] for lead in leads} <= statuses
    assert {lead["account_id"] for lead in leads if "account_id" in lead} <= accounts
    assert {lead["business_type"] for lead in leads} <= types
    assert any("account_id" in lead for lead in leads)
    assert any(lead.get("lead_pool") == "market" and "owner" not in lead for lead in leads)


def test_same_seed_gives_the_same_records() -> None:
    def leads(seed: int) -> list[Any]:
        emulator: Emulator = create_app(Settings(seed=seed, clock_start=0)).state.emulator
        return emulator.tenants.default.records.find("lead")

    assert leads(4) == leads(4)
    assert leads(4) != leads(5)


def test_reset_seeds_the_records_again(emulator: Emulator) -> None:
    before = emulator.tenants.default.records.find("member")
    emulator.reset()
    assert emulator.tenants.default.records.find("member") == before


def test_api_answers_the_seeded_records(
    client: TestClient, emulator: Emulator, headers: Any
) -> None:
    op = emulator.catalogue.by_id["tag.query"]
    answer = post(client, op.path, {"page_size": 100}, headers)
    names = {tag["name"] for tag in answer["data"]["list"]}
    assert answer["data"]["total"] == len(demo(SETTINGS.seed)["records"]["tag"])
    assert {"高意向", "VIP"} <= names


EMPLOYEE_0 = {"$record": ["employee", 0]}
SMALL = {
    "business_types": [{"name": "标准客户"}],
    "users": [user("13500000001"), user("13500000002")],
    "groups": [{"name": "g", "members": [1]}],
    "activities": [{"name": "直播", "type": "live"}],
    "records": {
        "employee": [{"name": "王伟", "email": "wei.wang@staff.example.cn"}],
        "lead": [
            {"name": "李娜", "business_type": {"$business_type": 0}, "omni_user_uuid": {"$user": 1}}
            | {"owner": EMPLOYEE_0, "collaborators": [EMPLOYEE_0]}
        ],
        "sms_task": [{"name": "提醒", "content": "明天见", "group_id": {"$group": 0}}],
        "activity_user": [{"target_entity_uuid": {"$activity": 0}, "omni_user_uuid": "u"}],
    },
}


def test_placeholders_stand_for_users_business_types_groups_activities_and_records() -> None:
    tenant = fresh_tenant()
    loaded = load(tenant, SMALL)
    lead = tenant.records.find("lead")[0]
    staff = tenant.records.find("employee")[0]["uuid"]
    assert loaded["records"] == {"employee": 1, "lead": 1, "sms_task": 1, "activity_user": 1}
    assert lead["owner"] == staff
    assert lead["collaborators"] == [staff]
    assert tenant.users.get(lead["omni_user_uuid"])["identities"][0]["value"] == "13500000002"
    assert lead["business_type"] == tenant.accounts.business_types()[0]["id"]
    assert tenant.records.find("sms_task")[0]["group_id"] == 20541
    activity = tenant.records.find("activity_user")[0]["target_entity_uuid"]
    assert [r["omni_user_uuid"] for r in tenant.activities.registrations(activity)] == ["u"]


BAD = [
    ({"tag": [{"name": {"$user": 0}}]}, "records.tag[0].name: no user at index 0"),
    ({"tag": [{"name": {"$nope": 0}}]}, "records.tag[0].name: unknown placeholder $nope"),
    ({"tag": [{"name": {"$record": ["tag", 0]}}]}, "records.tag[0].name: no tag record at index 0"),
    (
        {"tag": [{"name": {"$record": "tag"}}]},
        "records.tag[0].name: $record takes [resource, index]",
    ),
    ({"tag": [{"name": {"$user": "0"}}]}, "integer >= 0, not '0'"),
    (
        {"user_tag": [{"tag_uuid": "t", "omni_user_uuid": [{"$user": -1}]}]},
        "user_tag[0].omni_user_uuid[0]: the index of a placeholder is an integer >= 0, not -1",
    ),
    ({"tag": [{"name": ""}]}, "records.tag[0].name: '' should be non-empty"),
    ({"tag": [{"name": "a"}, {"name": "a"}]}, "records.tag[1].name: duplicate_record"),
    ({"widget": [{}]}, "records.widget: no operation of the catalogue serves such a resource"),
    ({"Tag": []}, "$.records: 'Tag' does not match"),
]


@pytest.mark.parametrize(("records", "reason"), BAD, ids=[r for _, r in BAD])
def test_bad_records_name_the_record_and_the_field(records: Any, reason: str) -> None:
    with pytest.raises(ApiError) as caught:
        load(fresh_tenant(), {"records": records}, "data.json")
    assert caught.value.key == "invalid_seed_data"
    assert caught.value.params["source"] == "data.json"
    assert reason in caught.value.params["reason"]


def test_large_leaves_the_garbage_collector_as_it_found_it() -> None:
    large(10, 1)
    assert gc.isenabled()
    gc.disable()
    try:
        large(10, 1)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_user_the_store_refuses_fails_the_seed_with_its_path() -> None:
    dataset = {"users": [{"identities": [{"type": "omni_user_uuid", "value": "nobody"}]}]}
    with pytest.raises(ApiError) as caught:
        load(fresh_tenant(), dataset)
    assert caught.value.params["reason"].startswith("users[0].identities[0]")


def _world(emulator: Emulator) -> Any:
    """Everything the default app holds, as JSON."""
    return orjson.loads(emulator.tenants.default.save())


def test_a_full_reset_gives_what_a_fresh_emulator_holds_and_the_same_next_ids() -> None:
    changed: Emulator = create_app(SETTINGS).state.emulator
    records = changed.tenants.default.records
    changed.tenants.default.users.upsert_batch([user("13500000009")])
    records.delete("lead", records.find("lead")[0]["jing_uuid"])
    changed.reset()
    fresh: Emulator = create_app(SETTINGS).state.emulator
    assert _world(changed) == _world(fresh)
    assert _world(fresh)["records"]["tables"]["lead"]
    assert changed.ids.short() == fresh.ids.short()


def test_a_reset_of_the_default_app_gives_back_its_seeded_data_and_keeps_other_apps(
    emulator: Emulator,
) -> None:
    start = _world(emulator)
    other = emulator.tenants.provision("other")
    emulator.seed("other", SMALL)
    emulator.tenants.default.users.upsert_batch([user("13500000009")])
    emulator.reset(SETTINGS.app_id)
    assert _world(emulator) == start
    assert len(other.users) == 2


def test_changes_after_a_reset_leave_the_next_reset_alone(emulator: Emulator) -> None:
    start = _world(emulator)
    emulator.reset()
    member = emulator.tenants.default.records.find("member")[0]
    member["points"] = -1
    next(iter(emulator.tenants.default.users.records()))["fields"]["changed"] = True
    emulator.reset()
    assert _world(emulator) == start


def test_restored_users_are_found_by_every_identity_they_carry(emulator: Emulator) -> None:
    emulator.reset()
    users = emulator.tenants.default.users
    for stored in users.records():
        assert all(users.find(identity) is stored for identity in stored["identities"])
