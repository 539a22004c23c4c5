"""Webhooks through the admin API and the emulated API: subscriptions, chains arriving in
order with valid payloads, retries driven by /_admin/clock, the delivery log, triggers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import orjson
import pytest
import respx
from starlette.testclient import TestClient

from emulator import create_app, spec
from emulator.core import Emulator
from emulator.webhooks import verify
from tests.conftest import SETTINGS, post, user

HOOK = "https://hooks.example.cn/jing"
SUBSCRIPTIONS = "/_admin/webhooks/subscriptions"
DELIVERIES = "/_admin/webhooks/deliveries"
STATUS_BATCH = "/v1/activity/update/userStatus/batch"


class Hook:
    """The receiver at HOOK (caught by respx): answers from a script, then 200."""

    def __init__(self, router: respx.MockRouter, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.received: list[httpx.Request] = []
        router.post(HOOK).mock(side_effect=self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        return httpx.Response(self.statuses.pop(0) if self.statuses else 200)

    def payloads(self) -> list[dict[str, Any]]:
        return [orjson.loads(request.content) for request in self.received]

    def names(self) -> list[str]:
        return [request.headers["x-jing-emulator-event"] for request in self.received]


def admin(client: TestClient, method: str, path: str, body: Any = None) -> Any:
    return client.request(method, path, json=body).json()


def subscribe(client: TestClient, **body: Any) -> dict[str, Any]:
    answer = admin(client, "POST", SUBSCRIPTIONS, {"url": HOOK, **body})
    assert answer["code"] == 0, answer
    return dict(answer["data"])


def delivered(emulator: Emulator, hook: Hook) -> list[str]:
    """Deliver what is due (waiting for the worker's attempts in flight); the events received."""
    emulator.webhooks.run_due()
    return hook.names()


@pytest.fixture
def hook(respx_mock: respx.MockRouter) -> Hook:
    respx_mock.route(host="testserver").pass_through()
    return Hook(respx_mock)


def valid(payloads: list[dict[str, Any]]) -> bool:
    for payload in payloads:
        jsonschema.validate(payload, spec.event_schema(payload["event_type"]))
    return True


def test_events_lists_every_event_with_fidelity_trigger_and_schema(client: TestClient) -> None:
    listed = admin(client, "GET", "/_admin/webhooks/events")["data"]["events"]
    assert [e["name"] for e in listed] == list(spec.events().by_name)
    create = next(e for e in listed if e["name"] == "object_create")
    assert (create["fidelity"], create["schema"]) == (
        "documented",
        "schemas/webhooks/object_create.json",
    )
    assert "account.create" in create["trigger"]


def test_subscriptions_are_created_listed_and_deleted(client: TestClient) -> None:
    created = subscribe(client, events=["object_*", "custom_field"], secret="k")
    assert (created["app_id"], created["signed"]) == (SETTINGS.app_id, True)
    assert "secret" not in created
    everything = subscribe(client)
    assert everything["events"] == ["*"]
    listed = admin(client, "GET", SUBSCRIPTIONS)["data"]["subscriptions"]
    assert [s["id"] for s in listed] == [created["id"], everything["id"]]
    assert (
        admin(client, "DELETE", f"{SUBSCRIPTIONS}/{created['id']}")["data"]["id"] == created["id"]
    )
    assert [s["id"] for s in admin(client, "GET", SUBSCRIPTIONS)["data"]["subscriptions"]] == [
        everything["id"]
    ]
    again = client.delete(f"{SUBSCRIPTIONS}/{created['id']}")
    assert (again.status_code, again.json()["code"]) == (404, 50011)


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        ({"url": HOOK, "events": ["objct_*"]}, 50006, "$.events[0]"),
        ({"url": "ftp://hooks.example.cn"}, 50006, "$.url"),
        ({"events": ["*"]}, 50006, "$"),
        ({"url": HOOK, "app_id": "nobody"}, 50003, "$.app_id"),
    ],
)
def test_bad_subscriptions_are_refused_with_the_path(
    client: TestClient, body: dict[str, Any], code: int, path: str
) -> None:
    answer = admin(client, "POST", SUBSCRIPTIONS, body)
    assert answer["code"] == code
    assert answer["data"]["details"][0]["path"] == path


