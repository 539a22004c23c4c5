"""Sources: seeded sources and options; custom options are created and updated under rules."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.conftest import post

SOURCES, ALL_OPTIONS = "/v1/source/options", "/v1/source/allOptions"
CREATE, UPDATE = "/v1/source/customOption/create", "/v1/source/customOption/update"
CRM_FIELDS = "/v1/crm/sourceOptionFields"


def sources(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    rows = post(client, SOURCES, {}, headers)["data"]["list"]
    return {row["source_type"]: row["uuid"] for row in rows}


def options(client: TestClient, headers: dict[str, str], source: str) -> list[Any]:
    answer = post(client, ALL_OPTIONS, {"source_uuid": source, "page_size": 100}, headers)
    assert answer["code"] == 0, answer
    rows: list[Any] = answer["data"]["list"]
    return rows


def test_seeded_sources_and_their_options_are_answered(
    client: TestClient, headers: dict[str, str]
) -> None:
    by_type = sources(client, headers)
    assert {"wechat", "website", "offline_event", "thirdparty_custom_source"} <= set(by_type)
    rows = options(client, headers, by_type["wechat"])
    assert [(r["name"], r["value"], r["is_custom"]) for r in rows] == [
        ("菜单点击", "menu_click", 0),
        ("扫码关注", "qrcode_scan", 0),
    ]


def test_options_come_in_their_sort_order(client: TestClient, headers: dict[str, str]) -> None:
    source = sources(client, headers)["website"]
    late = {"source_uuid": source, "name": "落地页", "value": "landing", "sort": 0}
    post(client, CREATE, late, headers)
    post(client, CREATE, {"source_uuid": source, "name": "无序", "value": "unsorted"}, headers)
    values = [r["value"] for r in options(client, headers, source)]
    assert values == ["landing", "homepage_form", "product_page", "unsorted"]


def test_created_custom_option_is_read_by_every_option_list(
    client: TestClient, headers: dict[str, str]
) -> None:
    source = sources(client, headers)["offline_event"]
    body = {"source_uuid": source, "name": "路演", "value": "roadshow", "sort": 9}
    created = post(client, CREATE, body, headers)
    assert created["code"] == 0
    option = created["data"]
    assert option["is_custom"] == 1
    assert option in options(client, headers, source)
    crm = post(client, CRM_FIELDS, {"value": "roadshow"}, headers)["data"]["list"]
    assert crm == [option]


def test_option_under_an_unknown_source_is_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    for path, body in [
        (CREATE, {"source_uuid": "nope", "name": "x"}),
        (ALL_OPTIONS, {"source_uuid": "nope"}),
        (CRM_FIELDS, {"source_uuid": "nope"}),
    ]:
        answer = post(client, path, body, headers)
        assert answer["code"] == 40005, path
        assert answer["data"]["details"][0]["path"] == "$.source_uuid"


def test_a_value_is_taken_once_per_source(client: TestClient, headers: dict[str, str]) -> None:
    by_type = sources(client, headers)
    taken = {"source_uuid": by_type["wechat"], "name": "菜单", "value": "menu_click"}
    answer = post(client, CREATE, taken, headers)
    assert answer["code"] == 40052
    assert answer["data"]["details"][0]["path"] == "$.value"
    elsewhere = post(client, CREATE, {**taken, "source_uuid": by_type["website"]}, headers)
    assert elsewhere["code"] == 0


def test_options_created_through_the_api_are_custom(
    client: TestClient, headers: dict[str, str]
) -> None:
    body = {"source_uuid": sources(client, headers)["wechat"], "name": "x", "is_custom": 0}
    answer = post(client, CREATE, body, headers)
    assert answer["code"] == 40051
    assert answer["data"]["details"][0]["path"] == "$.is_custom"


def test_update_changes_a_custom_option(client: TestClient, headers: dict[str, str]) -> None:
    by_type = sources(client, headers)
    salon = next(r for r in options(client, headers, by_type["offline_event"]) if r["is_custom"])
    body = {"uuid": salon["uuid"], "name": "客户沙龙(线下)", "source_uuid": by_type["website"]}
    answer = post(client, UPDATE, {**body, "value": "salon"}, headers)
    assert (answer["data"]["name"], answer["data"]["value"]) == ("客户沙龙(线下)", "salon")
    assert answer["data"] in options(client, headers, by_type["website"])
    assert salon["uuid"] not in {r["uuid"] for r in options(client, headers, by_type["wechat"])}


def test_preset_options_cannot_be_updated(client: TestClient, headers: dict[str, str]) -> None:
    preset = options(client, headers, sources(client, headers)["wechat"])[0]
    answer = post(client, UPDATE, {"uuid": preset["uuid"], "name": "改名"}, headers)
    assert answer["code"] == 40050
    assert answer["data"]["details"][0]["path"] == "$.uuid"


def test_update_checks_the_source_the_value_and_the_option(
    client: TestClient, headers: dict[str, str]
) -> None:
    by_type = sources(client, headers)
    salon = next(r for r in options(client, headers, by_type["offline_event"]) if r["is_custom"])
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"source_uuid": "nope"}, 40005, "$.source_uuid"),
        ({"value": "exhibition"}, 40052, "$.value"),
        ({"is_custom": 0}, 40051, "$.is_custom"),
    ]
    for fields, code, path in cases:
        answer = post(client, UPDATE, {"uuid": salon["uuid"], **fields}, headers)
        assert (answer["code"], answer["data"]["details"][0]["path"]) == (code, path)
    missing = post(client, UPDATE, {"uuid": "a" * 22, "name": "x"}, headers)
    assert (missing["code"], missing["data"]["details"][0]["path"]) == (40005, "$.uuid")
    assert options(client, headers, by_type["offline_event"])[1] == salon
    renamed = post(client, UPDATE, {"uuid": salon["uuid"], "name": "沙龙"}, headers)
    assert (renamed["code"], renamed["data"]["value"]) == (0, "salon")


def test_options_may_go_without_a_value(client: TestClient, headers: dict[str, str]) -> None:
    source = sources(client, headers)["website"]
    body = {"source_uuid": source, "name": "其他"}
    first = post(client, CREATE, body, headers)["data"]
    second = post(client, CREATE, body, headers)["data"]
    renamed = post(client, UPDATE, {"uuid": second["uuid"], "name": "其它"}, headers)["data"]
    assert "value" not in first
    assert renamed["name"] == "其它"
