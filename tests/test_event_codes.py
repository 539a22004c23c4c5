"""Webhook event codes: whose code each is and the vendor page it comes from, in the catalogue
and the admin API; an overlay renames a code without code changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import respx
from starlette.testclient import TestClient

from emulator import create_app, spec
from emulator.core import Emulator
from tests.conftest import SETTINGS
from tests.test_webhook_admin import Hook, admin, delivered, subscribe

OURS = {  # the vendor's page names these events, not their code
    "activity_live_create": "活动webhook-直播",
    "activity_meeting_create": "活动webhook-会议",
    "activity_live_update": "更改直播活动webhook",
    "activity_meeting_update": "更改会议活动webhook",
    "activity_live_delete": "删除直播活动webhook",
    "activity_meeting_delete": "删除会议活动webhook",
    "template_click": "点击模板消息",
    "template_send_success": "模板消息推送成功",
    "template_send_error": "模板消息推送失败",
    "tracking_pageview": "pages/store/detail/detail事件",
    "activity_signup": "提交活动报名信息",
    "cta_submit": "CTA提交信息",
    "user_tagging": "用户打标签",
    "privacy_authorized": "授权隐私条款",
    "activity_user_status": "活动报名用户状态变更",
}
PAGE_PATH = "pages/store/detail/detail"


def test_the_catalogue_says_which_event_codes_are_ours_and_quotes_their_page() -> None:
    index = spec.events().by_name
    ours = {name: e["vendor_page"][0] for name, e in index.items() if e["code_origin"] == "ours"}
    assert ours == OURS
    assert all(index[name]["source"].startswith("The code is the emulator's own") for name in OURS)
    assert not any(
        "The code is the emulator's own" in e["source"]
        for e in index.values()
        if e["code_origin"] == "vendor"
    )


def test_the_admin_api_lists_whose_code_and_the_vendor_page(client: TestClient) -> None:
    listed = {
        e["name"]: e for e in admin(client, "GET", "/_admin/webhooks/events")["data"]["events"]
    }
    tagging, created = listed["user_tagging"], listed["add_omni_user_success"]
    assert (tagging["code"], tagging["code_origin"], tagging["vendor_page"]) == (
        "user_tagging",
        "ours",
        ["用户打标签"],
    )
    assert (created["code_origin"], created["vendor_page"][0]) == (
        "vendor",
        "add_omni_user_success事件",
    )


@pytest.fixture
def renamed(tmp_path: Path) -> Iterator[TestClient]:
    """An emulator whose overlay renames the code of tracking_pageview to the page's path."""
    events = {"events": [{"name": "tracking_pageview", "code": PAGE_PATH}]}
    (tmp_path / "webhooks").mkdir()
    (tmp_path / "webhooks" / "events.json").write_text(json.dumps(events))
    app = create_app(SETTINGS.with_overrides({"schemas_overlay": str(tmp_path)}))
    with TestClient(app, client=("127.0.0.1", 40000)) as client:
        yield client


def test_an_overlay_renames_an_event_code_sent_and_listed(
    renamed: TestClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.route(host="testserver").pass_through()
    hook = Hook(respx_mock)
    subscribe(renamed, events=["tracking_pageview"])
    sent = admin(renamed, "POST", "/_admin/webhooks/trigger", {"event": "tracking_pageview"})
    emulator: Emulator = renamed.app.state.emulator  # type: ignore[attr-defined]
    assert delivered(emulator, hook) == ["tracking_pageview"]
    assert hook.payloads()[0]["event_type"] == PAGE_PATH
    assert sent["data"]["payload"]["event_type"] == PAGE_PATH
    listed = admin(renamed, "GET", "/_admin/webhooks/events")["data"]["events"]
    assert next(e["code"] for e in listed if e["name"] == "tracking_pageview") == PAGE_PATH


def test_an_overlay_may_not_add_an_event(tmp_path: Path) -> None:
    (tmp_path / "webhooks").mkdir()
    (tmp_path / "webhooks" / "events.json").write_text(
        '{"events": [{"name": "nope", "code": "x"}]}'
    )
    with pytest.raises(spec.CatalogueError, match=r"\[nope\]: an overlay renames events"):
        spec.events(spec.SCHEMAS_DIR, tmp_path)


def test_an_overlay_code_must_be_text(tmp_path: Path) -> None:
    (tmp_path / "webhooks").mkdir()
    change = {"events": [{"name": "user_tagging", "code": 5}]}
    (tmp_path / "webhooks" / "events.json").write_text(json.dumps(change))
    with pytest.raises(spec.CatalogueError, match=r"\[user_tagging\]: code is text"):
        spec.events(spec.SCHEMAS_DIR, tmp_path)
