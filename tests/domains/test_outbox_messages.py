"""Outbox: template messages and their pushes, WeChat template messages and WeCom app messages
land in the outbox, their WeChat templates filled with the message's data per recipient."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from emulator.core import Emulator
from tests.domains.test_outbox import NOBODY, advance, call, outbox, person

SLOTS = "{{first.DATA}}\n{{keyword1.DATA}}\n{{keyword2.DATA}}\n{{remark.DATA}}"  # demo templates


def template(client: TestClient, headers: dict[str, str]) -> Any:
    """The first WeChat template of the demo data (its slots: SLOTS)."""
    found = call(client, "tplmsg.wechat_templates", {}, headers)["data"]["list"][0]
    assert found["content"] == SLOTS
    return found


def tplmsg(client: TestClient, headers: dict[str, str], **fields: Any) -> Any:
    data = {"first": {"value": "{{name}}, 您好"}, "keyword1": {"value": "新品发布会"}}
    body = {"name": "报名成功", "template_uuid": template(client, headers)["uuid"], "data": data}
    return call(client, "tplmsg.create", {**body, **fields}, headers)


def wechat_user(client: TestClient, headers: dict[str, str], openid: str) -> str:
    return person(client, headers, "wechat_openid", openid)


def test_a_template_message_names_a_known_wechat_template(
    client: TestClient, headers: dict[str, str]
) -> None:
    answer = tplmsg(client, headers, template_uuid=NOBODY)
    assert answer["code"] == 40005
    assert answer["data"]["details"][0]["path"] == "$.template_uuid"


def test_a_template_message_fills_only_the_slots_of_its_template(
    client: TestClient, headers: dict[str, str]
) -> None:
    answer = tplmsg(client, headers, data={"keyword9": {"value": "x"}})
    assert answer["code"] == 40014
    assert answer["data"]["details"][0]["path"] == "$.data.keyword9"
    assert "first, keyword1, keyword2, remark" in answer["msg"]
    created = tplmsg(client, headers)["data"]
    update = {"uuid": created["uuid"], "data": {"nope": {"value": "x"}}}
    assert call(client, "tplmsg.update", update, headers)["code"] == 40014
    update = {"uuid": created["uuid"], "data": {"remark": {"value": "欢迎"}}}
    assert call(client, "tplmsg.update", update, headers)["data"]["data"] == update["data"]
    assert call(client, "tplmsg.detail", {"uuid": created["uuid"]}, headers)["data"]["data"] == {
        "remark": {"value": "欢迎"}
    }


def test_a_push_fills_the_template_for_each_follower_and_fails_those_without_an_openid(
    client: TestClient, headers: dict[str, str]
) -> None:
    follower = wechat_user(client, headers, "oFollower0000000000000001")
    no_openid = person(client, headers, "mobile", "13900000041")
    message = tplmsg(client, headers, url="https://example.cn/x")["data"]
    body = {
        "name": "开播提醒",
        "tplmsg_uuid": message["uuid"],
        "omni_user_uuids": [follower, no_openid],
    }
    push = call(client, "tplmsg.send.create", body, headers)["data"]
    assert push["status"] == "sent"
    query = {"tplmsg_send_uuid": push["uuid"]}
    found = call(client, "tplmsg.send_records_detail", query, headers)["data"]["list"]
    assert [(r["status"], r.get("wechat_openid")) for r in found] == [
        ("success", "oFollower0000000000000001"),
        ("failed", None),
    ]
    assert found[0]["content"] == "用户0001, 您好\n新品发布会\n\n"
    assert found[0]["url"] == "https://example.cn/x"
    assert found[1]["error_code"] == 40011
    assert "has no wechat_openid" in found[1]["error_msg"]
    pushes = call(client, "tplmsg.send_record_list", {"name": "开播提醒"}, headers)["data"]["list"]
    assert pushes == [push]
    in_outbox = [
        m for m in outbox(client, channel="tplmsg") if m["tplmsg_send_uuid"] == push["uuid"]
    ]
    assert [m["status"] for m in in_outbox] == ["success", "failed"]


def test_a_template_message_with_a_scheduled_push_cannot_be_deleted(
    client: TestClient, headers: dict[str, str]
) -> None:
    follower = wechat_user(client, headers, "oFollower0000000000000002")
    message = tplmsg(client, headers)["data"]
    when = {"send_type": "scheduled", "send_time": "2026-01-01 08:10:00"}
    body = {
        "name": "定时推送",
        "tplmsg_uuid": message["uuid"],
        "omni_user_uuids": [follower],
        **when,
    }
    push = call(client, "tplmsg.send.create", body, headers)["data"]
    answer = call(client, "tplmsg.delete", {"uuid": message["uuid"]}, headers)
    assert answer["code"] == 40015
    assert push["uuid"] in answer["msg"]
    advance(client, 600)
    assert call(client, "tplmsg.delete", {"uuid": message["uuid"]}, headers)["code"] == 0
    query = {"tplmsg_send_uuid": push["uuid"]}
    (record,) = call(client, "tplmsg.send_records_detail", query, headers)["data"]["list"]
    assert record["send_time"] == "2026-01-01 08:10:00"
    assert call(client, "tplmsg.detail", {"uuid": message["uuid"]}, headers)["code"] == 40005


def test_a_push_names_a_known_template_message(client: TestClient, headers: dict[str, str]) -> None:
    follower = wechat_user(client, headers, "oFollower0000000000000003")
    body = {"name": "推送", "tplmsg_uuid": NOBODY, "omni_user_uuids": [follower]}
    answer = call(client, "tplmsg.send.create", body, headers)
    assert answer["code"] == 40005
    assert answer["data"]["details"][0]["path"] == "$.tplmsg_uuid"


def test_a_wechat_template_message_reaches_a_user_by_uuid_or_openid(
    client: TestClient, headers: dict[str, str]
) -> None:
    openid = "oFollower0000000000000004"
    follower = wechat_user(client, headers, openid)
    wechat = template(client, headers)
    data = {"first": {"value": "{{name}}"}, "remark": {"value": "谢谢"}}
    body = {"template_id": wechat["template_id"], "omni_user_uuid": follower, "data": data}
    sent = call(client, "wechat.template_message.send", body, headers)
    assert sent["code"] == 0, sent
    assert sent["data"]["wechat_openid"] == openid
    assert sent["data"]["content"] == "用户0004\n\n\n谢谢"
    by_openid = {"template_id": wechat["template_id"], "wechat_openid": openid}
    again = call(client, "wechat.template_message.send", by_openid, headers)["data"]
    assert again["omni_user_uuid"] == follower
    listed = [m["uuid"] for m in outbox(client, channel="wechat_template")]
    assert listed == [sent["data"]["uuid"], again["uuid"]]


def test_a_wechat_template_message_nobody_can_receive_is_refused_with_the_reason(
    client: TestClient, headers: dict[str, str]
) -> None:
    no_openid = person(client, headers, "mobile", "13900000051")
    template_id = template(client, headers)["template_id"]
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"wechat_openid": "oUnknown"}, 40010, "$.wechat_openid"),
        ({"omni_user_uuid": no_openid}, 40011, "$.omni_user_uuid"),
        ({"omni_user_uuid": no_openid, "template_id": "nope"}, 40005, "$.template_id"),
        ({"omni_user_uuid": no_openid, "data": {"x": {"value": "1"}}}, 40014, "$.data.x"),
        ({"omni_user_uuid": no_openid, "content": "x"}, 30006, "$"),  # the emulator renders it
    ]
    for target, code, where in cases:
        answer = call(
            client, "wechat.template_message.send", {"template_id": template_id, **target}, headers
        )
        assert (answer["code"], answer["data"]["details"][0]["path"]) == (code, where), answer
    assert outbox(client, channel="wechat_template") == []


def test_a_wecom_message_lists_the_userids_no_staff_member_has(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    staff = [e["wecom_userid"] for e in emulator.tenants.default.records.find("employee")]
    body = {"userids": [staff[0], "ghost", staff[1]], "msgtype": "text", "content": "新线索"}
    sent = call(client, "wecom.app_message.send", body, headers)["data"]
    assert (sent["status"], sent["invalid_userids"]) == ("sent", ["ghost"])
    nobody = call(client, "wecom.app_message.send", {**body, "userids": ["ghost"]}, headers)
    assert (nobody["data"]["status"], nobody["data"]["invalid_userids"]) == ("failed", ["ghost"])
    listed = [(m["uuid"], m["status"]) for m in outbox(client, channel="wecom_app")]
    assert listed == [(sent["uuid"], "sent"), (nobody["data"]["uuid"], "failed")]
    refused = call(client, "wecom.app_message.send", {**body, "status": "sent"}, headers)
    assert "'status' was unexpected" in refused["data"]["details"][0]["message"]


def test_a_template_without_content_takes_any_keyword_and_shows_the_values(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    bare = {"template_id": "BareTemplate0001", "title": "无内容模板"}
    emulator.tenants.default.records.create("wechat_template", bare)
    openid = "oFollower0000000000000005"
    person(client, headers, "wechat_openid", openid)
    data = {"anything": {"value": "一"}, "else": {"value": "二"}}
    body = {"template_id": "BareTemplate0001", "wechat_openid": openid, "data": data}
    sent = call(client, "wechat.template_message.send", body, headers)
    assert sent["data"]["content"] == "一\n二"
