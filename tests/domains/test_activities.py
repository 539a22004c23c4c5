"""Activities: the status batch updates registered users only, with documented records."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from emulator.core import Emulator
from tests.conftest import post, user

STATUS = "/v1/activity/update/userStatus/batch"
ACTIVITY = "etAJARbcPwUwnsgfr66BVJ"


def registered(client: TestClient, headers: dict[str, str], emulator: Emulator) -> list[str]:
    answer = post(client, "/v1/user/update", [user("13600000001"), user("13600000002")], headers)
    uuids = [u["omni_user_uuid"] for u in answer["data"]["success"]]
    store = emulator.tenants.default.activities
    store.create({"entity_uuid": ACTIVITY, "name": "直播", "type": "live"})
    store.register(ACTIVITY, uuids[0])
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
    bad = post(client, STATUS, change([uuid], ems_signinstatus="7"), headers)
    assert bad["code"] == 30006
    assert bad["data"]["details"][0]["path"] == "$.ems_signinstatus"
