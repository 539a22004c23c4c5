"""The generic engine: writes are stored, reads return them, per kind, through HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator import conventions, create_app
from emulator.core import Request, served_by
from emulator.engine import KINDS, blank, conform, serve
from emulator.envelope import ApiError
from emulator.settings import Settings
from tests.conftest import SETTINGS

OVERLAY = Path(__file__).parent / "data" / "widget_overlay"


@pytest.fixture
def widgets() -> Iterator[TestClient]:
    settings = Settings(seed=7, clock_start=SETTINGS.clock_start, schemas_overlay=str(OVERLAY))
    with TestClient(create_app(settings), client=("127.0.0.1", 40000)) as client:
        yield client


@pytest.fixture
def call(widgets: TestClient) -> Any:
    body = {"app_id": SETTINGS.app_id, "app_secret": SETTINGS.app_secret}
    token = widgets.post("/v1/oauth2/token", json=body).json()["data"]["access_token"]
    headers = {"app_id": SETTINGS.app_id, "access_token": token}

    def send(kind: str, body: Any) -> Any:
        path = conventions.infer_path(f"widget.{kind}", None)
        return widgets.post(path, json=body, headers=headers).json()

    return send


def make(call: Any, count: int) -> list[str]:
    colours = ["red", "green", "blue"]
    made = [call("create", {"name": f"w{n}", "colour": colours[n % 3]}) for n in range(count)]
    return [answer["data"]["widget_uuid"] for answer in made]


def test_create_stores_a_record_with_an_id_and_clock_times(call: Any) -> None:
    answer = call("create", {"name": "dial", "size": 3})
    record = answer["data"]
    assert answer["code"] == 0
    assert len(record["widget_uuid"]) == 22
    assert record["create_time"] == record["update_time"] == "2026-01-01 08:00:00"
    assert call("get", {"widget_uuid": record["widget_uuid"]})["data"] == record


def test_update_merges_fields_and_moves_update_time(call: Any, widgets: TestClient) -> None:
    (uuid,) = make(call, 1)
    widgets.post("/_admin/clock", json={"advance_seconds": 60})
    updated = call("update", {"widget_uuid": uuid, "size": 9})["data"]
    assert updated["size"] == 9
    assert updated["name"] == "w0"
    assert updated["update_time"] == "2026-01-01 08:01:00"
    assert call("get", {"widget_uuid": uuid})["data"] == updated


def test_delete_makes_later_reads_fail_with_not_found(call: Any) -> None:
    (uuid,) = make(call, 1)
    assert call("delete", {"widget_uuid": uuid})["data"] == {"widget_uuid": uuid}
    missing = call("get", {"widget_uuid": uuid})
    assert missing["code"] == 40005
    assert missing["data"]["details"][0]["path"] == "$.widget_uuid"
    assert uuid in missing["msg"]
    assert call("delete", {"widget_uuid": uuid})["code"] == 40005


def test_list_pages_in_creation_order_with_exact_totals(call: Any) -> None:
    uuids = make(call, 5)
    pages = [call("list", {"page": n, "page_size": 2})["data"] for n in (1, 2, 3, 4)]
    assert [p["total"] for p in pages] == [5, 5, 5, 5]
    listed = [r["widget_uuid"] for p in pages for r in p["list"]]
    assert listed == uuids
    assert pages[3]["list"] == []
    assert call("list", {})["data"]["page_size"] == 20


def test_query_filters_by_exact_field_values(call: Any) -> None:
    make(call, 6)
    reds = call("query", {"colour": "red"})["data"]
    assert reds["total"] == 2
    assert {r["name"] for r in reds["list"]} == {"w0", "w3"}


def test_a_unique_field_refuses_a_second_record_and_stores_nothing(call: Any) -> None:
    make(call, 1)
    clash = call("create", {"name": "w0"})
    assert clash["code"] == 40006
    assert clash["data"]["details"][0]["path"] == "$.name"
    assert call("list", {})["data"]["total"] == 1


def test_batch_create_reports_each_item(call: Any) -> None:
    answer = call("batch_create", {"list": [{"name": "a"}, {"name": "a"}, {"name": "b"}]})
    data = answer["data"]
    assert [s["index"] for s in data["success"]] == [0, 2]
    (failure,) = data["failure"]
    assert failure["index"] == 1
    assert failure["code"] == 40006
    assert failure["path"] == "$.list[1].name"
    assert call("list", {})["data"]["total"] == 2


def test_batch_update_and_delete_fail_only_unknown_items(call: Any) -> None:
    uuids = make(call, 2)
    unknown = "A" * 22
    updates = [{"widget_uuid": uuids[0], "size": 1}, {"widget_uuid": unknown, "size": 2}]
    data = call("batch_update", {"list": updates})["data"]
    assert data["success"] == [{"index": 0, "widget_uuid": uuids[0]}]
    assert data["failure"][0]["path"] == "$.list[1].widget_uuid"
    deleted = call("batch_delete", {"list": [unknown, uuids[1]]})["data"]
    assert deleted["success"] == [{"index": 1, "widget_uuid": uuids[1]}]
    assert deleted["failure"][0]["path"] == "$.list[0]"
    assert call("list", {})["data"]["total"] == 1


def test_action_records_what_was_asked(call: Any) -> None:
    done = call("action", {"name": "ping"})["data"]
    assert call("get", {"widget_uuid": done["widget_uuid"]})["data"]["name"] == "ping"


def test_requests_are_validated_against_the_derived_schema(call: Any) -> None:
    answer = call("create", {"colour": "purple"})
    assert answer["code"] == 30006
    paths = {d["path"] for d in answer["data"]["details"]}
    assert paths == {"$", "$.colour"}
    assert call("list", {})["data"]["total"] == 0


def test_other_tenants_never_see_the_records(call: Any, widgets: TestClient) -> None:
    make(call, 2)
    other = widgets.post("/_admin/apps", json={}).json()["data"]
    token = widgets.post("/v1/oauth2/token", json=other).json()["data"]["access_token"]
    headers = {"app_id": other["app_id"], "access_token": token}
    answer = widgets.post("/v1/widget/list", json={}, headers=headers).json()
    assert answer["data"]["total"] == 0


def test_reset_forgets_every_record(call: Any, widgets: TestClient) -> None:
    make(call, 2)
    widgets.post("/_admin/reset", json={"app_id": SETTINGS.app_id})
    assert call("list", {})["data"]["total"] == 0


def test_an_operation_with_its_own_response_schema_gets_that_shape(call: Any) -> None:
    make(call, 3)
    data = call("summary", {"colour": "red"})["data"]
    assert [row["name"] for row in data["rows"]] == ["w0"]
    assert (data["pages"], data["total"]) == (1, 1)
    assert set(data) == {"rows", "pages", "total"}


def test_conform_fills_what_a_schema_requires() -> None:
    schema = {
        "type": "object",
        "required": ["a", "b", "c", "d"],
        "properties": {
            "a": {"type": "string", "minLength": 2},
            "b": {"enum": ["x", "y"]},
            "c": {"type": ["integer", "null"], "minimum": 3},
            "d": {"type": "object", "required": ["e"], "properties": {"e": {"type": "boolean"}}},
            "f": {"type": "array", "items": {"type": "integer"}},
        },
    }
    assert conform({"f": 1, "extra": True}, schema) == {
        "f": [1],
        "a": "xx",
        "b": "x",
        "c": 3,
        "d": {"e": False},
        "extra": True,
    }
    assert conform({"a": 5}, {"properties": {"a": {"type": "string", "default": "z"}}}) == {
        "a": "z"
    }
    assert blank({"type": "number"}) == 0
    assert blank({"type": "array"}) == []
    assert blank({}) == {}


def test_a_body_without_the_id_or_not_an_object_is_refused(tmp_path: Path) -> None:
    (tmp_path / "any.json").write_text('{"$schema": "http://json-schema.org/draft-07/schema#"}')
    (tmp_path / "operations.json").write_text(json.dumps({"operations": GIZMOS}))
    settings = Settings(seed=7, schemas_overlay=str(tmp_path))
    emulator = create_app(settings).state.emulator
    token = emulator.tenants.tokens.issue(settings.app_id)["access_token"]
    headers = {"app_id": settings.app_id, "access_token": token}

    def send(kind: str, query: str = "", body: bytes | None = b"{}") -> Any:
        request = Request("POST", f"/v1/gizmo/{kind}", query, headers, body or b"")
        return emulator.handle(request).json()

    assert send("get")["data"]["details"][0]["path"] == "$.uuid"
    assert send("create", body=b"[1]")["data"]["details"][0]["path"] == "$"
    created = send("create", body=b'{"name": "g"}')["data"]
    assert send("list", "page_size=5")["data"]["list"][0]["uuid"] == created["uuid"]
    assert send("list", "page=x")["data"]["details"][0]["path"] == "$.page"


GIZMOS = [
    {
        "operationId": f"gizmo.{kind}",
        "group": "Gizmos",
        "name_en": kind,
        "fidelity": "assumption",
        "source": "test: an operation with schemas of its own and no resource file",
        "resource": "gizmo",
        "kind": kind,
        "request": request,
        "response": "any.json",
    }
    for kind, request in (
        ("get", {"body": "any.json"}),
        ("create", {"body": "any.json"}),
        ("list", {}),
    )
]


def test_a_renamed_record_frees_its_old_unique_value(call: Any) -> None:
    first, second = make(call, 2)
    assert call("update", {"widget_uuid": first, "name": "w0"})["code"] == 0
    assert call("update", {"widget_uuid": second, "name": "w0"})["code"] == 40006
    assert call("update", {"widget_uuid": first, "name": "renamed"})["code"] == 0
    assert call("update", {"widget_uuid": second, "name": "w0"})["code"] == 0
    call("delete", {"widget_uuid": second})
    assert call("create", {"name": "w0"})["code"] == 0


def test_an_overlay_reshaping_a_domain_operation_hands_it_to_the_engine(tmp_path: Path) -> None:
    entry = {
        "operationId": "lead.create",
        "group": "Lead Management",
        "name_en": "Lead Creation",
        "fidelity": "documented",
        "source": "test: the vendor's own body",
        "resource": "lead",
        "kind": "create",
        "request": {"body": "any.json"},
        "response": "any.json",
    }
    moved = {
        **entry,
        "operationId": "account.update",
        "kind": "update",
        "path": "/v1/customer/edit",
    }
    del moved["request"], moved["response"]
    (tmp_path / "any.json").write_text('{"type": "object"}')
    (tmp_path / "operations.json").write_text(json.dumps({"operations": [entry, moved]}))
    emulator = create_app(Settings(seed=7, schemas_overlay=str(tmp_path))).state.emulator
    assert served_by(emulator.catalogue.by_id["lead.create"]) == "engine"
    assert served_by(emulator.catalogue.by_id["account.update"]) == "domain"
    assert emulator.handlers["lead.create"] is serve


def test_the_engine_serves_every_kind_the_conventions_give_it() -> None:
    assert set(KINDS) == set(conventions.ENGINE_KINDS)


def test_loaded_records_keep_their_order_unique_values_and_id_counters() -> None:
    records = create_app(Settings(seed=7, seed_data="none")).state.emulator.tenants.default.records
    first = records.create("crowd", {"name": "first"})
    records.create("business_type", {"name": "standard"})
    records.create("crowd", {"name": "second"})
    dumped = json.loads(json.dumps(records.dump()))
    records.create("crowd", {"name": "dropped"})
    records.load(dumped)
    assert [c["name"] for c in records.find("crowd")] == ["first", "second"]
    assert records.create("crowd", {"name": "third"})["group_id"] == first["group_id"] + 2
    with pytest.raises(ApiError) as refused:
        records.create("business_type", {"name": "standard"})
    assert refused.value.key == "duplicate_record"