def test_user_creation_then_field_change_arrive_in_order_and_valid(
    client: TestClient, headers: dict[str, str], emulator: Emulator, hook: Hook
) -> None:
    subscribe(client)
    post(client, "/v1/user/create", [user("13500000001", fields={"city": "上海"})], headers)
    post(client, "/v1/user/update", [user("13500000001", fields={"city": "北京"})], headers)
    post(client, "/v1/user/update", [user("13500000001", fields={"city": "北京"})], headers)
    assert delivered(emulator, hook) == ["add_omni_user_success", "custom_field"]
    created, changed = hook.payloads()
    assert valid(hook.payloads())
    assert changed["extra_data"]["omni_user_uuid"] == created["extra_data"]["omni_user_uuid"]
    assert changed["extra_data"]["mapping_data"] == {"city": ["上海", "北京"]}


def test_account_creation_and_status_changes_arrive_valid(
    client: TestClient, headers: dict[str, str], emulator: Emulator, hook: Hook
) -> None:
    subscribe(client, events=["object_create", "activity_user_status"])
    tenant = emulator.tenants.default
    business_type = tenant.accounts.business_types()[0]
    post(
        client,
        "/v1/customer/create",
        {"name": "示例", "business_type": business_type["id"]},
        headers,
    )
    activity = tenant.activities.records()[0]
    users = [r["omni_user_uuid"] for r in tenant.activities.registrations(activity["entity_uuid"])]
    body = {"entity_uuid": activity["entity_uuid"], "user_ids": users[:2], "ems_signinstatus": "1"}
    post(client, STATUS_BATCH, body, headers)
    assert delivered(emulator, hook) == [
        "object_create",
        "activity_user_status",
        "activity_user_status",
    ]
    account, *statuses = hook.payloads()
    assert valid(hook.payloads())
    assert account["extra_data"]["mapping_data_text"]["business_type"] == business_type["name"]
    assert [s["extra_data"]["omni_user_uuid"] for s in statuses] == users[:2]


def test_a_call_that_fails_publishes_nothing(
    client: TestClient, headers: dict[str, str], emulator: Emulator, hook: Hook
) -> None:
    subscribe(client)
    mixed = [user("13500000001"), {"identities": [{"type": "email", "value": "a@b.cn"}]}]
    assert post(client, "/v1/user/update", mixed, headers)["code"] == "31003"
    activity = emulator.tenants.default.activities.records()[0]
    unregistered = {
        "entity_uuid": activity["entity_uuid"],
        "user_ids": ["nobody"],
        "ems_signinstatus": "1",
    }
    assert post(client, STATUS_BATCH, unregistered, headers)["code"] == 40003
    assert delivered(emulator, hook) == []
    assert admin(client, "GET", DELIVERIES)["data"]["deliveries"] == []


def test_a_receiver_down_at_first_gets_everything_after_the_clock_moves(
    client: TestClient, headers: dict[str, str], emulator: Emulator, respx_mock: respx.MockRouter
) -> None:
    respx_mock.route(host="testserver").pass_through()
    hook = Hook(respx_mock, 503, 500)
    subscribe(client, secret="k")
    post(client, "/v1/user/update", [user(f"1350000000{n}") for n in range(3)], headers)
    assert delivered(emulator, hook) == ["add_omni_user_success"]  # failed; the rest wait
    admin(client, "POST", "/_admin/clock", {"advance_seconds": 1})  # the first retry is due
    assert len(delivered(emulator, hook)) == 2  # it failed too: the next one is 2 s later
    admin(client, "POST", "/_admin/clock", {"advance_seconds": 2})
    assert delivered(emulator, hook) == ["add_omni_user_success"] * 5
    ids = [p["extra_data"]["omni_user_uuid"] for p in hook.payloads()]
    assert ids[:3] == [ids[0]] * 3
    assert len(set(ids[2:])) == 3  # each user once after the recovery
    first = admin(client, "GET", DELIVERIES)["data"]["deliveries"][0]
    assert [a["status"] for a in first["attempts"]] == [503, 500, 200]
    assert all(
        verify("k", r.content, r.headers["x-jing-emulator-signature"]) for r in hook.received
    )


def test_the_delivery_log_shows_attempts_and_redelivers_by_id(
    client: TestClient, headers: dict[str, str], emulator: Emulator, hook: Hook
) -> None:
    subscribe(client)
    post(client, "/v1/user/update", [user("13500000001")], headers)
    delivered(emulator, hook)
    log = admin(client, "GET", DELIVERIES)["data"]
    [entry] = log["deliveries"]
    assert (log["capacity"], entry["status"], entry["url"]) == (1000, "delivered", HOOK)
    assert entry["attempts"][0]["status"] == 200
    assert admin(client, "GET", f"{DELIVERIES}/{entry['id']}")["data"] == entry
    again = admin(client, "POST", f"{DELIVERIES}/{entry['id']}/redeliver")["data"]
    assert again["redelivery_of"] == entry["id"]
    assert delivered(emulator, hook) == ["add_omni_user_success"] * 2
    missing = client.get(f"{DELIVERIES}/nothing")
    assert (missing.status_code, missing.json()["code"]) == (404, 50012)
    wrong = client.get(f"{DELIVERIES}/{entry['id']}/redeliver")
    assert (wrong.status_code, wrong.json()["msg"]) == (
        405,
        f"{DELIVERIES}/{entry['id']}/redeliver does not take GET; it takes POST",
    )


