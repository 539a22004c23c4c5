"""On-demand events: payloads from the app's real state, overrides by path, schema-checked."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from starlette.testclient import TestClient

from emulator import spec, triggers
from emulator.core import Emulator
from emulator.envelope import ApiError
from emulator.listener import trigger_command
from emulator.settings import Settings
from tests.test_listener import inprocess, trigger_args
from tests.test_spec import copy_of_schemas, edit_entry

TRIGGER = "/_admin/webhooks/trigger"


def build(emulator: Emulator, event: str, **overrides: Any) -> dict[str, Any]:
    tenant = emulator.tenants.default
    return triggers.build(triggers.Source(event, tenant, emulator.clock, emulator.ids, overrides))


def failure(emulator: Emulator, event: str, **overrides: Any) -> ApiError:
    with pytest.raises(ApiError) as raised:
        build(emulator, event, **overrides)
    return raised.value


@pytest.mark.parametrize("event", spec.events().triggerable())
def test_every_on_demand_event_is_built_valid_from_the_demo_state(
    emulator: Emulator, event: str
) -> None:
    payload = build(emulator, event)
    jsonschema.validate(payload, spec.event_schema(event))
    assert payload["event_type"] == event
    assert payload["create_time"] == int(emulator.clock.now())


def test_payloads_refer_to_the_latest_stored_user(emulator: Emulator) -> None:
    latest = emulator.tenants.default.users.records()[-1]
    extra = build(emulator, "cta_submit")["extra_data"]
    assert extra["omni_user_uuid"] == latest["omni_user_uuid"]
    assert extra["form_data"]["name"] == latest["fields"]["name"]


def test_template_events_pick_a_user_with_a_wechat_openid(emulator: Emulator) -> None:
    extra = build(emulator, "template_send_error")["extra_data"]
    user = emulator.tenants.default.users.get(extra["omni_user_uuid"])
    assert user is not None
    assert {"type": "wechat_openid", "value": extra["wechat_openid"]} in [
        {k: i[k] for k in ("type", "value")} for i in user["identities"]
    ]
    assert (extra["status"], extra["error_code"]) == ("error", 43004)


def test_activity_events_pick_an_activity_of_their_kind(emulator: Emulator) -> None:
    live = build(emulator, "activity_live_update")["extra_data"]
    meeting = build(emulator, "activity_meeting_delete")["extra_data"]
    assert (live["type"], live["name"]) == ("live", "2026 新品发布会直播")
    assert (meeting["type"], meeting["name"]) == ("meeting", "上海线下客户峰会")


def test_signup_refers_to_a_real_registration(emulator: Emulator) -> None:
    extra = build(emulator, "activity_signup")["extra_data"]
    registrations = emulator.tenants.default.activities.registrations(extra["entity_uuid"])
    assert {"omni_user_uuid": extra["omni_user_uuid"], "jing_uuid": extra["jing_uuid"]} in [
        {k: r[k] for k in ("omni_user_uuid", "jing_uuid")} for r in registrations
    ]


def test_naming_an_existing_user_or_activity_builds_from_it(emulator: Emulator) -> None:
    first = emulator.tenants.default.users.records()[0]
    extra = build(
        emulator, "privacy_authorized", **{"extra_data.omni_user_uuid": first["omni_user_uuid"]}
    )
    assert extra["extra_data"]["omni_user_uuid"] == first["omni_user_uuid"]
    meeting = emulator.tenants.default.activities.records()[1]
    chosen = {"extra_data.entity_uuid": meeting["entity_uuid"]}
    assert (
        build(emulator, "activity_signup", **chosen)["extra_data"]["activity_name"]
        == meeting["name"]
    )


def test_overrides_set_fields_by_dotted_path_and_list_index(emulator: Emulator) -> None:
    payload = build(
        emulator,
        "tracking_customevent",
        **{
            "extra_data.properties.sku": "A-1",
            "extra_data.event_name": "AddToCart",
            "extra_data.omni_user_uuid": "NoSuchUser22CharsLong1",
            "create_time": 1700000000,
        },
    )
    extra = payload["extra_data"]
    assert (extra["properties"], extra["event_name"]) == ({"sku": "A-1"}, "AddToCart")
    assert extra["omni_user_uuid"] == "NoSuchUser22CharsLong1"  # asked for, kept as given
    assert payload["create_time"] == 1700000000
    listed = build(
        emulator, "pageView", **{"extra_data.tags": ["a", "b"], "extra_data.tags.1": "c"}
    )
    assert listed["extra_data"]["tags"] == ["a", "c"]


def test_an_override_that_breaks_the_schema_is_refused_with_its_path(emulator: Emulator) -> None:
    error = failure(emulator, "tracking_cls", **{"extra_data.duration": -5})
    assert (error.key, error.params["path"]) == ("invalid_event_payload", "$.extra_data.duration")
    assert failure(emulator, "pageView", **{"mid": "abc"}).params["path"] == "$.mid"


def test_an_override_through_a_value_that_is_not_an_object_is_refused(emulator: Emulator) -> None:
    error = failure(emulator, "pageView", **{"mid.x": 1})
    assert (error.key, error.params["path"]) == ("invalid_event_payload", "$.mid")
    assert "not an object" in error.params["reason"]
    assert failure(emulator, "pageView", **{"create_time.0": 1}).params["path"] == "$.create_time"


def test_unknown_events_and_api_events_are_refused(emulator: Emulator) -> None:
    assert failure(emulator, "no_such_event").key == "unknown_event"
    sent_by_api = failure(emulator, "object_create")
    assert sent_by_api.key == "event_not_on_demand"
    assert "account.create" in sent_by_api.params["reason"]
    status = failure(emulator, "object_update_status")
    assert status.params["reason"] == "the API sends it (lead.status.update, lead.update)"


def test_an_app_without_the_state_an_event_needs_is_told_so(emulator: Emulator) -> None:
    emulator.tenants.default.reset()
    error = failure(emulator, "pageView")
    assert (error.key, error.params["needs"]) == ("event_needs_state", "a user")
    assert failure(emulator, "activity_live_create").params["needs"] == "a live activity"


# Back-office actions on leads and accounts

CRM_EVENTS = [
    (event, kind)
    for event in triggers.CRM_BUILDERS
    for kind in spec.events().by_name[event]["objects"]
]


def stored(emulator: Emulator, kind: str) -> list[dict[str, Any]]:
    return emulator.tenants.default.records.find(kind)


def latest(emulator: Emulator, event: str, kind: str) -> dict[str, Any]:
    """The record an event is built from unless named: the latest (in a pool, for a pool change)."""
    found = stored(emulator, kind)
    pooled = event == "object_change_lead_pool"
    return [record for record in found if record.get("lead_pool") or not pooled][-1]


@pytest.mark.parametrize(("event", "kind"), CRM_EVENTS)
def test_back_office_events_are_built_valid_from_a_stored_lead_or_account(
    emulator: Emulator, event: str, kind: str
) -> None:
    payload = build(emulator, event, **{"extra_data.object_name": kind})
    jsonschema.validate(payload, spec.event_schema(event))
    extra = payload["extra_data"]
    assert (payload["event_type"], extra["object_name"]) == (event, kind)
    assert extra["object_id"] == spec.events().crm["objects"][kind]["object_id"]
    record = latest(emulator, event, kind)
    assert (extra["entity_id"], extra["business_type"]) == (
        record["jing_uuid"],
        record["business_type"],
    )
    assert payload["create_time"] == int(emulator.clock.now())


def test_lead_events_carry_the_stored_lead_stage_pool_and_user(emulator: Emulator) -> None:
    lead = stored(emulator, "lead")[0]
    named = {"extra_data.entity_id": lead["jing_uuid"]}
    stage = build(emulator, "object_update_life_cycle", **named)["extra_data"]
    assert (stage["entity_id"], stage["to_life_status"]) == (lead["jing_uuid"], "baby_lead")
    assert stage["from_life_status"] is None  # only the current stage is stored
    assert stage["lead_omni_user_uuid"] == lead["omni_user_uuid"]
    assert (stage["owner"], stage["life_status"]) == (lead.get("owner"), lead["life_status"])
    newest = stored(emulator, "lead")[-1]
    emulator.tenants.default.records.update("lead", newest["jing_uuid"], {"lead_pool": None})
    pool = build(emulator, "object_change_lead_pool")["extra_data"]
    assert pool["entity_id"] == latest(emulator, "object_change_lead_pool", "lead")["jing_uuid"]
    assert pool["entity_id"] != newest["jing_uuid"]  # the latest lead in a pool
    assert (pool["from_lead_pool"], pool["to_lead_pool"]) == (None, "market")
    notes = build(emulator, "object_add_notes", **named)["extra_data"]
    assert (notes["entity_id"], notes["notes"]) == (lead["jing_uuid"], triggers.NOTE)


def test_relations_pair_a_lead_with_its_own_account_and_back(emulator: Emulator) -> None:
    linked = [lead for lead in stored(emulator, "lead") if lead.get("account_id")][-1]
    named = {"extra_data.entity_id": linked["jing_uuid"]}
    lead_side = build(emulator, "object_relation", **named)["extra_data"]
    assert (lead_side["object_name"], lead_side["entity_id"]) == ("lead", linked["jing_uuid"])
    assert (lead_side["target_object_name"], lead_side["target_object_id"]) == ("account", "31")
    assert lead_side["target_entity_id"] == linked["account_id"]
    account = build(emulator, "object_relation", **{"extra_data.object_name": "account"})
    extra = account["extra_data"]
    assert (extra["object_name"], extra["target_object_name"]) == ("account", "lead")
    target = emulator.tenants.default.records.get("lead", extra["target_entity_id"])
    assert (
        target["account_id"] == extra["entity_id"] == stored(emulator, "account")[-1]["jing_uuid"]
    )


def test_an_unlinked_lead_is_related_to_the_latest_account(emulator: Emulator) -> None:
    unlinked = next(lead for lead in stored(emulator, "lead") if not lead.get("account_id"))
    named = {"extra_data.entity_id": unlinked["jing_uuid"]}
    extra = build(emulator, "object_relation", **named)["extra_data"]
    assert extra["target_entity_id"] == stored(emulator, "account")[-1]["jing_uuid"]


def test_naming_a_stored_account_or_target_builds_from_it(emulator: Emulator) -> None:
    account = stored(emulator, "account")[0]
    voided = build(emulator, "object_voids", **{"extra_data.entity_id": account["jing_uuid"]})
    extra = voided["extra_data"]
    assert (extra["object_name"], extra["object_id"]) == ("account", "31")  # found among accounts
    assert (extra["entity_id"], extra["business_type"]) == (
        account["jing_uuid"],
        account["business_type"],
    )
    assert "life_status" not in extra  # an account's base has no lead fields
    lead = stored(emulator, "lead")[1]
    chosen = {"extra_data.object_name": "account", "extra_data.target_entity_id": lead["jing_uuid"]}
    assert (
        build(emulator, "object_relation", **chosen)["extra_data"]["target_entity_id"]
        == (lead["jing_uuid"])
    )


def test_back_office_events_honour_overrides_and_refuse_a_broken_one(emulator: Emulator) -> None:
    extra = build(
        emulator,
        "object_update_life_cycle",
        **{"extra_data.from_life_status": "baby_lead", "extra_data.to_life_status": "mql"},
    )["extra_data"]
    assert (extra["from_life_status"], extra["to_life_status"]) == ("baby_lead", "mql")
    noted = build(
        emulator, "object_add_notes", **{"extra_data.notes": "已寄样品", "create_time": 1}
    )
    assert (noted["extra_data"]["notes"], noted["create_time"]) == ("已寄样品", 1)
    error = failure(emulator, "object_restore", **{"extra_data.object_name": "contact"})
    assert (error.key, error.params["path"]) == (
        "invalid_event_payload",
        "$.extra_data.object_name",
    )
    missing = failure(emulator, "object_change_lead_pool", **{"extra_data.entity_id": ""})
    assert missing.params["path"] == "$.extra_data.entity_id"


def test_a_trigger_changes_no_stored_record_nor_later_payloads(
    client: TestClient, emulator: Emulator
) -> None:
    before = {kind: copy.deepcopy(stored(emulator, kind)) for kind in ("lead", "account")}
    for event, kind in CRM_EVENTS:
        nested = {"extra_data.timeline_data.login_platform": "pc", "extra_data.owner": "x"}
        body = {"event": event, "set": {"extra_data.object_name": kind, **nested}}
        answer = client.post(TRIGGER, json=body).json()
        assert answer["data"]["payload"]["extra_data"]["timeline_data"]["login_platform"] == "pc"
    assert {kind: stored(emulator, kind) for kind in before} == before
    again = build(emulator, "object_voids")["extra_data"]
    assert again["timeline_data"]["login_platform"] == ""


def test_an_app_without_leads_or_accounts_is_told_which_is_missing(
    client: TestClient, emulator: Emulator
) -> None:
    empty = client.post("/_admin/apps", json={"app_id": "empty-app"}).json()["data"]["app_id"]
    answer = client.post(TRIGGER, json={"event": "object_restore", "app_id": empty}).json()
    assert (answer["code"], answer["msg"]) == (
        50009,
        "object_restore refers to a lead and app empty-app has none: create one first",
    )
    tenant = emulator.tenants.default
    for lead in [lead for lead in stored(emulator, "lead") if lead.get("lead_pool")]:
        tenant.records.delete("lead", lead["jing_uuid"])
    assert failure(emulator, "object_change_lead_pool").params["needs"] == "a lead in a pool"
    tenant.accounts.reset()
    assert failure(emulator, "object_relation").params["needs"] == "an account"
    voids = failure(emulator, "object_voids", **{"extra_data.object_name": "account"})
    assert (voids.key, voids.params["needs"]) == ("event_needs_state", "an account")


def test_back_office_events_are_sent_on_demand_and_keep_their_operations(
    client: TestClient,
) -> None:
    index = spec.events()
    back_office = [name for name in index.triggerable() if name not in index.on_demand()]
    assert set(back_office) == set(triggers.CRM_BUILDERS)
    assert index.by_name["object_change_lead_pool"]["trigger"] == ["lead.update"]
    assert index.by_name["object_update_life_cycle"]["trigger"] == ["lead.create", "lead.update"]
    assert index.by_name["object_voids"]["trigger"] == []  # no operation sends it
    listed = client.get("/_admin/webhooks/events").json()["data"]["events"]
    assert [e["name"] for e in listed if e["on_demand"]] == index.triggerable()
    pool = next(e for e in listed if e["name"] == "object_change_lead_pool")
    assert (pool["trigger"], pool["on_demand"]) == (["lead.update"], True)


def test_an_index_entry_whose_back_office_is_not_a_boolean_is_refused(tmp_path: Path) -> None:
    root = copy_of_schemas(tmp_path)
    edit_entry(root / "webhooks" / "events.json", "pageView", {"back_office": "yes"})
    with pytest.raises(spec.CatalogueError, match=r"\[pageView\]\.back_office: true or false"):
        spec.events(root)


def test_the_trigger_command_sends_a_back_office_event(
    emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    account = stored(emulator, "account")[0]["jing_uuid"]
    args = trigger_args("object_voids", f"extra_data.entity_id={account}")
    assert trigger_command(Settings(), args, inprocess(emulator)) == 0
    out = capsys.readouterr().out
    payload = orjson.loads(out[: out.rindex("}") + 1])
    assert (payload["event_type"], payload["extra_data"]["object_name"]) == (
        "object_voids",
        "account",
    )
    assert payload["extra_data"]["entity_id"] == account
