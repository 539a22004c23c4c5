"""The request path: routing, body handling, journal; never a 500, always an envelope."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from emulator.core import Emulator, Request
from emulator.domains import Call
from emulator.envelope import ApiError
from emulator.settings import Settings
from emulator.spec import CatalogueError
from emulator.webhooks import mid
from tests.conftest import SETTINGS


def test_unknown_path_is_a_404_envelope(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post("/v1/nothing/here", json={}, headers=headers)
    assert response.status_code == 404
    assert response.json()["code"] == 30001
    assert response.json()["msg"] == "No operation at POST /v1/nothing/here"


def test_wrong_method_is_a_405_naming_the_right_one(client: TestClient) -> None:
    response = client.get("/v1/user/update")
    assert response.status_code == 405
    assert response.json()["msg"] == "/v1/user/update does not take GET; it takes POST"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/v1/user/update", "POST"),
        ("PUT", "/v1/oauth2/token", "POST"),
        ("DELETE", "/_admin/clock", "GET, POST"),
        ("GET", "/_admin/webhooks/deliveries/d1/redeliver", "POST"),
    ],
)
def test_a_405_names_the_methods_the_path_takes_in_allow(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    response = client.request(method, path)
    assert (response.status_code, response.headers.get("allow")) == (405, allow)
    assert response.headers["content-type"] == "application/json"


def test_malformed_json_is_a_400_in_the_operation_style(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.post("/v1/user/update", content=b"[{", headers=headers)
    assert response.status_code == 400
    assert response.json()["code"] == "30005"
    assert response.json()["data"]["details"][0]["path"] == "$"


def test_empty_body_is_malformed(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post("/v1/user/update", content=b"  ", headers=headers)
    assert "the body is empty" in response.json()["msg"]


def test_wrong_content_type_is_a_415(client: TestClient, headers: dict[str, str]) -> None:
    form = {**headers, "content-type": "application/x-www-form-urlencoded"}
    response = client.post("/v1/user/update", content=b"a=1", headers=form)
    assert response.status_code == 415
    assert response.json()["code"] == "30004"


def test_json_content_type_with_charset_is_accepted(
    client: TestClient, headers: dict[str, str]
) -> None:
    typed = {**headers, "content-type": "application/json; charset=utf-8"}
    response = client.post("/v1/user/query", content=b'{"omni_user_uuids": ["x"]}', headers=typed)
    assert response.json()["code"] == 0


def test_oversized_body_is_refused_before_parsing(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.post(
        "/v1/user/update", content=b"[" + b" " * SETTINGS.body_limit + b"]", headers=headers
    )
    assert response.status_code == 413
    assert response.json()["code"] == "30003"


def test_chunked_oversized_body_is_refused(client: TestClient, headers: dict[str, str]) -> None:
    chunks = (b" " * 65536 for _ in range(SETTINGS.body_limit // 65536 + 2))
    response = client.post("/v1/user/update", content=chunks, headers=headers)
    assert response.status_code == 413


def test_bad_query_string_names_the_parameter(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(
        "/v1/user/create?returnFull=yes",
        json=[{"identities": [{"type": "mobile", "value": "1"}]}],
        headers=headers,
    )
    # Its values are ours (the page shows only true): served, with a warning naming it.
    assert response.json()["code"] == 0
    assert "$.returnFull enum" in response.headers["x-jing-emulator-warning"]


def test_return_full_is_text_compared_to_true_as_before(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    ops = emulator.catalogue.operations
    assert [op.id for op in ops if op.query_schema] == ["user.create"]  # returnFull, a string
    for path, query, full in [
        ("/v1/user/create", "returnFull=true", True),
        ("/v1/user/create", "returnFull=false", False),
        ("/v1/user/update", "returnFull=true", True),  # no query schema: anything goes
        ("/v1/user/update", "returnFull=True", False),
        ("/v1/user/update", "returnFull=1", False),
    ]:
        item = [{"identities": [{"type": "mobile", "value": "13900000001"}]}]
        answer = client.post(f"{path}?{query}", json=item, headers=headers).json()
        assert ("created_at" in answer["data"]["success"][0]) is full, (path, query)


def test_an_overlay_operation_takes_its_integer_query_parameters_as_integers(
    tmp_path: Path,
) -> None:
    query = {
        "type": "object",
        "properties": {
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer"},
            "size": {"type": "integer"},
            "shiny": {"type": "boolean"},
        },
    }
    (tmp_path / "query.json").write_text(json.dumps(query))
    (tmp_path / "any.json").write_text('{"type": "object"}')
    (tmp_path / "page.json").write_text('{"type": "object", "properties": {"list": {}}}')
    entries = [
        {
            "operationId": f"gizmo.{kind}",
            "group": "Gizmos",
            "name_en": kind,
            "fidelity": "assumption",
            "source": "test: query parameters declared as integers and a boolean",
            "resource": "gizmo",
            "kind": kind,
            "request": {"query": "query.json"},
            "response": response,
        }
        for kind, response in (("create", "any.json"), ("list", "page.json"))
    ]
    (tmp_path / "operations.json").write_text(json.dumps({"operations": entries}))
    emulator = Emulator(Settings(seed=7, schemas_overlay=str(tmp_path)))
    token = emulator.tenants.tokens.issue(emulator.settings.app_id)["access_token"]
    headers = {"app_id": emulator.settings.app_id, "access_token": token}

    def send(kind: str, query: str) -> Any:
        return emulator.handle(Request("POST", f"/v1/gizmo/{kind}", query, headers)).json()

    created = send("create", "size=3&shiny=true")["data"]
    assert (created["size"], created["shiny"]) == (3, True)  # the handler got typed values
    assert send("list", "page=1&page_size=5")["data"]["list"] == [created]
    refused = send("list", "page=two")["data"]
    assert refused["details"][0]["path"] == "$.page"


def test_journal_records_each_call(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    client.post("/v1/user/query", json={"omni_user_uuids": ["x"]}, headers=headers)
    client.get("/v1/unknown")
    last = list(emulator.journal)[-2:]
    assert [e["operation"] for e in last] == ["user.query", None]
    assert [e["error"] for e in last] == [None, "path_not_found"]
    assert last[0]["app_id"] == SETTINGS.app_id


def test_the_journal_keeps_no_app_secret_nor_refresh_token(
    client: TestClient, emulator: Emulator
) -> None:
    credentials = {"app_id": SETTINGS.app_id, "app_secret": SETTINGS.app_secret}
    tokens = client.post("/v1/oauth2/token", json=credentials).json()["data"]
    refresh = {**credentials, "refresh_token": tokens["refresh_token"]}
    client.post("/v1/oauth2/token/refresh", json=refresh)
    issued, refreshed = (entry["body"] for entry in list(emulator.journal)[-2:])
    assert json.loads(issued) == {**credentials, "app_secret": "***"}
    assert json.loads(refreshed) == {**refresh, "app_secret": "***", "refresh_token": "***"}


def test_the_journal_shows_no_secret_sent_in_a_list_or_an_object(client: TestClient) -> None:
    secret = SETTINGS.app_secret
    for value in ([secret], {"secret": secret}, [[secret, None]]):
        client.post("/v1/oauth2/token", json={"app_id": SETTINGS.app_id, "app_secret": value})
    journal = client.get("/_admin/journal").json()["data"]["entries"]
    assert [json.loads(e["body"])["app_secret"] for e in journal[-3:]] == ["***"] * 3
    assert secret not in json.dumps(journal)


def test_the_journal_keeps_no_access_token_from_the_headers(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    client.post("/v1/user/query", json={"omni_user_uuids": ["x"]}, headers=headers)
    [entry] = list(emulator.journal)[-1:]
    assert entry["app_id"] == headers["app_id"]
    assert headers["access_token"] not in json.dumps(list(emulator.journal))


def test_operations_without_handlers_are_refused_at_start(emulator: Emulator) -> None:
    from emulator.core import bind_handlers

    with pytest.raises(CatalogueError, match="operations without handler"):
        bind_handlers(emulator.catalogue, {})


@settings(
    max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(
    path=st.sampled_from(
        [
            "/v1/user/update",
            "/v1/user/create",
            "/v1/user/query",
            "/v1/customer/create",
            "/v2/crowd/static/importByUuids",
            "/v1/activity/update/userStatus/batch",
            "/v1/oauth2/token",
            "/v1/oauth2/token/refresh",
            "/x",
        ]
    ),
    body=st.one_of(
        st.binary(max_size=64),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False)
            | st.text(max_size=8),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(
                    st.sampled_from(
                        [
                            "identities",
                            "type",
                            "value",
                            "fields",
                            "group_id",
                            "app_id",
                            "omni_user_uuids",
                            "user_ids",
                            "entity_uuid",
                            "name",
                        ]
                    ),
                    inner,
                    max_size=4,
                )
            ),
            max_leaves=12,
        ).map(lambda v: json.dumps(v).encode()),
    ),
)
def test_any_body_gets_an_envelope_never_a_500(emulator: Emulator, path: str, body: bytes) -> None:
    token = emulator.tenants.tokens.issue(SETTINGS.app_id)["access_token"]
    headers = {"app_id": SETTINGS.app_id, "access_token": token}
    response = emulator.handle(Request("POST", path, headers=headers, body=body))
    assert response.status < 500
    assert "code" in response.json()


def test_a_handler_s_events_are_published_only_when_it_returns(emulator: Emulator) -> None:
    received: list[dict[str, Any]] = []
    emulator.webhooks.subscribe(SETTINGS.app_id, "inprocess:test", receiver=received.append)
    token = emulator.tenants.tokens.issue(SETTINGS.app_id)["access_token"]
    headers = {"app_id": SETTINGS.app_id, "access_token": token}

    def emitting(call: Call) -> dict[str, Any]:
        assert call.listening
        call.emit("pageView", {"event_type": "pageView"})
        if call.body["omni_user_uuids"] == ["fail"]:
            raise ApiError("group_not_found", group_id=1)
        return {}

    emulator.handlers["user.query"] = emitting
    for ids in (["fail"], ["ok"]):
        body = json.dumps({"omni_user_uuids": ids}).encode()
        emulator.handle(Request("POST", "/v1/user/query", "", headers, body))
    assert received == []  # queued: never delivered inside the call
    emulator.webhooks.run_due()
    assert [r["payload"] for r in received] == [
        {"mid": mid(SETTINGS.app_id), "event_type": "pageView"}
    ]
