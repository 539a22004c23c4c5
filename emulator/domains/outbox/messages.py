"""Template messages and their pushes, WeChat template messages and WeCom app messages."""

from __future__ import annotations

from emulator.domains import Call, Handlers, without
from emulator.domains.outbox.channels import PUSH
from emulator.domains.outbox.edm import read_sends
from emulator.domains.outbox.render import slots, template, user_values
from emulator.envelope import ApiError
from emulator.spec import Json

TPLMSG, TEMPLATE = "tplmsg", "wechat_template"


def check_data(wechat_template: Json, data: Json) -> None:
    """A message's data fills only slots its WeChat template has (any, if it shows none)."""
    known = slots(wechat_template.get("content"))
    for key in data:
        if known and key not in known:
            raise ApiError(
                "unknown_template_slot", template_id=wechat_template["template_id"], slot=key,
                slots=", ".join(known), path=f"$.data.{key}",
            )  # fmt: skip


def create_tplmsg(call: Call) -> Json:
    records = call.state.records
    wechat_template = records.get(TEMPLATE, call.body["template_uuid"], "$.template_uuid")
    check_data(wechat_template, call.body.get("data", {}))
    return records.create(TPLMSG, call.body)


def update_tplmsg(call: Call) -> Json:
    records, uuid, fields = call.state.records, call.body["uuid"], without(call.body, "uuid")
    merged = {**records.get(TPLMSG, uuid, "$.uuid"), **fields}
    check_data(
        records.get(TEMPLATE, merged["template_uuid"], "$.template_uuid"), merged.get("data", {})
    )
    return records.update(TPLMSG, uuid, fields)


def delete_tplmsg(call: Call) -> Json:
    records, uuid = call.state.records, call.body["uuid"]
    call.state.outbox.dispatch_due()
    records.get(TPLMSG, uuid, "$.uuid")
    for push in records.find(PUSH.task, tplmsg_uuid=uuid, status="scheduled"):
        raise ApiError("tplmsg_in_use", uuid=uuid, push=push["uuid"], path="$.uuid")
    records.delete(TPLMSG, uuid, "$.uuid")
    return {"uuid": uuid}


def create_push(call: Call) -> Json:
    return call.state.outbox.create_task(PUSH, call.body)


def send_wechat_template(call: Call) -> Json:
    state, body = call.state, call.body
    wechat_template = _template(call, body["template_id"])
    check_data(wechat_template, body.get("data", {}))
    user, openid = state.outbox.recipient("wechat_openid", body, "a WeChat template message")
    content = template(wechat_template.get("content"), body.get("data", {}), user_values(user))
    message = {**body, "wechat_openid": openid, "omni_user_uuid": user["omni_user_uuid"]}
    return state.outbox.deliver(
        "wechat_template_send", {**message, "content": content, "status": "sent"}
    )


def send_wecom_message(call: Call) -> Json:
    staff = {e.get("wecom_userid") for e in call.state.records.find("employee")}
    invalid = [userid for userid in call.body["userids"] if userid not in staff]
    status = "failed" if len(invalid) == len(call.body["userids"]) else "sent"
    message = {**call.body, "status": status, "invalid_userids": invalid}
    return call.state.outbox.deliver("wecom_app_message", message)


def _template(call: Call, template_id: str) -> Json:
    found = call.state.records.find(TEMPLATE, template_id=template_id)
    if not found:
        raise ApiError(
            "record_not_found", resource=TEMPLATE, id_field="template_id", id=template_id,
            path="$.template_id",
        )  # fmt: skip
    return found[0]


HANDLERS: Handlers = {
    "tplmsg.create": create_tplmsg,
    "tplmsg.update": update_tplmsg,
    "tplmsg.delete": delete_tplmsg,
    "tplmsg.send.create": create_push,
    "tplmsg.send_record_list": read_sends,
    "tplmsg.send_records_detail": read_sends,
    "wechat.template_message.send": send_wechat_template,
    "wecom.app_message.send": send_wecom_message,
}
