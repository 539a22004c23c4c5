"""Payload builders: each chain in the vendor's order, each payload valid against its schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema
import pytest

from emulator import events, spec, triggers
from emulator.webhooks import stamp

AT = "2026-01-01 08:00:00"
LATER = "2026-01-01 09:30:00"
USER: dict[str, Any] = {
    "omni_user_uuid": "7wJy7CNpCPWnP7XMYwEHdn",
    "identities": [{"type": "mobile", "value": "13800000000"}],
    "fields": {"city": "上海"},
    "created_at": AT,
    "updated_at": AT,
}
BUSINESS_TYPES = [{"id": "WNh7rwLXUQPFwACQ6EKPqD", "name": "Authing"}]
LEAD = {
    "jing_uuid": "e9vMaiGWybEQ3Nc9xGgwV4",
    "name": "赵拥晨",
    "business_type": "WNh7rwLXUQPFwACQ6EKPqD",
    "owner": None,
    "life_status": "baby_lead",
    "lead_pool": "market",
    "omni_user_uuid": "7wJy7CNpCPWnP7XMYwEHdn",
    "source_data": {"utm_source": "wechat"},
    "headimgurl": '["http://wx.qlogo.cn/mmhead/Q3auHgzwzM4EHT2nacEdibOYV8bxFnmIT6Py/0"]',
    "create_time": AT,
    "update_time": AT,
}
ACCOUNT = {
    "jing_uuid": "B3hJubdf4GR3fNhSyx5npA",
    "name": "中山大学附属示例公司",
    "business_type": "WNh7rwLXUQPFwACQ6EKPqD",
    "create_time": AT,
    "update_time": AT,
}
REGISTRATION = {
    "target_entity_uuid": "gmFmHz8t4GXbQ7GJmub4oK",
    "jing_uuid": "MYGvBRJXadYReQnnJPdAhP",
    "omni_user_uuid": "7wJy7CNpCPWnP7XMYwEHdn",
    "ems_approvestatus": "0",
    "ems_approvetimestamp": "",
    "ems_signinstatus": "0",
    "ems_signintimestamp": "",
}


def checked(chain: events.Chain) -> list[str]:
    """The chain's event names, after checking every payload (with its mid) against its schema."""
    for name, payload in chain:
        jsonschema.validate(stamp("202601010000000000000000001", payload), spec.event_schema(name))
    return [name for name, _ in chain]


def changed(record: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**record, **fields, "update_time": LATER}


# Every builder with arguments that make it send something: (builder, arguments, events).
CHAINS: list[tuple[Callable[..., events.Chain], tuple[Any, ...], list[str]]] = [
    (events.user_created, (USER,), ["add_omni_user_success"]),
    (
        events.user_fields_changed,
        (USER, {**USER, "fields": {"city": "北京"}}),
        ["custom_field"],
    ),
    (events.users_upserted, ({}, [USER]), ["add_omni_user_success"]),
    (events.user_tagged, (USER, [{"tag_name": "高意向"}], LATER), ["user_tagging"]),
    (
        events.activity_user_status_changed,
        ([REGISTRATION], [{**REGISTRATION, "ems_signinstatus": "1", "ems_signintimestamp": LATER}]),
        ["activity_user_status"],
    ),
    (
        events.lead_created,
        (LEAD, BUSINESS_TYPES),
        [
            "object_create",
            "object_update_life_cycle",
            "object_source_info",
        ],
    ),
    (
        events.lead_updated,
        (LEAD, changed(LEAD, life_status="sales_lead", mobile="17894892831")),
        ["object_update_life_cycle", "object_update"],
    ),
    (events.lead_status_changed, (LEAD, "s1", "s2"), ["object_update_status"]),
    (events.lead_voided, (LEAD,), ["object_voids"]),
    (events.lead_restored, (LEAD,), ["object_restore"]),
    (events.lead_owner_changed, (LEAD, ("o1", "王伟", 2)), ["object_change_owner"]),
    (events.lead_life_cycle_changed, (LEAD, None), ["object_update_life_cycle"]),
    (events.lead_notes_added, (LEAD, "回访客户"), ["object_add_notes"]),
    (events.lead_members_added, (LEAD, ["m1", "m2"]), ["object_add_team_member"]),
    (events.lead_members_removed, (LEAD, ["m1"]), ["object_remove_team_member"]),
    (events.lead_pool_changed, (LEAD, "sales"), ["object_change_lead_pool"]),
    (events.lead_related, (LEAD, ACCOUNT), ["object_relation"]),
    (events.account_created, (ACCOUNT, BUSINESS_TYPES), ["object_create"]),
    (events.account_updated, (ACCOUNT, changed(ACCOUNT, company_id="中山大学")), ["object_update"]),
    (events.account_owner_changed, (ACCOUNT, (None, None, 1)), ["object_change_owner"]),
    (events.account_voided, (ACCOUNT,), ["object_voids"]),
    (events.account_related, (ACCOUNT, LEAD), ["object_relation"]),
]


