"""Users: upsert by identity, batch rules, per-user failures and query."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import post, user

UPDATE, CREATE, QUERY = "/v1/user/update", "/v1/user/create", "/v1/user/query"


def upsert(
    client: TestClient, headers: dict[str, str], users: list[Any], path: str = UPDATE
) -> Any:
    return post(client, path, users, headers)


def test_update_creates_user_with_22_char_shortuuid(
    client: TestClient, headers: dict[str, str]
) -> None:
    answer = upsert(client, headers, [user("13800000001", fields={"city": "上海"})])
    assert answer["code"] == "10000"
    assert answer["msg"] == "success"
    created = answer["data"]["success"][0]
    assert len(created["omni_user_uuid"]) == 22
    assert set(created["omni_user_uuid"]) <= set(
        "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    )
    assert answer["data"]["failure"] == []
    assert len(answer["request_id"]) == 32


def test_create_uses_integer_code_envelope(client: TestClient, headers: dict[str, str]) -> None:
    answer = upsert(client, headers, [user("13800000002")], CREATE)
    assert answer["code"] == 0
    assert list(answer) == ["request_id", "code", "msg", "data"]


def test_create_with_return_full_answers_whole_record(
    client: TestClient, headers: dict[str, str]
) -> None:
    item = user("13800000003", fields={"industry": "金融"})
    answer = client.post(CREATE + "?returnFull=true", json=[item], headers=headers).json()
    record = answer["data"]["success"][0]
    assert record["fields"] == {"industry": "金融"}
    assert record["created_at"] == "2026-01-01 08:00:00"


def test_upsert_finds_user_by_any_identity_and_merges(
    client: TestClient, headers: dict[str, str]
) -> None:
    first = upsert(client, headers, [user("13800000004", fields={"a": "1"})])["data"]["success"][0]
    email = {"type": "email", "value": "li.na@example.cn"}
    item = {"identities": [{"type": "mobile", "value": "13800000004"}, email], "fields": {"b": "2"}}
    upsert(client, headers, [item])
    again = {"identities": [email], "fields": {"a": "3"}, "leads_info": {"stage_name": "已会面"}}
    second = upsert(client, headers, [again])["data"]["success"][0]
    assert second["omni_user_uuid"] == first["omni_user_uuid"]
    assert second["leads_info"] == {"stage_name": "已会面"}
    found = post(client, QUERY, {"identities": [email]}, headers)["data"]["list"][0]
    assert found["fields"] == {"a": "3", "b": "2"}
    assert {i["type"] for i in found["identities"]} == {"mobile", "email"}


def test_thirdparty_identity_without_channel_fails_that_user_only(
    client: TestClient, headers: dict[str, str]
) -> None:
    bad = {"identities": [{"type": "thirdparty_channel", "value": "u-1"}]}
    good = {"identities": [{"type": "thirdparty_channel", "value": "u-2", "channel_uuid": "crm"}]}
    answer = upsert(client, headers, [bad, good])
    assert answer["code"] == "10000"
    assert len(answer["data"]["success"]) == 1
    assert answer["data"]["failure"] == [
        "$[0].identities[0].channel_uuid: required when type is thirdparty_channel"
    ]


def test_thirdparty_identities_are_keyed_by_channel(
    client: TestClient, headers: dict[str, str]
) -> None:
    ids = [
        {"identities": [{"type": "thirdparty_channel", "value": "42", "channel_uuid": c}]}
        for c in ("crm", "shop")
    ]
    first = upsert(client, headers, [ids[0]])["data"]["success"][0]["omni_user_uuid"]
    second = upsert(client, headers, [ids[1]])["data"]["success"][0]["omni_user_uuid"]
    assert first != second


def test_unknown_omni_user_uuid_fails_that_user(
    client: TestClient, headers: dict[str, str]
) -> None:
    item = {"identities": [{"type": "omni_user_uuid", "value": " S9Cp23Np2gLQfSKtS7rpXd "}]}
    answer = upsert(client, headers, [item])
    assert answer["data"]["failure"] == [
        "$[0].identities[0].value: no user has omni_user_uuid S9Cp23Np2gLQfSKtS7rpXd"
    ]


UNKNOWN_ID = {"type": "omni_user_uuid", "value": " S9Cp23Np2gLQfSKtS7rpXd "}
IGNORED = "$[0].identities[1]: ignored, no user has omni_user_uuid S9Cp23Np2gLQfSKtS7rpXd"


def test_unknown_omni_user_uuid_beside_other_identities_is_ignored_and_reported(
    client: TestClient, headers: dict[str, str]
) -> None:
    item = {"identities": [{"type": "mobile", "value": "13800000071"}, UNKNOWN_ID]}
    answer = upsert(client, headers, [item])
    assert answer["data"]["failure"] == []
    (row,) = answer["data"]["success"]
    assert row["omni_user_uuid"] != "S9Cp23Np2gLQfSKtS7rpXd"
    assert row["ignored"] == [IGNORED]
    stored = post(client, QUERY, {"omni_user_uuids": [row["omni_user_uuid"]]}, headers)
    assert [i["type"] for i in stored["data"]["list"][0]["identities"]] == ["mobile"]


def test_unknown_omni_user_uuid_updates_the_user_its_other_identities_find(
    client: TestClient, headers: dict[str, str]
) -> None:
    uuid = upsert(client, headers, [user("13800000072")])["data"]["success"][0]["omni_user_uuid"]
    item = {"identities": [{"type": "mobile", "value": "13800000072"}, UNKNOWN_ID]}
    full = upsert(
        client, headers, [{**item, "fields": {"city": "北京"}}], CREATE + "?returnFull=true"
    )
    (row,) = full["data"]["success"]
    assert (row["omni_user_uuid"], row["fields"], row["ignored"]) == (
        uuid,
        {"city": "北京"},
        [IGNORED],
    )


def test_a_known_omni_user_uuid_row_reports_nothing_ignored(
    client: TestClient, headers: dict[str, str]
) -> None:
    uuid = upsert(client, headers, [user("13800000073")])["data"]["success"][0]["omni_user_uuid"]
    item = {
        "identities": [
            {"type": "omni_user_uuid", "value": uuid},
            {"type": "email", "value": "a@b.cn"},
        ]
    }
    (row,) = upsert(client, headers, [item])["data"]["success"]
    assert row["omni_user_uuid"] == uuid
    assert "ignored" not in row


def test_identities_of_two_users_in_one_item_fail_instead_of_merging(
    client: TestClient, headers: dict[str, str]
) -> None:
    upsert(client, headers, [user("13800000005")])
    upsert(client, headers, [{"identities": [{"type": "email", "value": "x@example.cn"}]}])
    both = {
        "identities": [
            {"type": "mobile", "value": "13800000005"},
            {"type": "email", "value": "x@example.cn"},
        ]
    }
    answer = upsert(client, headers, [both])
    assert answer["data"]["success"] == []
    assert "belong to different users" in answer["data"]["failure"][0]


def test_batch_of_101_users_is_rejected_whole(client: TestClient, headers: dict[str, str]) -> None:
    answer = upsert(client, headers, [user(f"139{n:08d}") for n in range(101)])
    assert answer["code"] == "31001"
    assert "at most 100 users per call" in answer["msg"]
    assert answer["data"]["details"][0]["path"] == "$[100]"
    assert (
        post(client, QUERY, {"identities": [user("13900000000")["identities"][0]]}, headers)[
            "data"
        ]["list"]
        == []
    )


def test_batch_of_100_users_is_accepted(client: TestClient, headers: dict[str, str]) -> None:
    answer = upsert(client, headers, [user(f"139{n:08d}") for n in range(100)])
    assert len(answer["data"]["success"]) == 100


def test_51_custom_fields_reject_the_call_naming_the_user(
    client: TestClient, headers: dict[str, str]
) -> None:
    fields = {f"f{n}": "v" for n in range(51)}
    answer = upsert(client, headers, [user("13800000006"), user("13800000007", fields=fields)])
    assert answer["code"] == "31002"
    assert answer["data"]["details"][0]["path"] == "$[1].fields"
    assert "at most 50 custom fields" in answer["msg"]


def test_mixed_identity_types_reject_the_call(client: TestClient, headers: dict[str, str]) -> None:
    items = [user("13800000008"), {"identities": [{"type": "email", "value": "a@example.cn"}]}]
    answer = upsert(client, headers, items)
    assert answer["code"] == "31003"
    assert answer["data"]["details"][0]["path"] == "$[1].identities[0].type"


@pytest.mark.parametrize(
    "second",
    [
        user("13800000009"),
        {"identities": [{"type": "mobile", "value": " 13800000009 "}]},
    ],
)
def test_same_identity_twice_rejects_the_call(
    client: TestClient, headers: dict[str, str], second: Any
) -> None:
    answer = upsert(client, headers, [user("13800000009"), second])
    assert answer["code"] == "31004"
    assert "$[0] and $[1]" in answer["msg"]


def test_two_items_naming_one_stored_user_reject_the_call(
    client: TestClient, headers: dict[str, str]
) -> None:
    email = {"type": "email", "value": "w@example.cn"}
    upsert(client, headers, [{"identities": [{"type": "mobile", "value": "13800000010"}, email]}])
    answer = upsert(
        client,
        headers,
        [user("13800000010"), {"identities": [{"type": "mobile", "value": "13800000099"}, email]}],
    )
    assert answer["code"] == "31004"
    assert (
        post(client, QUERY, {"identities": [{"type": "mobile", "value": "13800000099"}]}, headers)[
            "data"
        ]["list"]
        == []
    )


def test_invalid_user_gets_json_path_of_offending_field(
    client: TestClient, headers: dict[str, str]
) -> None:
    answer = upsert(
        client, headers, [user("13800000011"), {"identities": [{"type": "qq", "value": "1"}]}]
    )
    assert answer["code"] == "30006"
    assert answer["data"]["details"][0]["path"] == "$[1].identities[0].type"
    assert answer["data"]["details"][0]["rule"] == "enum"


def test_query_by_uuid_reports_what_was_not_found(
    client: TestClient, headers: dict[str, str]
) -> None:
    uuid = upsert(client, headers, [user("13800000012")])["data"]["success"][0]["omni_user_uuid"]
    answer = post(client, QUERY, {"omni_user_uuids": [uuid, "nobody"]}, headers)
    assert [u["omni_user_uuid"] for u in answer["data"]["list"]] == [uuid]
    assert answer["data"]["not_found"] == ["nobody"]


def test_query_needs_exactly_one_way_of_naming_users(
    client: TestClient, headers: dict[str, str]
) -> None:
    both = {"omni_user_uuids": ["a"], "identities": [{"type": "mobile", "value": "1"}]}
    assert post(client, QUERY, both, headers)["code"] == 30006
    assert post(client, QUERY, {}, headers)["code"] == 30006


LIST, IDENTITIES = "/v1/user/list", "/v1/user/batchQueryIdentity"


@pytest.fixture
def empty(client: TestClient) -> dict[str, str]:
    """Credentials of a new app with no users (the default app holds the demo dataset)."""
    created = client.post("/_admin/apps", json={}).json()["data"]
    token = post(client, "/v1/oauth2/token", created, {})["data"]["access_token"]
    return {"app_id": created["app_id"], "access_token": token}


def listed(client: TestClient, headers: dict[str, str], **body: Any) -> list[str]:
    """The mobiles (or first identity values) of the users a list call answers, in order."""
    answer = post(client, LIST, body, headers)
    assert answer["code"] == 0, answer
    return [u["identities"][0]["value"] for u in answer["data"]["list"]]


def channel(value: str, channel_uuid: str) -> dict[str, Any]:
    """An upsert item identified by a third-party id on a channel."""
    return {
        "identities": [{"type": "thirdparty_channel", "value": value, "channel_uuid": channel_uuid}]
    }


def test_failed_item_with_identities_of_two_users_changes_neither_user(
    client: TestClient, headers: dict[str, str]
) -> None:
    upsert(client, headers, [user("13800000020")])
    upsert(client, headers, [{"identities": [{"type": "email", "value": "y@example.cn"}]}])
    email = {"type": "email", "value": "y@example.cn"}
    both = {"identities": [{"type": "mobile", "value": "13800000020"}, email], "fields": {"a": 1}}
    answer = upsert(client, headers, [both, user("13800000021")])
    assert len(answer["data"]["success"]) == 1
    assert answer["data"]["failure"][0].startswith("$[0].identities: they belong to different")
    found = post(client, QUERY, {"identities": both["identities"]}, headers)["data"]["list"]
    assert [(u["fields"], len(u["identities"])) for u in found] == [({}, 1), ({}, 1)]


def test_list_pages_users_oldest_first_with_exact_total(
    client: TestClient, empty: dict[str, str]
) -> None:
    upsert(client, empty, [user(f"1370000000{n}") for n in range(5)])
    answer = post(client, LIST, {"page": 2, "page_size": 2}, empty)["data"]
    assert (answer["total"], answer["page"], answer["page_size"]) == (5, 2, 2)
    assert [u["identities"][0]["value"] for u in answer["list"]] == ["13700000002", "13700000003"]
    assert listed(client, empty, page=3, page_size=2) == ["13700000004"]
    assert post(client, LIST, {}, empty)["data"]["page_size"] == 20


def test_list_filters_by_identity_type(client: TestClient, empty: dict[str, str]) -> None:
    upsert(client, empty, [user("13700000010")])
    upsert(client, empty, [{"identities": [{"type": "email", "value": "e@example.cn"}]}])
    assert listed(client, empty, identity_type="email") == ["e@example.cn"]
    assert listed(client, empty, identity_type="wechat_openid") == []


def test_list_filters_thirdparty_identities_by_channel(
    client: TestClient, empty: dict[str, str]
) -> None:
    upsert(client, empty, [channel("42", "crm")])
    upsert(client, empty, [channel("42", "shop")])
    assert listed(client, empty, identity_type="thirdparty_channel") == ["42", "42"]
    shop = post(client, LIST, {"channel_uuid": "shop"}, empty)["data"]["list"]
    assert [u["identities"][0]["channel_uuid"] for u in shop] == ["shop"]


def test_list_filters_by_custom_field_value_or_multi_select_member(
    client: TestClient, empty: dict[str, str]
) -> None:
    upsert(client, empty, [user("13700000020", fields={"city": "上海", "topics": ["AI", "云"]})])
    upsert(client, empty, [user("13700000021", fields={"city": "北京", "topics": ["云"]})])
    assert listed(client, empty, fields={"city": "上海"}) == ["13700000020"]
    assert listed(client, empty, fields={"topics": "云"}) == ["13700000020", "13700000021"]
    assert listed(client, empty, fields={"topics": "AI", "city": "北京"}) == []
    assert listed(client, empty, fields={"city": "广州"}) == []


def test_list_field_filter_tells_true_from_one(client: TestClient, empty: dict[str, str]) -> None:
    upsert(client, empty, [user("13700000030", fields={"vip": True})])
    upsert(client, empty, [user("13700000031", fields={"vip": 1})])
    assert listed(client, empty, fields={"vip": True}) == ["13700000030"]
    assert listed(client, empty, fields={"vip": 1}) == ["13700000031"]


def test_list_filters_by_created_and_updated_time(
    client: TestClient, empty: dict[str, str]
) -> None:
    upsert(client, empty, [user("13700000040")])  # 2026-01-01 08:00:00
    client.post("/_admin/clock", json={"advance_seconds": 1800})
    upsert(client, empty, [user("13700000041")])  # 08:30:00
    client.post("/_admin/clock", json={"advance_seconds": 1800})
    upsert(client, empty, [user("13700000040", fields={"a": "1"})])  # updated at 09:00:00
    assert listed(client, empty, created_at_from="2026-01-01 08:00:01") == ["13700000041"]
    assert listed(client, empty, created_at_to="2026-01-01 08:00:00") == ["13700000040"]
    assert listed(client, empty, updated_at_from="2026-01-01 09:00:00") == ["13700000040"]
    assert listed(client, empty, updated_at_to="2026-01-01 08:59:59") == ["13700000041"]


def test_list_rejects_a_time_range_that_ends_before_it_starts(
    client: TestClient, headers: dict[str, str]
) -> None:
    body = {"updated_at_from": "2026-01-02 00:00:00", "updated_at_to": "2026-01-01 00:00:00"}
    answer = post(client, LIST, body, headers)
    assert answer["code"] == 40060
    assert answer["data"]["details"][0]["path"] == "$.updated_at_to"
    assert "2026-01-01 00:00:00 is earlier than updated_at_from" in answer["msg"]


def test_list_rejects_an_unknown_filter_naming_it(
    client: TestClient, headers: dict[str, str]
) -> None:
    answer = post(client, LIST, {"identity_type": "qq"}, headers)
    assert answer["code"] == 30006
    assert answer["data"]["details"][0]["path"] == "$.identity_type"


def test_batch_identity_query_answers_every_identity_of_each_user(
    client: TestClient, headers: dict[str, str]
) -> None:
    email = {"type": "email", "value": "z@example.cn"}
    item = {"identities": [{"type": "mobile", "value": "13700000050"}, email]}
    uuid = upsert(client, headers, [item])["data"]["success"][0]["omni_user_uuid"]
    upsert(client, headers, [{"identities": [email, {"type": "wechat_openid", "value": "o-1"}]}])
    answer = post(client, IDENTITIES, {"omni_user_uuids": [uuid, "nobody"]}, headers)
    assert answer["code"] == 0
    (found,) = answer["data"]["list"]
    assert found["omni_user_uuid"] == uuid
    assert [i["value"] for i in found["identities"]] == ["13700000050", "z@example.cn", "o-1"]
    assert answer["data"]["not_found"] == ["nobody"]


def test_batch_identity_query_by_identity_answers_each_user_once(
    client: TestClient, headers: dict[str, str]
) -> None:
    email = {"type": "email", "value": "q@example.cn"}
    upsert(client, headers, [{"identities": [{"type": "mobile", "value": "13700000060"}, email]}])
    wanted = [{"type": "mobile", "value": "13700000060"}, email]
    answer = post(client, IDENTITIES, {"identities": wanted}, headers)["data"]
    assert [len(u["identities"]) for u in answer["list"]] == [2]
    assert answer["not_found"] == []


def test_batch_identity_query_keys_thirdparty_identities_by_channel(
    client: TestClient, headers: dict[str, str]
) -> None:
    crm = upsert(client, headers, [channel("77", "crm")])["data"]["success"][0]["omni_user_uuid"]
    wanted = [*channel("77", "crm")["identities"], *channel("77", "shop")["identities"]]
    answer = post(client, IDENTITIES, {"identities": wanted}, headers)["data"]
    assert [u["omni_user_uuid"] for u in answer["list"]] == [crm]
    assert answer["not_found"] == ["thirdparty_channel:shop:77"]
