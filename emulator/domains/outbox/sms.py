"""SMS: tasks to a group and users, single messages to one user, read back from the outbox."""

from __future__ import annotations

from emulator.domains import Call, Handlers
from emulator.domains.outbox.channels import SMS
from emulator.domains.outbox.edm import read_sends
from emulator.domains.outbox.render import fill, user_values
from emulator.spec import Json


def create_task(call: Call) -> Json:
    return call.state.outbox.create_task(SMS, call.body)


def send(call: Call) -> Json:
    state, body = call.state, call.body
    if "task_uuid" in body:
        state.records.get(SMS.task, body["task_uuid"], "$.task_uuid")
    user, mobile = state.outbox.recipient(SMS.address, body, SMS.label)
    content = fill(body["content"], user_values(user))
    message = {**body, "mobile": mobile, "omni_user_uuid": user["omni_user_uuid"]}
    return state.outbox.deliver(SMS.record, {**message, "content": content, "status": SMS.sent})


HANDLERS: Handlers = {
    "sms.task.create": create_task,
    "sms.send": send,
    "sms.list": read_sends,
    "sms.send_detail": read_sends,
}
