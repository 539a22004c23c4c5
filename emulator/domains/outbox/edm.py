"""E-mail (EDM) sends: tasks from a mailbox to a group and users, read back from the outbox."""

from __future__ import annotations

from typing import Any

from emulator import engine
from emulator.domains import Call, Handlers, without
from emulator.domains.outbox.channels import EMAIL
from emulator.spec import Json


def create_send(call: Call) -> Json:
    return call.state.outbox.create_task(EMAIL, call.body)


def update_send(call: Call) -> Json:
    fields = without(call.body, "send_uuid")
    return call.state.outbox.update_task(EMAIL, call.body["send_uuid"], fields)


def delete_send(call: Call) -> Json:
    return call.state.outbox.delete_task(EMAIL, call.body["send_uuid"])


def read_sends(call: Call) -> Any:
    call.state.outbox.dispatch_due()
    return engine.serve(call)


HANDLERS: Handlers = {
    "edm.send.create": create_send,
    "edm.send.update": update_send,
    "edm.send.delete": delete_send,
    "edm.send.detail": read_sends,
    "edm.send.list": read_sends,
    "edm.send.records": read_sends,
}
