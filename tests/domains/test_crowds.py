"""Static groups: create, read, update, delete, members; counts always agree with membership."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator import spec
from emulator.core import Emulator
from emulator.envelope import ApiError
from emulator.seed import demo
from tests.conftest import SETTINGS, post, user

IMPORT = "/v2/crowd/static/importByUuids"


def new_users(client: TestClient, headers: dict[str, str], count: int) -> list[str]:
    items = [user(f"137{n:08d}") for n in range(count)]
    answer = post(client, "/v1/user/update", items, headers)
    return [u["omni_user_uuid"] for u in answer["data"]["success"]]


def test_import_counts_new_members_unknown_ids_and_repeats(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    group = emulator.tenants.default.crowds.create("测试群组")["group_id"]
    a, b = new_users(client, headers, 2)
    answer = post(
        client, IMPORT, {"group_id": group, "omni_user_uuids": [a, b, a, "nobody"]}, headers
    )
    assert answer["code"] == "10000"
    assert answer["message"] == "success"
    assert answer["data"] == {"success_number": 2, "error_number": 2}
    assert list(answer) == ["code", "message", "data", "request_id", "timestamp"]
    again = post(client, IMPORT, {"group_id": group, "omni_user_uuids": [b]}, headers)
    assert again["data"] == {"success_number": 0, "error_number": 1}
    assert emulator.tenants.default.crowds.detail(group)["user_count"] == 2
    assert emulator.tenants.default.crowds.members(group) == [a, b]


def test_import_into_unknown_group_is_an_error(client: TestClient, headers: dict[str, str]) -> None:
    answer = post(client, IMPORT, {"group_id": 1, "omni_user_uuids": []}, headers)
    assert answer["code"] == "40001"
    assert answer["data"]["details"][0]["path"] == "$.group_id"


def test_demo_group_of_the_vendor_sample_exists(
    client: TestClient, headers: dict[str, str]
) -> None:
    uuid = new_users(client, headers, 1)[0]
    answer = post(client, IMPORT, {"group_id": 20541, "omni_user_uuids": [uuid]}, headers)
    assert answer["data"] == {"success_number": 1, "error_number": 0}


def test_group_id_must_be_an_integer(client: TestClient, headers: dict[str, str]) -> None:
    answer = post(client, IMPORT, {"group_id": "20541", "omni_user_uuids": []}, headers)
    assert answer["code"] == "30006"
    assert answer["data"]["details"][0]["path"] == "$.group_id"


def call(client: TestClient, op: str, body: Any, headers: dict[str, str]) -> Any:
    """Call a static-group operation by its id, with the method the catalogue gives it."""
    found = spec.load().by_id[f"crowd.static.{op}"]
    return client.request(found.method, found.path, json=body, headers=headers).json()


def test_created_group_gets_the_id_after_the_highest_and_is_read_back(
    client: TestClient, headers: dict[str, str]
) -> None:
    created = call(client, "create", {"name": "华北区", "description": "北方客户"}, headers)
    assert created["code"] == "10000"
    group = created["data"]
    assert group["group_id"] == 20544  # after the demo's 20541, 20542 and 20543
    assert (group["name"], group["description"], group["user_count"]) == ("华北区", "北方客户", 0)
    assert call(client, "detail", {"group_id": 20544}, headers)["data"] == group
    listed = call(client, "list", {"page_size": 100}, headers)["data"]
    assert listed["total"] == 4
    assert listed["list"][-1] == group


def test_first_group_of_a_tenant_is_the_vendor_sample_id(emulator: Emulator) -> None:
    tenant = emulator.tenants.provision()
    assert tenant.crowds.create("首个群组")["group_id"] == 20541
    assert tenant.crowds.create("第二个")["group_id"] == 20542


def test_a_taken_group_id_is_refused(emulator: Emulator) -> None:
    with pytest.raises(ApiError) as caught:
        emulator.tenants.default.crowds.create("重复", 20541)
    assert caught.value.key == "duplicate_record"


def test_counts_in_detail_and_list_follow_imports(
    client: TestClient, headers: dict[str, str]
) -> None:
    group = call(client, "create", {"name": "计数"}, headers)["data"]["group_id"]
    a, b = new_users(client, headers, 2)
    post(client, IMPORT, {"group_id": group, "omni_user_uuids": [a, b]}, headers)
    post(client, IMPORT, {"group_id": group, "omni_user_uuids": [a]}, headers)
    assert call(client, "detail", {"group_id": group}, headers)["data"]["user_count"] == 2
    listed = call(client, "list", {"name": "计数"}, headers)["data"]
    assert [(g["group_id"], g["user_count"]) for g in listed["list"]] == [(group, 2)]


def test_demo_counts_match_the_demo_members(client: TestClient, headers: dict[str, str]) -> None:
    listed = call(client, "list", {}, headers)["data"]["list"]
    members = {g["name"]: len(g["members"]) for g in demo(SETTINGS.seed)["groups"]}
    assert {g["name"]: g["user_count"] for g in listed} == members


def test_counts_are_read_from_the_membership_records(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    uuid = new_users(client, headers, 1)[0]
    records = emulator.tenants.default.records
    records.create("crowd_user", {"group_id": 20543, "omni_user_uuid": uuid})
    assert call(client, "detail", {"group_id": 20543}, headers)["data"]["user_count"] == 1
    users = call(client, "users", {"group_id": 20543}, headers)["data"]["list"]
    assert [u["omni_user_uuid"] for u in users] == [uuid]


def test_users_pages_through_members_in_join_order(
    client: TestClient, headers: dict[str, str]
) -> None:
    group = call(client, "create", {"name": "分页"}, headers)["data"]["group_id"]
    uuids = new_users(client, headers, 3)
    post(client, IMPORT, {"group_id": group, "omni_user_uuids": uuids}, headers)
    first = call(client, "users", {"group_id": group, "page_size": 2}, headers)["data"]
    second = call(client, "users", {"group_id": group, "page": 2, "page_size": 2}, headers)
    assert (first["total"], first["page"], first["page_size"]) == (3, 1, 2)
    rows = first["list"] + second["data"]["list"]
    assert [row["omni_user_uuid"] for row in rows] == uuids
    assert {row["group_id"] for row in rows} == {group}
    assert rows[0]["create_time"] == "2026-01-01 08:00:00"


def test_users_requires_the_group(client: TestClient, headers: dict[str, str]) -> None:
    answer = call(client, "users", {"page": 1}, headers)
    assert answer["code"] == "30006"
    assert answer["data"]["details"][0]["path"] == "$"


def test_update_renames_and_keeps_members(client: TestClient, headers: dict[str, str]) -> None:
    before = call(client, "detail", {"group_id": 20541}, headers)["data"]
    answer = call(client, "update", {"group_id": 20541, "name": "华东区重点用户"}, headers)
    group = answer["data"]
    assert group["name"] == "华东区重点用户"
    assert group["user_count"] == before["user_count"] == 10
    assert group["description"] == before["description"]
    assert call(client, "detail", {"group_id": 20541}, headers)["data"] == group


def test_delete_forgets_the_group_and_keeps_its_users(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    members = emulator.tenants.default.crowds.members(20541)
    answer = call(client, "delete", {"group_id": 20541}, headers)
    assert answer["data"] == {"group_id": 20541}
    assert call(client, "detail", {"group_id": 20541}, headers)["code"] == "40001"
    assert call(client, "users", {"group_id": 20541}, headers)["code"] == "40001"
    assert emulator.tenants.default.records.find("crowd_user", group_id=20541) == []
    found = post(client, "/v1/user/query", {"omni_user_uuids": members}, headers)["data"]
    assert len(found["list"]) == len(members) == 10
    again = post(client, IMPORT, {"group_id": 20543, "omni_user_uuids": members}, headers)
    assert again["data"] == {"success_number": 10, "error_number": 0}


def test_unknown_group_is_an_error_of_every_group_operation(
    client: TestClient, headers: dict[str, str]
) -> None:
    for op, body in [
        ("detail", {"group_id": 9}),
        ("update", {"group_id": 9, "name": "x"}),
        ("delete", {"group_id": 9}),
        ("users", {"group_id": 9}),
    ]:
        answer = call(client, op, body, headers)
        assert answer["code"] == "40001", op
        assert answer["data"]["details"][0]["path"] == "$.group_id"


def test_create_needs_a_name(client: TestClient, headers: dict[str, str]) -> None:
    answer = call(client, "create", {"name": ""}, headers)
    assert answer["code"] == "30006"
    assert answer["data"]["details"][0]["path"] == "$.name"
