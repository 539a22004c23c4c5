"""Channels: how each kind of send task reaches its recipients, and what lands in the outbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emulator.domains.outbox.render import Values, fill, template
from emulator.spec import Json

if TYPE_CHECKING:
    from emulator.engine import Records

Compose = Callable[["Records", Json, Values], Json]


@dataclass(frozen=True, slots=True)
class Channel:
    """A send task's resource, the resource of one recipient's message and how it is made."""

    name: str  # the outbox channel
    label: str  # how messages name it ("an e-mail cannot reach them")
    task: str  # resource of the send task
    record: str  # resource of one recipient's message
    link: str  # field of a message naming its task
    address: str  # the identity a recipient must carry
    sent: str  # status of a message that went out
    refs: tuple[tuple[str, str], ...]  # fields of a task naming records: (field, resource)
    compose: Compose  # the rendered part of a message, for a recipient's values


def _email(records: Records, task: Json, values: Values) -> Json:
    return {
        "subject": fill(task["subject"], values),
        "content": fill(task.get("content", ""), values),
    }


def _sms(records: Records, task: Json, values: Values) -> Json:
    signature = {"sign_name": task["sign_name"]} if "sign_name" in task else {}
    return {"content": fill(task["content"], values), **signature}


def _push(records: Records, task: Json, values: Values) -> Json:
    message = records.get("tplmsg", task["tplmsg_uuid"], "$.tplmsg_uuid")
    found = records.lookup("wechat_template", message["template_uuid"])
    content = found.get("content") if found is not None else None
    link = {"url": message["url"]} if "url" in message else {}
    return {"content": template(content, message.get("data", {}), values), **link}


EMAIL = Channel(
    "email", "an e-mail", "edm_send", "edm_send_record", "send_uuid", "email", "sent",
    (("mailbox_uuid", "mailbox"),), _email,
)  # fmt: skip
SMS = Channel(
    "sms", "an SMS", "sms_task", "sms_send_record", "task_uuid", "mobile", "sent", (), _sms
)
PUSH = Channel(
    "tplmsg", "a template message push", "tplmsg_send", "tplmsg_send_record",
    "tplmsg_send_uuid", "wechat_openid", "success", (("tplmsg_uuid", "tplmsg"),), _push,
)  # fmt: skip
TASKS = (EMAIL, SMS, PUSH)

# The outbox: every message the tenant sent, by channel, as records of these resources.
OUTBOX = {
    "email": "edm_send_record",
    "sms": "sms_send_record",
    "tplmsg": "tplmsg_send_record",
    "wechat_template": "wechat_template_send",
    "wecom_app": "wecom_app_message",
}