@pytest.mark.parametrize(("builder", "args", "names"), CHAINS, ids=[c[0].__name__ for c in CHAINS])
def test_each_builder_sends_its_chain_in_order_with_valid_payloads(
    builder: Callable[..., events.Chain], args: tuple[Any, ...], names: list[str]
) -> None:
    assert checked(builder(*args)) == names


def test_every_event_of_the_index_has_a_builder_or_a_trigger() -> None:
    built = {name for builder, args, _ in CHAINS for name, _ in builder(*args)}
    on_demand = set(triggers.BUILDERS)
    assert built | on_demand == set(spec.events().by_name)
    assert on_demand == set(spec.events().on_demand())


def test_user_creation_carries_identities_fields_and_its_time() -> None:
    [(_, payload)] = events.user_created(USER)
    assert payload["event_category"] == "user"
    assert payload["create_time"] == 1767225600
    extra = payload["extra_data"]
    assert extra["identities"] == USER["identities"]
    assert extra["fields"] == {"city": "上海"}
    assert extra["created_timestamp"] == AT


def test_field_change_carries_before_and_after_and_their_text() -> None:
    after = {**USER, "fields": {"city": "北京", "level": 3}, "updated_at": LATER}
    [(_, payload)] = events.user_fields_changed(USER, after)
    extra = payload["extra_data"]
    assert extra["mapping_data"] == {"city": ["上海", "北京"], "level": [None, 3]}
    assert extra["mapping_data_text"] == {"city": ["上海", "北京"], "level": ["-", "3"]}
    assert extra["created_timestamp"] == LATER


def test_unchanged_fields_send_nothing() -> None:
    assert events.user_fields_changed(USER, {**USER, "fields": dict(USER["fields"])}) == []
    assert events.lead_updated(LEAD, dict(LEAD)) == []
    assert events.account_updated(ACCOUNT, dict(ACCOUNT)) == []


def test_a_batch_tells_new_users_from_changed_ones() -> None:
    other = {**USER, "omni_user_uuid": "S9Cp23Np2gLQfSKtS7rpXd", "fields": {"city": "杭州"}}
    before = {other["omni_user_uuid"]: {**other, "fields": {"city": "成都"}}}
    assert checked(events.users_upserted(before, [USER, other])) == [
        "add_omni_user_success",
        "custom_field",
    ]


def test_lead_creation_starts_at_object_create() -> None:
    names = checked(events.lead_created(LEAD))
    assert names == ["object_create", "object_update_life_cycle", "object_source_info"]


def test_lead_object_create_is_shaped_like_the_documented_sample() -> None:
    [(_, payload), (_, cycle), (_, source)] = events.lead_created(LEAD, BUSINESS_TYPES)
    extra = payload["extra_data"]
    assert (payload["event_category"], payload["action_keyword"]) == ("object_v2", "object_create")
    assert (extra["object_name"], extra["object_id"], extra["entity_id"]) == (
        "lead",
        "56",
        LEAD["jing_uuid"],
    )
    assert extra["mapping_data"]["name"] == ["赵拥晨"]
    assert extra["mapping_data"]["to_baby_lead_timestamp"] == [AT]
    assert "owner" not in extra["mapping_data"]  # unset fields are not sent
    assert extra["mapping_data_text"]["life_status"] == "初始线索"
    assert extra["mapping_data_text"]["lead_pool"] == "市场公海"
    assert extra["mapping_data_text"]["business_type"] == "Authing"
    assert extra["mapping_data_text"]["headimgurl"] == "image"
    assert (extra["business_type_name"], extra["lead_omni_user_uuid"]) == (
        "Authing",
        USER["omni_user_uuid"],
    )
    assert (cycle["extra_data"]["from_life_status"], cycle["extra_data"]["to_life_status"]) == (
        None,
        "baby_lead",
    )
    assert source["extra_data"]["source_data"] == {"utm_source": "wechat"}


