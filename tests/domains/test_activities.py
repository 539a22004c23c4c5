"""Activities: list and detail with counts, registered users with statuses, the status batch."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator.core import Emulator
from emulator.envelope import ApiError
from emulator.seed import demo
from tests.conftest import SETTINGS, post, user

STATUS = "/v1/activity/update/userStatus/batch"
ACTIVITY = "etAJARbcPwUwnsgfr66BVJ"


def registered(client: TestClient, headers: dict[str, str], emulator: Emulator) -> list[str]:
    answer = post(client, "/v1/user/update", [user("13600000001"), user("13600000002")], headers)
    uuids = [u["omni_user_uuid"] for u in answer["data"]["success"]]
    store = emulator.tenants.default.activities
    store.create({"entity_uuid": ACTIVITY, "name": "直播", "type": "live"})
    store.register(ACTIVITY, [uuids[0]])
    return uuids


def change(uuids: list[str], **fields: Any) -> dict[str, Any]:
    return {"entity_uuid": ACTIVITY, "user_ids": uuids, **fields}


def test_status_batch_answers_one_record_per_user(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    uuid = registered(client, headers, emulator)[0]
    body = change([uuid], ems_approvestatus="2", ems_approvetimestamp="2022-12-16 16:00:00")
    answer = post(client, STATUS, body, headers)
    assert (answer["code"], answer["msg"], answer["message"]) == (0, "success", "success")
    assert list(answer) == ["code", "message", "msg", "data", "timestamp"]
    record = answer["data"][0]
    assert record["target_entity_uuid"] == ACTIVITY
    assert record["omni_user_uuid"] == uuid
    assert (record["ems_approvestatus"], record["ems_approvetimestamp"]) == (
        "2",
        "2022-12-16 16:00:00",
    )
    assert (record["ems_signinstatus"], record["ems_signintimestamp"]) == ("0", "")
    assert emulator.tenants.default.activities.registrations(ACTIVITY)[0] == record


def test_status_without_time_is_stamped_with_the_virtual_clock(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    uuid = registered(client, headers, emulator)[0]
    emulator.clock.advance(3600)
    record = post(client, STATUS, change([uuid], ems_signinstatus="1"), headers)["data"][0]
    assert record["ems_signintimestamp"] == "2026-01-01 09:00:00"


def test_unregistered_user_refuses_the_whole_call(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    uuids = registered(client, headers, emulator)
    answer = post(client, STATUS, change(uuids, ems_signinstatus="1"), headers)
    assert answer["code"] == 40003
    assert answer["data"]["details"][0]["path"] == "$.user_ids[1]"
    assert emulator.tenants.default.activities.registrations(ACTIVITY)[0]["ems_signinstatus"] == "0"


def test_unknown_activity_and_bad_status_are_errors(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    uuid = registered(client, headers, emulator)[0]
    unknown = post(client, STATUS, {"entity_uuid": "nope", "user_ids": [uuid]}, headers)
    assert unknown["code"] == 40002
    bad = post(client, STATUS, change([uuid], ems_signinstatus=7), headers)  # the page: a string
    assert bad["code"] == 30006
    assert bad["data"]["details"][0]["path"] == "$.ems_signinstatus"


LIST, DETAIL = "/v1/activity/list", "/v1/activity/detail"
USERS = "/v1/activity/registeredUsers"


def demo_activities(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    rows = post(client, LIST, {}, headers)["data"]["list"]
    return {row["type"]: row for row in rows}


def test_list_answers_live_and_meeting_activities_with_their_counts(
    client: TestClient, headers: dict[str, str]
) -> None:
    answer = post(client, LIST, {}, headers)
    assert (answer["code"], answer["data"]["total"]) == (0, 2)
    by_type = {row["type"]: row for row in answer["data"]["list"]}
    expected = {a["type"]: len(a["registered"]) for a in demo(SETTINGS.seed)["activities"]}
    assert {kind: row["registered_count"] for kind, row in by_type.items()} == expected
    meetings = post(client, LIST, {"type": "meeting"}, headers)["data"]["list"]
    assert meetings == [by_type["meeting"]]


def test_list_refuses_an_unknown_type(client: TestClient, headers: dict[str, str]) -> None:
    answer = post(client, LIST, {"type": "webinar"}, headers)
    assert answer["code"] == 30006
    assert answer["data"]["details"][0]["path"] == "$.type"


def test_detail_answers_the_activity_the_list_shows(
    client: TestClient, headers: dict[str, str]
) -> None:
    live = demo_activities(client, headers)["live"]
    answer = post(client, DETAIL, {"entity_uuid": live["entity_uuid"]}, headers)
    assert answer["data"] == live
    assert live["name"] == "2026 新品发布会直播"


def test_unknown_activity_is_an_error_of_detail_and_registered_users(
    client: TestClient, headers: dict[str, str]
) -> None:
    for path in (DETAIL, USERS):
        answer = post(client, path, {"entity_uuid": "nope"}, headers)
        assert answer["code"] == 40002, path
        assert answer["data"]["details"][0]["path"] == "$.entity_uuid"


def test_registered_users_answer_statuses_the_batch_set(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    uuid = registered(client, headers, emulator)[0]
    post(client, STATUS, change([uuid], ems_signinstatus="1"), headers)
    answer = post(client, USERS, {"entity_uuid": ACTIVITY}, headers)["data"]
    (row,) = answer["list"]
    assert (row["omni_user_uuid"], row["ems_signinstatus"]) == (uuid, "1")
    assert row["ems_signintimestamp"] == "2026-01-01 08:00:00"
    assert row["ems_approvestatus"] == "0"
    assert emulator.tenants.default.activities.registrations(ACTIVITY) == [
        {k: v for k, v in row.items() if k not in ("create_time", "update_time")}
    ]
    unsigned = post(client, USERS, {"entity_uuid": ACTIVITY, "ems_signinstatus": "0"}, headers)
    assert unsigned["data"]["total"] == 0


def test_registered_users_page_through_the_demo_registrations(
    client: TestClient, headers: dict[str, str]
) -> None:
    meeting = demo_activities(client, headers)["meeting"]
    body = {"entity_uuid": meeting["entity_uuid"], "page": 2, "page_size": 5}
    answer = post(client, USERS, body, headers)["data"]
    assert (answer["total"], len(answer["list"])) == (meeting["registered_count"], 3)
    assert {row["target_entity_uuid"] for row in answer["list"]} == {meeting["entity_uuid"]}


def test_registered_users_need_the_activity_and_known_statuses(
    client: TestClient, headers: dict[str, str]
) -> None:
    missing = post(client, USERS, {"ems_signinstatus": "1"}, headers)
    assert missing["code"] == 30006
    bad = post(client, USERS, {"entity_uuid": ACTIVITY, "ems_approvestatus": "3"}, headers)
    assert bad["data"]["details"][0]["path"] == "$.ems_approvestatus"


def test_registering_twice_keeps_one_registration(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    uuid = registered(client, headers, emulator)[0]
    store = emulator.tenants.default.activities
    assert store.register(ACTIVITY, [uuid, uuid]) == store.registrations(ACTIVITY) * 2
    assert len(store.registrations(ACTIVITY)) == 1


def test_registrations_stored_as_records_can_be_updated(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    uuids = registered(client, headers, emulator)
    records = emulator.tenants.default.records
    records.create("activity_user", {"target_entity_uuid": ACTIVITY, "omni_user_uuid": uuids[1]})
    answer = post(client, STATUS, change(uuids, ems_approvestatus="1"), headers)
    assert [r["ems_approvestatus"] for r in answer["data"]] == ["1", "1"]
    stored = records.find("activity_user", target_entity_uuid=ACTIVITY)
    assert [r["ems_approvestatus"] for r in stored] == ["1", "1"]
    detail = post(client, DETAIL, {"entity_uuid": ACTIVITY}, headers)["data"]
    assert detail["registered_count"] == 2


def test_a_taken_entity_uuid_is_refused(emulator: Emulator) -> None:
    store = emulator.tenants.default.activities
    store.create({"entity_uuid": ACTIVITY, "name": "直播", "type": "live"})
    with pytest.raises(ApiError) as caught:
        store.create({"entity_uuid": ACTIVITY, "name": "会议", "type": "meeting"})
    assert caught.value.key == "duplicate_record"