def test_trigger_sends_an_on_demand_event_built_from_state(
    client: TestClient, emulator: Emulator, hook: Hook
) -> None:
    subscription = subscribe(client, events=["pageView"])
    body = {"event": "pageView", "set": {"extra_data.page_title": "价格"}}
    sent = admin(client, "POST", "/_admin/webhooks/trigger", body)["data"]
    assert (sent["event"], sent["app_id"]) == ("pageView", SETTINGS.app_id)
    assert sent["payload"]["extra_data"]["page_title"] == "价格"
    assert emulator.tenants.default.users.get(sent["payload"]["extra_data"]["omni_user_uuid"])
    assert delivered(emulator, hook) == ["pageView"]
    assert hook.payloads() == [sent["payload"]]
    assert (
        admin(client, "GET", DELIVERIES)["data"]["deliveries"][0]["subscription_id"]
        == subscription["id"]
    )


@pytest.mark.parametrize(
    ("body", "status", "code", "path"),
    [
        ({"event": "nope"}, 404, 50007, "$.event"),
        ({"event": "custom_field"}, 409, 50008, "$.event"),
        (
            {"event": "tracking_cls", "set": {"extra_data.duration": "long"}},
            400,
            50010,
            "$.extra_data.duration",
        ),
        ({"event": "pageView", "app_id": "nobody"}, 404, 50003, "$.app_id"),
        ({"event": "pageView", "set": {"a..b": 1}}, 400, 50006, "$.set"),
    ],
)
def test_bad_triggers_are_refused_with_the_path(
    client: TestClient, body: dict[str, Any], status: int, code: int, path: str
) -> None:
    response = client.post("/_admin/webhooks/trigger", json=body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.json()["data"]["details"][0]["path"] == path


def test_reset_clears_subscriptions_and_deliveries(
    client: TestClient, headers: dict[str, str], emulator: Emulator, hook: Hook
) -> None:
    subscribe(client)
    post(client, "/v1/user/update", [user("13500000001")], headers)
    admin(client, "POST", "/_admin/reset")
    assert admin(client, "GET", SUBSCRIPTIONS)["data"]["subscriptions"] == []
    assert admin(client, "GET", DELIVERIES)["data"]["deliveries"] == []


@pytest.fixture
def started() -> Iterator[TestClient]:
    app = create_app(SETTINGS.with_overrides({"webhook_url": HOOK, "webhook_secret": "k"}))
    with TestClient(app, client=("127.0.0.1", 40000)) as test_client:
        yield test_client


def test_the_webhook_url_setting_subscribes_the_default_app_at_start(started: TestClient) -> None:
    [subscription] = admin(started, "GET", SUBSCRIPTIONS)["data"]["subscriptions"]
    assert subscription | {"id": "", "created_at": 0} == {
        "id": "",
        "app_id": SETTINGS.app_id,
        "url": HOOK,
        "events": ["*"],
        "signed": True,
        "created_at": 0,
    }
    admin(started, "POST", "/_admin/reset")
    assert [s["url"] for s in admin(started, "GET", SUBSCRIPTIONS)["data"]["subscriptions"]] == [
        HOOK
    ]


def test_a_failed_delivery_is_dropped_by_id_and_the_log_says_so(
    client: TestClient, headers: dict[str, str], emulator: Emulator, respx_mock: respx.MockRouter
) -> None:
    respx_mock.route(host="testserver").pass_through()
    hook = Hook(respx_mock, *[503] * 6)
    subscribe(client)
    post(client, "/v1/user/update", [user("13500000001")], headers)
    admin(client, "POST", "/_admin/clock", {"advance_seconds": 31})
    [failed] = admin(client, "GET", DELIVERIES)["data"]["deliveries"]
    assert (failed["status"], len(hook.received)) == ("failed", 6)
    dropped = admin(client, "DELETE", f"{DELIVERIES}/{failed['id']}")["data"]
    assert (dropped["status"], dropped["reason"]) == ("dropped", "dropped by request (was failed)")
    again = client.delete(f"{DELIVERIES}/{failed['id']}")
    assert (again.status_code, again.json()["data"]["details"][0]["path"]) == (400, "$.id")
