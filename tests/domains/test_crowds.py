"""Static groups: import by omni_user_uuid counts successes and errors exactly."""

from __future__ import annotations

from starlette.testclient import TestClient

from emulator.core import Emulator
from tests.conftest import post, user

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
