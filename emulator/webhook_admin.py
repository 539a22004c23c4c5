"""The admin API's webhook calls: events, subscriptions, the delivery log, redelivery, triggers."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from emulator import spec, triggers
from emulator.envelope import ApiError
from emulator.spec import Json
from emulator.webhooks import ALL_EVENTS

if TYPE_CHECKING:
    from emulator.core import Emulator

SHOWN = ("name", "category", "fidelity", "trigger", "source", "code_origin", "vendor_page")


def events(emu: Emulator, _: Json) -> Json:
    index = spec.events_with(emu.settings.schemas_overlay)
    sendable = set(index.triggerable())  # POST /_admin/webhooks/trigger sends these
    listed = [
        {k: e[k] for k in SHOWN}
        | {"code": index.code(e["name"]), "on_demand": e["name"] in sendable}
        for e in index.by_name.values()
    ]
    return {"events": [e | {"schema": _schema(e)} for e in listed]}


def _schema(entry: Json) -> str:
    return f"schemas/webhooks/{entry['name']}.json"


def subscribe(emu: Emulator, body: Json) -> Json:
    patterns = body.get("events", list(ALL_EVENTS))
    for index, pattern in enumerate(patterns):
        if not any(fnmatchcase(name, pattern) for name in spec.events().by_name):
            reason = f"{pattern!r} matches no webhook event"
            raise ApiError("invalid_admin_request", path=f"$.events[{index}]", reason=reason)
    app_id = _app(emu, body)
    subscription = emu.webhooks.subscribe(app_id, body["url"], patterns, body.get("secret"))
    return subscription.to_json()


def subscriptions(emu: Emulator, _: Json) -> Json:
    return {"subscriptions": emu.webhooks.subscriptions()}


def unsubscribe(emu: Emulator, body: Json) -> Json:
    return emu.webhooks.unsubscribe(body["id"]).to_json()


def deliveries(emu: Emulator, _: Json) -> Json:
    log = emu.webhooks.deliveries()
    return {"deliveries": log, "capacity": emu.webhooks.outbox.capacity}


def delivery(emu: Emulator, body: Json) -> Json:
    return emu.webhooks.delivery(body["id"])


def redeliver(emu: Emulator, body: Json) -> Json:
    return emu.webhooks.redeliver(body["id"])


def drop(emu: Emulator, body: Json) -> Json:
    return emu.webhooks.drop(body["id"])


def trigger(emu: Emulator, body: Json) -> Json:
    app_id = _app(emu, body)
    tenant, event = emu.tenants.get(app_id), body["event"]
    source = triggers.Source(event, tenant, emu.clock, emu.ids, body.get("set", {}))
    payload = triggers.build(source)
    sent = emu.webhooks.publish(app_id, [(event, payload)])
    payload = emu.webhooks.as_sent(app_id, event, payload)
    return {"event": event, "app_id": app_id, "payload": payload, "deliveries": sent}


def _app(emu: Emulator, body: Json) -> str:
    app_id = body.get("app_id", emu.tenants.default.app_id)
    if app_id not in emu.tenants:
        raise ApiError("app_not_found", app_id=app_id, path="$.app_id")
    return str(app_id)