def test_lead_update_sends_the_life_cycle_only_when_the_stage_changed() -> None:
    after = changed(LEAD, mobile="17894892831")
    [(name, payload)] = events.lead_updated(LEAD, after)
    assert name == "object_update"
    assert payload["extra_data"]["mapping_data"] == {"mobile": [None, "17894892831"]}
    assert payload["extra_data"]["created_timestamp"] == LATER


def test_account_update_labels_empty_values_with_a_dash_as_documented() -> None:
    after = changed(ACCOUNT, company_id="中山大学")
    [(_, payload)] = events.account_updated(ACCOUNT, after)
    extra = payload["extra_data"]
    assert extra["mapping_data"] == {"company_id": [None, "中山大学"]}
    assert extra["mapping_data_text"] == {"company_id": ["-", "中山大学"]}
    assert "life_status" not in extra  # account samples carry no lead fields


@pytest.mark.parametrize(
    ("scene", "keyword"),
    [
        (1, "auto_distribution"),
        (2, "manual_distribution"),
        (3, "manual_distribution"),
        (4, "manual_distribution"),
        (5, "auto_distribution"),
        (6, "auto_distribution"),
    ],
)
def test_owner_change_keyword_follows_the_scene_type(scene: int, keyword: str) -> None:
    lead = {**LEAD, "owner": "o2"}
    [(_, payload)] = events.lead_owner_changed(lead, ("o1", "王伟", scene))
    extra = payload["extra_data"]
    assert payload["action_keyword"] == keyword
    assert (extra["scene_type"], extra["former_owner"], extra["owner"]) == (scene, "o1", "o2")
    assert extra["entity_change_mapping"] == {"owner": ["o1", "o2"]}


def test_relation_names_the_other_object() -> None:
    [(_, payload)] = events.account_related(ACCOUNT, LEAD)
    extra = payload["extra_data"]
    assert (extra["target_object_name"], extra["target_object_id"]) == ("lead", "56")
    assert extra["target_entity_id"] == LEAD["jing_uuid"]


def test_event_time_is_the_record_update_time_unless_given() -> None:
    [(_, recorded)] = events.lead_voided(changed(LEAD))
    [(_, given)] = events.lead_voided(LEAD, at="2026-02-01 00:00:00")
    assert recorded["extra_data"]["created_timestamp"] == LATER
    assert given["create_time"] == 1769875200  # 2026-02-01 00:00:00 in Shanghai


def test_activity_status_events_only_for_registrations_that_changed() -> None:
    other = {**REGISTRATION, "omni_user_uuid": "S9Cp23Np2gLQfSKtS7rpXd"}
    after = [{**REGISTRATION, "ems_approvestatus": "1", "ems_approvetimestamp": LATER}, other]
    [(_, payload)] = events.activity_user_status_changed([REGISTRATION, other], after)
    extra = payload["extra_data"]
    assert extra["omni_user_uuid"] == REGISTRATION["omni_user_uuid"]
    assert extra["mapping_data"] == {
        "ems_approvestatus": ["0", "1"],
        "ems_approvetimestamp": ["", LATER],
    }
    assert extra["created_timestamp"] == LATER


def test_a_status_the_activity_page_allows_is_a_valid_event_payload() -> None:
    # The status batch page types the statuses as strings with no list of values, so "3" is
    # served (only our own rule names 0, 1 and 2); the event it causes must match its schema.
    after = [{**REGISTRATION, "ems_signinstatus": "3", "ems_signintimestamp": LATER}]
    assert checked(events.activity_user_status_changed([REGISTRATION], after)) == [
        "activity_user_status"
    ]
