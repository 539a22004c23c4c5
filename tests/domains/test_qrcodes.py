"""QR codes: temporary codes expire on the virtual clock, permanent ones never; each has a scene
and a URL."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from emulator.core import Emulator
from tests.domains.test_outbox import advance, call

TEMPORARY, PERMANENT = "qrcode.temporary.create", "qrcode.permanent.create"


def code(client: TestClient, headers: dict[str, str], op_id: str, **fields: Any) -> Any:
    return call(client, op_id, {"name": "峰会签到", "scene": "checkin", **fields}, headers)


def test_a_temporary_code_expires_on_the_virtual_clock(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    created = code(client, headers, TEMPORARY, expire_seconds=120)["data"]
    assert (created["type"], created["status"]) == ("temporary", "valid")
    assert created["expire_time"] == "2026-01-01 08:02:00"
    codes = emulator.tenants.default.qrcodes
    advance(client, 119)
    assert codes.get(created["uuid"])["status"] == "valid"
    advance(client, 1)
    assert codes.get(created["uuid"])["status"] == "expired"
    assert {c["uuid"]: c["status"] for c in codes.all()}[created["uuid"]] == "expired"


def test_a_temporary_code_lives_sixty_seconds_unless_told_and_thirty_days_at_most(
    client: TestClient, headers: dict[str, str]
) -> None:
    created = code(client, headers, TEMPORARY)["data"]
    assert (created["expire_seconds"], created["expire_time"]) == (60, "2026-01-01 08:01:00")
    longest = code(client, headers, TEMPORARY, expire_seconds=2592000)["data"]
    assert longest["expire_time"] == "2026-01-31 08:00:00"
    answer = code(client, headers, TEMPORARY, expire_seconds=2592001)
    assert answer["code"] == 30006
    assert answer["data"]["details"][0]["path"] == "$.expire_seconds"


def test_a_permanent_code_never_expires_and_takes_no_expiry(
    client: TestClient, headers: dict[str, str], emulator: Emulator
) -> None:
    created = code(client, headers, PERMANENT)["data"]
    assert (created["type"], created["status"]) == ("permanent", "valid")
    assert "expire_time" not in created
    answer = code(client, headers, PERMANENT, expire_seconds=60)
    assert answer["code"] == 40060
    assert answer["data"]["details"][0]["path"] == "$.expire_seconds"
    emulator.clock.advance(10 * 365 * 86400)
    assert emulator.tenants.default.qrcodes.get(created["uuid"])["status"] == "valid"


def test_each_code_has_its_scene_and_a_url_of_its_own(
    client: TestClient, headers: dict[str, str]
) -> None:
    first = code(client, headers, PERMANENT, scene="website")["data"]
    second = code(client, headers, TEMPORARY, scene="booth")["data"]
    assert (first["scene"], second["scene"]) == ("website", "booth")
    assert first["url"] == f"http://weixin.qq.com/q/{first['uuid']}"
    assert first["url"] != second["url"]
    answer = call(client, PERMANENT, {"name": "无场景"}, headers)
    assert answer["code"] == 30006
    assert "scene" in answer["msg"]


def test_the_operation_sets_the_type_of_a_code(client: TestClient, headers: dict[str, str]) -> None:
    answer = code(client, headers, TEMPORARY, type="permanent")
    assert answer["code"] == 30006
    assert "'type' was unexpected" in answer["data"]["details"][0]["message"]


def test_seeded_codes_show_their_expiry_too(emulator: Emulator) -> None:
    codes = {c["scene"]: c for c in emulator.tenants.default.qrcodes.all()}
    assert codes["summit_checkin"]["expire_time"] == "2026-01-08 08:00:00"
    assert codes["website_follow"]["status"] == "valid"
