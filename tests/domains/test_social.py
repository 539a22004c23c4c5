"""Staff and social status: employees, WeChat follows and WeCom friendships of existing users."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from emulator.core import Emulator
from tests.conftest import post, user

EMPLOYEES = "/v1/employee/query"
FOLLOW = "/v1/wechat/openidAndFollowStatus"
FRIENDS = "/v1/wecom/friendStatus"


def demo_users(emulator: Emulator) -> list[Any]:
    return emulator.tenants.default.users.select(lambda _: True)


def identity(found: Any, kind: str) -> str | None:
    return next((i["value"] for i in found["identities"] if i["type"] == kind), None)


def test_follow_status_answers_each_openid_of_the_user(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    first = demo_users(emulator)[0]
    record = emulator.tenants.default.records.find("wechat_follower")[0]
    answer = post(client, FOLLOW, {"omni_user_uuids": [first["omni_user_uuid"]]}, headers)
    assert answer["code"] == 0
    (item,) = answer["data"]["success"]
    assert item["omni_user_uuid"] == record["omni_user_uuid"] == first["omni_user_uuid"]
    (openid,) = item["openids"]
    assert openid["wechat_openid"] == identity(first, "wechat_openid") == record["wechat_openid"]
    assert (openid["subscribe"], item["subscribe"]) == (record["subscribe"], record["subscribe"])
    assert openid["subscribe_time"] == record["subscribe_time"]


def test_unknown_user_fails_its_item_only(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    known = demo_users(emulator)[1]["omni_user_uuid"]
    for path in (FOLLOW, FRIENDS):
        answer = post(client, path, {"omni_user_uuids": [known, "nobody"]}, headers)["data"]
        assert [item["index"] for item in answer["success"]] == [0]
        (failure,) = answer["failure"]
        assert (failure["index"], failure["code"]) == (1, 40030)
        assert failure["path"] == "$.omni_user_uuids[1]"
        assert "nobody" in failure["msg"]


def test_user_without_openid_does_not_follow(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    second = demo_users(emulator)[1]
    assert identity(second, "wechat_openid") is None
    body = {"omni_user_uuids": [second["omni_user_uuid"]]}
    (item,) = post(client, FOLLOW, body, headers)["data"]["success"]
    assert (item["subscribe"], item["openids"]) == (0, [])


def test_new_openid_without_follow_record_does_not_follow(
    client: TestClient, headers: dict[str, str]
) -> None:
    item = user("13912345678")
    item["identities"].append({"type": "wechat_openid", "value": "oNEWOPENID"})
    uuid = post(client, "/v1/user/update", [item], headers)["data"]["success"][0]["omni_user_uuid"]
    (status,) = post(client, FOLLOW, {"omni_user_uuids": [uuid]}, headers)["data"]["success"]
    assert status["openids"] == [{"wechat_openid": "oNEWOPENID", "subscribe": 0}]


def test_follow_records_of_openids_the_user_lacks_are_not_answered(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    second = demo_users(emulator)[1]["omni_user_uuid"]
    stray = {"omni_user_uuid": second, "wechat_openid": "oSTRAY", "subscribe": 1}
    emulator.tenants.default.records.create("wechat_follower", stray)
    (item,) = post(client, FOLLOW, {"omni_user_uuids": [second]}, headers)["data"]["success"]
    assert (item["subscribe"], item["openids"]) == (0, [])


def test_friend_status_names_the_staff_member(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    records = emulator.tenants.default.records
    friendship = records.find("wecom_friend")[0]
    employee = records.get("employee", friendship["employee_uuid"])
    body = {"omni_user_uuids": [friendship["omni_user_uuid"]]}
    (item,) = post(client, FRIENDS, body, headers)["data"]["success"]
    assert item["is_friend"] == 1
    assert item["friends"] == [
        {"external_userid": friendship["external_userid"], "employee_uuid": employee["uuid"]}
        | {"is_friend": 1, "add_time": friendship["add_time"]}
        | {"wecom_userid": employee["wecom_userid"]}
    ]


def test_demo_friendships_and_follows_belong_to_their_users_identities(
    emulator: Emulator,
) -> None:
    tenant = emulator.tenants.default
    pairs = [("wecom_friend", "external_userid"), ("wechat_follower", "wechat_openid")]
    for resource, kind in pairs:
        rows = tenant.records.find(resource)
        assert rows, resource
        for row in rows:
            owner = tenant.users.get(row["omni_user_uuid"])
            assert identity(owner, kind) == row[kind], resource


def test_contact_without_friendship_is_not_a_friend(
    client: TestClient, headers: dict[str, str]
) -> None:
    item = {"identities": [{"type": "external_userid", "value": "wmNEWCONTACT"}]}
    uuid = post(client, "/v1/user/update", [item], headers)["data"]["success"][0]["omni_user_uuid"]
    (status,) = post(client, FRIENDS, {"omni_user_uuids": [uuid]}, headers)["data"]["success"]
    assert status == {
        "index": 0,
        "omni_user_uuid": uuid,
        "is_friend": 0,
        "friends": [{"external_userid": "wmNEWCONTACT", "is_friend": 0}],
    }


def test_employees_are_found_by_the_ids_leads_carry(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    owners = [lead["owner"] for lead in emulator.tenants.default.records.find("lead")[:2]]
    answer = post(client, EMPLOYEES, {"uuids": [*owners, "nobody"]}, headers)
    assert answer["code"] == 0
    assert {e["uuid"] for e in answer["data"]["list"]} == set(owners)
    assert answer["data"]["not_found"] == ["nobody"]


def test_employees_are_filtered_by_exact_fields(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    staff = emulator.tenants.default.records.find("employee")
    answer = post(client, EMPLOYEES, {"department": "市场部", "page_size": 100}, headers)["data"]
    assert answer["list"] == [e for e in staff if e["department"] == "市场部"]
    assert answer["total"] >= 1
    assert answer["not_found"] == []


def test_employee_query_by_an_unknown_user_is_an_error(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    answer = post(client, EMPLOYEES, {"omni_user_uuid": "nobody"}, headers)
    assert (answer["code"], answer["data"]["details"][0]["path"]) == (40030, "$.omni_user_uuid")
    uuid = demo_users(emulator)[0]["omni_user_uuid"]
    staff = emulator.tenants.default.records.find("employee")[0]
    emulator.tenants.default.records.update("employee", staff["uuid"], {"omni_user_uuid": uuid})
    bound = post(client, EMPLOYEES, {"omni_user_uuid": uuid}, headers)["data"]["list"]
    assert [e["uuid"] for e in bound] == [staff["uuid"]]
