"""Tags: batch create with unique names, tagging and untagging users, tags in user answers."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator.core import Emulator
from emulator.domains import tags
from emulator.engine import Records
from tests.conftest import post
from tests.domains.test_members import new_user

CREATE, TAG, UNTAG, QUERY = (
    "/v1/tag/batchCreate",
    "/v1/tag/batchTagUsers",
    "/v1/tag/removeUserTags",
    "/v1/tag/query",
)


def new_tags(client: TestClient, headers: dict[str, str], *names: str) -> list[str]:
    """Create tags; their uuids, in order."""
    answer = post(client, CREATE, {"list": [{"name": n} for n in names]}, headers)
    assert answer["data"]["failure"] == [], answer
    return [s["uuid"] for s in answer["data"]["success"]]


def pairs(*items: tuple[str, str]) -> dict[str, Any]:
    return {"list": [{"omni_user_uuid": u, "tag_uuid": t} for u, t in items]}


def tags_of(client: TestClient, headers: dict[str, str], uuid: str) -> list[str]:
    """The names of the tags user query shows on a user."""
    found = post(client, "/v1/user/query", {"omni_user_uuids": [uuid]}, headers)["data"]["list"]
    return [t["name"] for t in found[0]["tags"]]


def test_batch_create_rejects_a_duplicate_name_per_item(
    client: TestClient, headers: dict[str, str]
) -> None:
    (first,) = new_tags(client, headers, "试用意向")
    body = {"list": [{"name": "试用意向"}, {"name": "新客户"}, {"name": "新客户"}]}
    answer = post(client, CREATE, body, headers)["data"]
    assert [s["index"] for s in answer["success"]] == [1]
    assert [(f["index"], f["code"], f["path"]) for f in answer["failure"]] == [
        (0, 40006, "$.list[0].name"),
        (2, 40006, "$.list[2].name"),
    ]
    assert first in answer["failure"][0]["msg"]


def test_query_finds_created_tags_by_name(client: TestClient, headers: dict[str, str]) -> None:
    (uuid,) = new_tags(client, headers, "直播回看")
    answer = post(client, QUERY, {"name": "直播回看"}, headers)["data"]
    assert [(t["uuid"], t["name"]) for t in answer["list"]] == [(uuid, "直播回看")]


def test_tagged_users_show_their_tags_in_user_query(
    client: TestClient, headers: dict[str, str]
) -> None:
    uuid = new_user(client, headers, "13600000001")
    hot, cold = new_tags(client, headers, "热线索", "冷线索")
    answer = post(client, TAG, pairs((uuid, hot), (uuid, cold)), headers)
    assert answer["code"] == 0
    assert [s["index"] for s in answer["data"]["success"]] == [0, 1]
    assert tags_of(client, headers, uuid) == ["热线索", "冷线索"]


def test_users_with_no_tags_show_an_empty_list(client: TestClient, headers: dict[str, str]) -> None:
    assert tags_of(client, headers, new_user(client, headers, "13600000002")) == []


def test_tagging_an_unknown_user_or_tag_fails_that_item_only(
    client: TestClient, headers: dict[str, str]
) -> None:
    uuid = new_user(client, headers, "13600000003")
    (tag,) = new_tags(client, headers, "已购买")
    body = pairs(("nobody", tag), (uuid, "notatag"), (uuid, tag))
    answer = post(client, TAG, body, headers)["data"]
    assert [s["index"] for s in answer["success"]] == [2]
    assert [(f["index"], f["code"], f["path"]) for f in answer["failure"]] == [
        (0, 40030, "$.list[0].omni_user_uuid"),
        (1, 40005, "$.list[1].tag_uuid"),
    ]
    assert "nobody" in answer["failure"][0]["msg"]
    assert tags_of(client, headers, uuid) == ["已购买"]


def test_tagging_twice_keeps_one_tag_and_answers_the_same_record(
    client: TestClient, headers: dict[str, str]
) -> None:
    uuid = new_user(client, headers, "13600000004")
    (tag,) = new_tags(client, headers, "复购")
    first = post(client, TAG, pairs((uuid, tag)), headers)["data"]["success"][0]["uuid"]
    again = post(client, TAG, pairs((uuid, tag), (uuid, tag)), headers)["data"]["success"]
    assert [s["uuid"] for s in again] == [first, first]
    assert tags_of(client, headers, uuid) == ["复购"]


def test_removing_tags_takes_them_off_the_user(client: TestClient, headers: dict[str, str]) -> None:
    uuid = new_user(client, headers, "13600000005")
    keep, drop = new_tags(client, headers, "保留", "移除")
    tagged = post(client, TAG, pairs((uuid, keep), (uuid, drop)), headers)["data"]["success"]
    answer = post(client, UNTAG, pairs((uuid, drop)), headers)
    assert answer["code"] == 0
    assert answer["data"]["success"] == [{"index": 0, "uuid": tagged[1]["uuid"]}]
    assert tags_of(client, headers, uuid) == ["保留"]


def test_removing_a_tag_the_user_lacks_fails_that_item(
    client: TestClient, headers: dict[str, str]
) -> None:
    uuid = new_user(client, headers, "13600000006")
    on, off = new_tags(client, headers, "在", "不在")
    post(client, TAG, pairs((uuid, on)), headers)
    answer = post(client, UNTAG, pairs((uuid, off), (uuid, on), (uuid, on)), headers)["data"]
    assert [s["index"] for s in answer["success"]] == [1]
    assert [(f["index"], f["code"], f["path"]) for f in answer["failure"]] == [
        (0, 40031, "$.list[0]"),
        (2, 40031, "$.list[2]"),
    ]
    assert tags_of(client, headers, uuid) == []


def test_removing_from_an_unknown_user_or_tag_fails_that_item(
    client: TestClient, headers: dict[str, str]
) -> None:
    uuid = new_user(client, headers, "13600000007")
    (tag,) = new_tags(client, headers, "无效")
    answer = post(client, UNTAG, pairs(("nobody", tag), (uuid, "notatag")), headers)["data"]
    assert [(f["code"], f["path"]) for f in answer["failure"]] == [
        (40030, "$.list[0].omni_user_uuid"),
        (40005, "$.list[1].tag_uuid"),
    ]


def test_user_list_filters_by_tags_carried_all(client: TestClient, headers: dict[str, str]) -> None:
    both, one = new_user(client, headers, "13600000008"), new_user(client, headers, "13600000009")
    red, blue = new_tags(client, headers, "红", "蓝")
    post(client, TAG, pairs((both, red), (both, blue), (one, red)), headers)
    listed = post(client, "/v1/user/list", {"tag_uuids": [red, blue]}, headers)["data"]
    assert [u["omni_user_uuid"] for u in listed["list"]] == [both]
    assert [t["name"] for t in listed["list"][0]["tags"]] == ["红", "蓝"]
    reds = post(client, "/v1/user/list", {"tag_uuids": [red]}, headers)["data"]["total"]
    assert reds == 2


def test_user_list_with_an_unknown_tag_fails_naming_it(
    client: TestClient, headers: dict[str, str]
) -> None:
    (tag,) = new_tags(client, headers, "已知")
    answer = post(client, "/v1/user/list", {"tag_uuids": [tag, "notatag"]}, headers)
    assert answer["code"] == 40005
    assert answer["data"]["details"][0]["path"] == "$.tag_uuids[1]"
    assert "notatag" in answer["msg"]


def test_user_query_shows_each_users_own_tags_oldest_tagging_first(
    client: TestClient, headers: dict[str, str]
) -> None:
    ann, bob = new_user(client, headers, "13600000010"), new_user(client, headers, "13600000011")
    early, late = new_tags(client, headers, "早", "晚")
    post(client, TAG, pairs((ann, early), (bob, late), (ann, late), (bob, early)), headers)
    post(client, UNTAG, pairs((ann, early)), headers)
    post(client, TAG, pairs((ann, early)), headers)  # tagged again: now its newest tag
    body = {"omni_user_uuids": [bob, ann, bob]}
    found = post(client, "/v1/user/query", body, headers)["data"]["list"]
    shown = [(u["omni_user_uuid"], [t["name"] for t in u["tags"]]) for u in found]
    assert shown == [(bob, ["晚", "早"]), (ann, ["晚", "早"])]
    assert found[0]["tags"][0] == {"tag_uuid": late, "name": "晚"}


def test_user_list_with_a_tag_named_twice_lists_its_carriers(
    client: TestClient, headers: dict[str, str]
) -> None:
    one, two = new_user(client, headers, "13600000012"), new_user(client, headers, "13600000013")
    green, pink = new_tags(client, headers, "绿", "粉")
    post(client, TAG, pairs((two, pink), (two, green), (one, green)), headers)
    listed = post(client, "/v1/user/list", {"tag_uuids": [green, green]}, headers)["data"]
    assert [u["omni_user_uuid"] for u in listed["list"]] == [one, two]
    assert (
        post(client, "/v1/user/list", {"tag_uuids": [pink, green]}, headers)["data"]["total"] == 1
    )


def test_a_tag_missing_from_the_records_is_left_out_of_user_answers(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    uuid = new_user(client, headers, "13600000014")
    kept, gone = new_tags(client, headers, "留下", "删去")
    post(client, TAG, pairs((uuid, gone), (uuid, kept)), headers)
    emulator.tenants.default.records.delete("tag", gone)
    assert tags_of(client, headers, uuid) == ["留下"]


def test_untagging_a_pair_stored_twice_removes_the_newest_record_first(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    uuid = new_user(client, headers, "13600000015")
    (tag,) = new_tags(client, headers, "重复")
    records = emulator.tenants.default.records
    older, newer = (
        records.create("user_tag", {"omni_user_uuid": uuid, "tag_uuid": tag}) for _ in "ab"
    )
    answer = post(client, UNTAG, pairs((uuid, tag), (uuid, tag)), headers)["data"]
    assert answer["success"] == [{"index": 0, "uuid": newer["uuid"]}]
    assert [f["code"] for f in answer["failure"]] == [40031]
    assert tags_of(client, headers, uuid) == ["重复"]
    again = post(client, TAG, pairs((uuid, tag)), headers)["data"]["success"]
    assert again == [{"index": 0, "uuid": older["uuid"]}]


def test_user_answers_and_tagging_read_only_the_user_tags_of_the_users_named(
    client: TestClient, headers: dict[str, str], emulator: Emulator, monkeypatch: Any
) -> None:
    uuid, other = new_user(client, headers, "13600000016"), new_user(client, headers, "13600000017")
    (tag,) = new_tags(client, headers, "读取")
    post(client, TAG, pairs((other, tag)), headers)
    records = emulator.tenants.default.records
    asked: list[dict[str, Any]] = []

    def find(resource: str, **filters: Any) -> list[dict[str, Any]]:
        if resource == "user_tag":
            asked.append(filters)
        return Records.find(records, resource, **filters)

    monkeypatch.setattr(records, "find", find)
    post(client, TAG, pairs((uuid, tag)), headers)
    assert tags_of(client, headers, uuid) == ["读取"]
    assert post(client, "/v1/user/list", {"tag_uuids": [tag]}, headers)["data"]["total"] == 2
    post(client, UNTAG, pairs((uuid, tag)), headers)
    assert asked == [
        {"omni_user_uuid": uuid},  # tagging: the pairs the user holds
        {"omni_user_uuid": uuid},  # query: the user's tags
        {"tag_uuid": tag},  # list: the tag's carriers
        {"omni_user_uuid": uuid},  # list: each listed user's tags
        {"omni_user_uuid": other},
        {"omni_user_uuid": uuid},  # untagging
    ]


@pytest.mark.parametrize("steps", [0, 1_000_000], ids=["a find per user", "one pass"])
def test_tags_of_gives_the_same_tags_by_a_find_per_user_or_by_one_pass(
    client: TestClient, headers: dict[str, str], emulator: Emulator, monkeypatch: Any, steps: int
) -> None:
    first, second = (
        new_user(client, headers, "13600000018"),
        new_user(client, headers, "13600000019"),
    )
    one, two = new_tags(client, headers, "先", "后")
    post(client, TAG, pairs((second, two), (first, two), (first, one)), headers)
    monkeypatch.setattr(tags, "SCAN_STEPS_PER_FIND", steps)
    shown = emulator.tenants.default.tags.tags_of([first, second, "no such user"])
    assert [[tag["name"] for tag in found] for found in shown.values()] == [
        ["后", "先"],
        ["后"],
        [],
    ]
