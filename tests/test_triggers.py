"""On-demand events: payloads from the app's real state, overrides by path, schema-checked."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from emulator import spec, triggers
from emulator.core import Emulator
from emulator.envelope import ApiError


def build(emulator: Emulator, event: str, **overrides: Any) -> dict[str, Any]:
    tenant = emulator.tenants.default
    return triggers.build(triggers.Source(event, tenant, emulator.clock, emulator.ids, overrides))


def failure(emulator: Emulator, event: str, **overrides: Any) -> ApiError:
    with pytest.raises(ApiError) as raised:
        build(emulator, event, **overrides)
    return raised.value


@pytest.mark.parametrize("event", spec.events().on_demand())
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
    assert "back-office" in failure(emulator, "object_voids").params["reason"]


def test_an_app_without_the_state_an_event_needs_is_told_so(emulator: Emulator) -> None:
    emulator.tenants.default.reset()
    error = failure(emulator, "pageView")
    assert (error.key, error.params["needs"]) == ("event_needs_state", "a user")
    assert failure(emulator, "activity_live_create").params["needs"] == "a live activity"
