"""Outbox: e-mail and SMS sends go nowhere; they land in the tenant's outbox, rendered per
recipient, and the send detail and record operations read them back from it."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from emulator import spec
from emulator.core import Emulator
from tests.conftest import post

CATALOGUE = spec.load()
NOBODY = "N0b0dyN0b0dyN0b0dyN0b0"  # 22 characters, no user's id


def path(op_id: str) -> str:
    return CATALOGUE.by_id[op_id].path


def call(client: TestClient, op_id: str, body: Any, headers: dict[str, str]) -> Any:
    return post(client, path(op_id), body, headers)


def person(client: TestClient, headers: dict[str, str], kind: str, value: str) -> str:
    """A new user with this identity, named after its last four characters, in 上海."""
    item: dict[str, Any] = {"identities": [{"type": kind, "value": value}]}
    item["fields"] = {"name": f"用户{value[-4:]}", "city": "上海"}
    answer = post(client, "/v1/user/update", [item], headers)
    return str(answer["data"]["success"][0]["omni_user_uuid"])


def mailbox(client: TestClient, headers: dict[str, str]) -> str:
    return str(call(client, "edm.mailbox_list", {}, headers)["data"]["list"][0]["uuid"])


def email_send(client: TestClient, headers: dict[str, str], **fields: Any) -> Any:
    body = {
        "name": "新品通讯",
        "subject": "{{name}}, 您好",
        "mailbox_uuid": mailbox(client, headers),
    }
    return call(client, "edm.send.create", {**body, **fields}, headers)


def outbox(client: TestClient, **query: str) -> list[Any]:
    answer = client.get("/_admin/outbox", params=query).json()
    assert answer["code"] == 0, answer
    messages: list[Any] = answer["data"]["messages"]
    return messages


def records(client: TestClient, headers: dict[str, str], send_uuid: str) -> list[Any]:
    answer = call(client, "edm.send.records", {"send_uuid": send_uuid, "page_size": 100}, headers)
    found: list[Any] = answer["data"]["list"]
    return found


def advance(client: TestClient, seconds: int) -> None:
    assert client.post("/_admin/clock", json={"advance_seconds": seconds}).json()["code"] == 0


def test_an_email_lands_in_the_outbox_rendered_for_each_recipient(
    client: TestClient, headers: dict[str, str]
) -> None:
    a = person(client, headers, "email", "a@example.cn")
    b = person(client, headers, "email", "bbbb@example.cn")
    content = "{{name}} 在 {{city}}, 邮箱 {{email}}, {{unknown}}"
    sent = email_send(client, headers, omni_user_uuids=[a, b], content=content)
    assert sent["code"] == 0, sent
    assert sent["data"]["status"] == "sent"
    mine = [
        m
        for m in outbox(client, channel="email")
        if m.get("send_uuid") == sent["data"]["send_uuid"]
    ]
    assert [(m["omni_user_uuid"], m["email"], m["status"]) for m in mine] == [
        (a, "a@example.cn", "sent"),
        (b, "bbbb@example.cn", "sent"),
    ]
    assert mine[0]["subject"] == "用户e.cn, 您好"
    assert mine[1]["content"] == "用户e.cn 在 上海, 邮箱 bbbb@example.cn, {{unknown}}"


def test_an_email_to_a_user_without_an_email_fails_for_that_recipient_only(
    client: TestClient, headers: dict[str, str]
) -> None:
    with_email = person(client, headers, "email", "c@example.cn")
    without = person(client, headers, "mobile", "13900000003")
    sent = email_send(client, headers, omni_user_uuids=[with_email, without, NOBODY])
    found = records(client, headers, sent["data"]["send_uuid"])
    assert [r["status"] for r in found] == ["sent", "failed", "failed"]
    assert found[1]["error_code"] == 40011
    assert f"User {without} has no email" in found[1]["error_msg"]
    assert found[2]["error_code"] == 40010
    assert NOBODY in found[2]["error_msg"]
    assert found[2]["subject"] == "{{name}}, 您好"


def test_send_records_are_exactly_what_the_outbox_holds(
    client: TestClient, headers: dict[str, str]
) -> None:
    a = person(client, headers, "email", "d@example.cn")
    sent = email_send(client, headers, omni_user_uuids=[a, NOBODY])["data"]
    listed = [
        {k: v for k, v in m.items() if k not in ("app_id", "channel", "resource")}
        for m in outbox(client, channel="email")
        if m.get("send_uuid") == sent["send_uuid"]
    ]
    assert records(client, headers, sent["send_uuid"]) == listed
    assert len(listed) == 2
    detail = call(client, "edm.send.detail", {"send_uuid": sent["send_uuid"]}, headers)
    assert detail["data"] == sent
    listed_sends = call(client, "edm.send.list", {"name": sent["name"]}, headers)["data"]
    assert listed_sends["list"] == [sent]


def test_a_group_send_reaches_the_members_of_the_group(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    crowds = emulator.tenants.default.crowds
    group = crowds.create("邮件测试组")["group_id"]
    members = [person(client, headers, "email", f"g{n}@example.cn") for n in range(3)]
    crowds.import_users(group, members, emulator.tenants.default.users.get)
    extra = person(client, headers, "email", "extra@example.cn")
    sent = email_send(client, headers, group_id=group, omni_user_uuids=[members[0], extra])
    found = records(client, headers, sent["data"]["send_uuid"])
    assert [r["omni_user_uuid"] for r in found] == [*members, extra]


def test_a_scheduled_send_goes_out_when_the_virtual_clock_reaches_its_send_time(
    client: TestClient, headers: dict[str, str]
) -> None:
    a = person(client, headers, "email", "e@example.cn")
    when = {"send_type": "scheduled", "send_time": "2026-01-01 09:00:00"}
    sent = email_send(client, headers, omni_user_uuids=[a], **when)["data"]
    assert sent["status"] == "scheduled"
    advance(client, 3599)
    assert records(client, headers, sent["send_uuid"]) == []
    advance(client, 1)
    detail = call(client, "edm.send.detail", {"send_uuid": sent["send_uuid"]}, headers)
    assert detail["data"]["status"] == "sent"
    (record,) = records(client, headers, sent["send_uuid"])
    assert record["send_time"] == "2026-01-01 09:00:00"


def test_a_scheduled_send_due_already_goes_out_at_once(
    client: TestClient, headers: dict[str, str]
) -> None:
    a = person(client, headers, "email", "f@example.cn")
    when = {"send_type": "scheduled", "send_time": "2025-12-31 09:00:00"}
    sent = email_send(client, headers, omni_user_uuids=[a], **when)["data"]
    assert sent["status"] == "sent"
    assert len(records(client, headers, sent["send_uuid"])) == 1


def test_a_scheduled_send_needs_a_send_time(client: TestClient, headers: dict[str, str]) -> None:
    a = person(client, headers, "email", "g@example.cn")
    answer = email_send(client, headers, omni_user_uuids=[a], send_type="scheduled")
    assert answer["code"] == 40060
    assert answer["data"]["details"][0]["path"] == "$.send_time"


def test_a_send_needs_recipients_but_a_draft_does_not(
    client: TestClient, headers: dict[str, str]
) -> None:
    answer = email_send(client, headers)
    assert answer["code"] == 40060
    assert answer["data"]["details"][0]["path"] == "$.group_id"
    assert email_send(client, headers, status="draft")["data"]["status"] == "draft"


def test_a_draft_goes_out_only_when_updated_to_go(
    client: TestClient, headers: dict[str, str]
) -> None:
    a = person(client, headers, "email", "h@example.cn")
    draft = email_send(client, headers, omni_user_uuids=[a], status="draft")["data"]
    edited = {"send_uuid": draft["send_uuid"], "subject": "新标题"}
    assert call(client, "edm.send.update", edited, headers)["data"]["status"] == "draft"
    assert records(client, headers, draft["send_uuid"]) == []
    go = {"send_uuid": draft["send_uuid"], "status": "sending"}
    assert call(client, "edm.send.update", go, headers)["data"]["status"] == "sent"
    (record,) = records(client, headers, draft["send_uuid"])
    assert record["subject"] == "新标题"


def test_a_sent_send_can_no_longer_change(client: TestClient, headers: dict[str, str]) -> None:
    a = person(client, headers, "email", "i@example.cn")
    sent = email_send(client, headers, omni_user_uuids=[a])["data"]
    answer = call(client, "edm.send.update", {"send_uuid": sent["send_uuid"], "name": "x"}, headers)
    assert answer["code"] == 40013
    assert "is sent" in answer["msg"]
    when = {"send_type": "scheduled", "send_time": "2026-01-01 08:05:00"}
    due = email_send(client, headers, omni_user_uuids=[a], name="定时", **when)["data"]
    advance(client, 300)
    answer = call(client, "edm.send.update", {"send_uuid": due["send_uuid"], "name": "y"}, headers)
    assert answer["code"] == 40013


def test_a_cancelled_or_deleted_scheduled_send_never_goes_out(
    client: TestClient, headers: dict[str, str]
) -> None:
    a = person(client, headers, "email", "j@example.cn")
    when = {"send_type": "scheduled", "send_time": "2026-01-01 08:30:00"}
    first = email_send(client, headers, omni_user_uuids=[a], **when)["data"]
    second = email_send(client, headers, omni_user_uuids=[a], name="第二封", **when)["data"]
    cancel = {"send_uuid": first["send_uuid"], "status": "cancelled"}
    assert call(client, "edm.send.update", cancel, headers)["data"]["status"] == "cancelled"
    assert call(client, "edm.send.delete", {"send_uuid": second["send_uuid"]}, headers)["code"] == 0
    advance(client, 3600)
    sends = {first["send_uuid"], second["send_uuid"]}
    assert [m for m in outbox(client) if m.get("send_uuid") in sends] == []
    detail = call(client, "edm.send.detail", {"send_uuid": second["send_uuid"]}, headers)
    assert detail["code"] == 40005


def test_an_email_send_names_a_known_mailbox_and_group(
    client: TestClient, headers: dict[str, str]
) -> None:
    a = person(client, headers, "email", "k@example.cn")
    answer = email_send(client, headers, omni_user_uuids=[a], mailbox_uuid=NOBODY)
    assert answer["code"] == 40005
    assert answer["data"]["details"][0]["path"] == "$.mailbox_uuid"
    answer = email_send(client, headers, group_id=999999)
    assert answer["code"] == 40001
    assert answer["data"]["details"][0]["path"] == "$.group_id"


def test_an_sms_to_a_user_lands_in_the_outbox_with_its_content_rendered(
    client: TestClient, headers: dict[str, str]
) -> None:
    a = person(client, headers, "mobile", "13900000011")
    body = {"omni_user_uuid": a, "content": "{{name}}, 验证码 1234", "sign_name": "JING"}
    sent = call(client, "sms.send", body, headers)
    assert sent["code"] == 0, sent
    assert sent["data"]["mobile"] == "13900000011"
    assert sent["data"]["content"] == "用户0011, 验证码 1234"
    assert sent["data"]["status"] == "sent"
    (message,) = [m for m in outbox(client, channel="sms") if m["uuid"] == sent["data"]["uuid"]]
    assert message["content"] == sent["data"]["content"]
    by_mobile = call(client, "sms.send", {"mobile": "13900000011", "content": "hi"}, headers)
    assert by_mobile["data"]["omni_user_uuid"] == a


def test_an_sms_nobody_can_receive_is_refused_with_the_reason(
    client: TestClient, headers: dict[str, str]
) -> None:
    no_mobile = person(client, headers, "email", "l@example.cn")
    other = person(client, headers, "mobile", "13900000012")
    cases = [
        ({"mobile": "13900009999"}, 40010, "$.mobile"),
        ({"omni_user_uuid": NOBODY}, 40010, "$.omni_user_uuid"),
        ({"omni_user_uuid": no_mobile}, 40011, "$.omni_user_uuid"),
        ({"omni_user_uuid": other, "mobile": "13900000013"}, 40012, "$.mobile"),
        ({"omni_user_uuid": other, "task_uuid": NOBODY}, 40005, "$.task_uuid"),
        ({"omni_user_uuid": other, "status": "delivered"}, 30006, "$"),  # the emulator sets it
    ]
    for target, code, where in cases:
        answer = call(client, "sms.send", {**target, "content": "hi"}, headers)
        assert (answer["code"], answer["data"]["details"][0]["path"]) == (code, where), answer
    assert [m for m in outbox(client, channel="sms") if m.get("content") == "hi"] == []


def test_a_mobile_identity_that_is_no_mobile_number_gets_no_sms(
    client: TestClient, headers: dict[str, str]
) -> None:
    odd = person(client, headers, "mobile", "0")  # identities are free text; an SMS is not
    answer = call(client, "sms.send", {"omni_user_uuid": odd, "content": "hi"}, headers)
    assert (answer["code"], answer["data"]["details"][0]["path"]) == (40011, "$.omni_user_uuid")
    task = {"name": "号码校验", "content": "hi", "omni_user_uuids": [odd]}
    sent = call(client, "sms.task.create", task, headers)["data"]
    query = {"task_uuid": sent["uuid"]}
    (found,) = call(client, "sms.send_detail", query, headers)["data"]["list"]
    assert (found["status"], found["error_code"], "mobile" in found) == ("failed", 40011, False)


def test_an_sms_task_sends_to_its_recipients_and_send_details_list_them(
    client: TestClient, headers: dict[str, str]
) -> None:
    a = person(client, headers, "mobile", "13900000021")
    b = person(client, headers, "email", "m@example.cn")
    body = {"name": "到期提醒", "content": "{{name}} 的积分即将到期", "omni_user_uuids": [a, b]}
    task = call(client, "sms.task.create", body, headers)["data"]
    assert task["status"] == "sent"
    listed = call(client, "sms.list", {"name": "到期提醒"}, headers)["data"]["list"]
    assert listed == [task]
    query = {"task_uuid": task["uuid"], "page_size": 100}
    found = call(client, "sms.send_detail", query, headers)["data"]["list"]
    assert [(r["status"], r.get("mobile")) for r in found] == [
        ("sent", "13900000021"),
        ("failed", None),
    ]
    assert found[0]["content"] == "用户0021 的积分即将到期"
    assert found[1]["error_code"] == 40011


def test_the_admin_outbox_lists_one_app_or_every_app(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    other = client.post("/_admin/apps", json={}).json()["data"]["app_id"]
    emulator.tenants.get(other).outbox.deliver("sms_send_record", {"mobile": "13900000031"})
    everything = outbox(client)
    assert {m["app_id"] for m in everything} == {headers["app_id"], other}
    assert [m["mobile"] for m in outbox(client, app_id=other)] == ["13900000031"]
    assert client.get("/_admin/outbox", params={"channel": "fax"}).json()["code"] == 50006
    assert client.get("/_admin/outbox", params={"app_id": "none"}).json()["code"] == 50003


def test_placeholders_show_any_kind_of_field_value(
    client: TestClient, headers: dict[str, str]
) -> None:
    fields = {"interests": ["cdp", "social"], "vip": True, "member": False, "note": None, "age": 30}
    item = {"identities": [{"type": "mobile", "value": "13900000071"}], "fields": fields}
    uuid = post(client, "/v1/user/update", [item], headers)["data"]["success"][0]["omni_user_uuid"]
    content = "{{interests}}|{{vip}}|{{member}}|{{note}}|{{age}}|{{omni_user_uuid}}"
    sent = call(client, "sms.send", {"omni_user_uuid": uuid, "content": content}, headers)
    assert sent["data"]["content"] == f"cdp, social|true|false||30|{uuid}"


def test_a_scheduled_group_send_whose_group_was_deleted_reaches_the_listed_users_only(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    crowds = emulator.tenants.default.crowds
    group = crowds.create("将被删除")["group_id"]
    member = person(client, headers, "email", "member@example.cn")
    crowds.import_users(group, [member], emulator.tenants.default.users.get)
    listed = person(client, headers, "email", "listed@example.cn")
    when = {"send_type": "scheduled", "send_time": "2026-01-01 08:01:00"}
    sent = email_send(client, headers, group_id=group, omni_user_uuids=[listed], **when)["data"]
    crowds.delete(group)
    advance(client, 60)
    assert [r["omni_user_uuid"] for r in records(client, headers, sent["send_uuid"])] == [listed]
