"""Companies: batch create, update and delete answer per item; batch list reads what they wrote."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from emulator import spec
from tests.conftest import post

OPS = spec.load().by_id


def call(client: TestClient, headers: dict[str, str], op_id: str, body: Any) -> Any:
    answer = post(client, OPS[op_id].path, body, headers)
    assert answer["code"] == 0, answer
    return answer["data"]


def listed(client: TestClient, headers: dict[str, str], **filters: Any) -> list[Any]:
    page = call(client, headers, "company.batch_list", {"page_size": 100, **filters})
    rows: list[Any] = page["list"]
    return rows


def create(client: TestClient, headers: dict[str, str], *names: str) -> list[str]:
    body = {"list": [{"name": name, "industry": "制造业"} for name in names]}
    done = call(client, headers, "company.batch_create", body)
    assert done["failure"] == []
    return [item["jing_uuid"] for item in done["success"]]


def test_batch_create_stores_the_good_items_and_reports_the_bad_ones(
    client: TestClient, headers: dict[str, str]
) -> None:
    body = {"list": [{"name": "无锡新材料有限公司"}, {"name": "无锡新材料有限公司"}]}
    done = call(client, headers, "company.batch_create", body)
    assert [item["index"] for item in done["success"]] == [0]
    (failure,) = done["failure"]
    assert (failure["index"], failure["code"], failure["path"]) == (1, 40006, "$.list[1].name")
    assert [c["jing_uuid"] for c in listed(client, headers, name="无锡新材料有限公司")] == [
        done["success"][0]["jing_uuid"]
    ]


def test_batch_update_changes_known_companies_and_reports_unknown_ones(
    client: TestClient, headers: dict[str, str]
) -> None:
    (uuid,) = create(client, headers, "南京精工有限公司")
    items = [
        {"jing_uuid": uuid, "company_size": "size_50_199"},
        {"jing_uuid": "NoSuchCompany000000000", "industry": "零售"},
    ]
    done = call(client, headers, "company.batch_update", {"list": items})
    assert done["success"] == [{"index": 0, "jing_uuid": uuid}]
    assert (done["failure"][0]["index"], done["failure"][0]["path"]) == (1, "$.list[1].jing_uuid")
    (stored,) = listed(client, headers, name="南京精工有限公司")
    assert stored["company_size"] == "size_50_199"


def test_batch_update_onto_another_company_name_fails_that_item_only(
    client: TestClient, headers: dict[str, str]
) -> None:
    first, second = create(client, headers, "合肥一号有限公司", "合肥二号有限公司")
    items = [
        {"jing_uuid": second, "name": "合肥一号有限公司"},
        {"jing_uuid": first, "address": "x"},
    ]
    done = call(client, headers, "company.batch_update", {"list": items})
    assert [item["index"] for item in done["success"]] == [1]
    assert (done["failure"][0]["code"], done["failure"][0]["path"]) == (40006, "$.list[0].name")
    assert listed(client, headers, name="合肥二号有限公司")[0]["jing_uuid"] == second


def test_batch_delete_removes_known_companies_and_reports_unknown_ones(
    client: TestClient, headers: dict[str, str]
) -> None:
    kept, gone = create(client, headers, "宁波港务有限公司", "宁波船舶有限公司")
    done = call(client, headers, "company.batch_delete", {"list": [gone, "NoSuchCompany000000000"]})
    assert done["success"] == [{"index": 0, "jing_uuid": gone}]
    assert (done["failure"][0]["index"], done["failure"][0]["code"]) == (1, 40005)
    remaining = {c["jing_uuid"] for c in listed(client, headers, industry="制造业")}
    assert kept in remaining
    assert gone not in remaining
