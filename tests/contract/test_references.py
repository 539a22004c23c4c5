"""References: which resource a request field names, and the ids met on a server under test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from starlette.testclient import TestClient

from contract_tests import provider
from contract_tests.pacing import EmulatorTime, Pacer
from contract_tests.references import (
    Pool,
    References,
    field_names,
    listing,
    records,
    success_data,
    targets,
)
from emulator import create_app, spec
from emulator.core import Emulator
from tests.conftest import SETTINGS

CATALOGUE = spec.load()
OP = CATALOGUE.by_id


def answer(op_id: str, data: Any, code: Any = None) -> str:
    success = OP[op_id].envelope.success_code
    return json.dumps({"code": success if code is None else code, "data": data})


@pytest.fixture
def run() -> Iterator[tuple[provider.Run, Emulator]]:
    app = create_app(SETTINGS)
    with TestClient(app, client=("127.0.0.1", 1)) as client:
        clock = EmulatorTime(client)

        def credentials() -> dict[str, str]:
            return provider.token(client, CATALOGUE, SETTINGS.app_id, SETTINGS.app_secret)

        yield (
            provider.Run(client, CATALOGUE, credentials, Pacer(clock.now, clock.wait)),
            (app.state.emulator),
        )


@pytest.mark.parametrize(
    ("op_id", "field", "resources"),
    [
        ("crowd.static.detail", "group_id", ("crowd",)),  # the own resource's id field
        ("crowd.static.users", "group_id", ("crowd",)),  # a distinctive id field
        ("lead.update", "jing_uuid", ("lead",)),  # a shared id field: the own resource's
        ("tplmsg.detail", "uuid", ("tplmsg",)),  # the generic id field: the own resource's
        ("lead.create", "business_type", ("business_type",)),  # a resource's name
        ("edm.send.create", "mailbox_uuid", ("mailbox",)),  # name and id suffix
        ("activity.user_status.batch_update", "user_id", ("user",)),
        ("lead.status.update", "status", ("lead_status",)),  # the own resource's name before
        ("sms.send", "task_uuid", ("sms_task",)),  # a resource ending with the stem
        ("tplmsg.create", "template_uuid", ("wechat_template", "privacy_template")),
        ("lead.create", "name", ()),
        ("activity.list", "type", ()),
        ("user.create", "channel_uuid", ()),
    ],
)
def test_a_request_field_names_the_resources_the_catalogue_conventions_say(
    op_id: str, field: str, resources: tuple[str, ...]
) -> None:
    assert targets(CATALOGUE, OP[op_id].resource, field) == resources


def test_the_harvest_finds_the_ids_of_a_seeded_emulator(
    run: tuple[provider.Run, Emulator],
) -> None:
    checker, emulator = run
    references = References(CATALOGUE)
    wanted = [OP["crowd.static.detail"], OP["lead.create"], OP["tplmsg.create"]]
    provider.harvest(checker, references, wanted)
    tenant = emulator.tenants.default
    users = [u["omni_user_uuid"] for u in tenant.users.records()]
    groups = [r["group_id"] for r in tenant.records.find("crowd")]
    business_types = [r["id"] for r in tenant.records.find("business_type")]
    assert list(references.ids["user"]) == users
    assert list(references.ids["crowd"]) == groups
    assert list(references.ids["business_type"]) == business_types
    assert min(map(len, (users, groups, business_types))) > 0  # the demo data has them all
    assert "lead" not in references.ids  # no chosen operation names a lead
    assert references.pools(OP["crowd.static.detail"])["group_id"] == Pool(tuple(groups))


def test_a_harvest_with_nothing_to_list_asks_for_no_token(
    run: tuple[provider.Run, Emulator],
) -> None:
    checker, _ = run
    checker.credentials = lambda: pytest.fail("no token needed")
    references = References(CATALOGUE)
    provider.harvest(checker, references, [OP["oauth.get_token"], OP["crowd.static.create"]])
    assert references.ids == references.seen == {}


def test_a_field_the_named_records_carry_takes_their_values_not_their_ids() -> None:
    references = References(CATALOGUE)
    template = {"uuid": "u" * 22, "template_id": "wx-template-1", "title": "通知"}
    references.note(
        OP["tplmsg.wechat_templates"], answer("tplmsg.wechat_templates", {"list": [template]}), True
    )
    op = OP["wechat.template_message.send"]
    assert references.pools(op)["template_id"] == Pool(("wx-template-1",))
    assert references.pools(OP["tplmsg.create"])["template_uuid"] == Pool(("u" * 22,))


def test_plural_fields_take_lists_of_what_their_singular_takes() -> None:
    references = References(CATALOGUE)
    users = {"list": [{"omni_user_uuid": "a"}, {"omni_user_uuid": "b"}]}
    references.note(OP["user.list"], answer("user.list", users), listing=True)
    pools = references.pools(OP["score.user.active"])
    assert pools == {"omni_user_uuids": Pool(("a", "b"), plural=True)}


def test_only_success_answers_are_kept_and_ids_a_delete_removed_are_forgotten() -> None:
    references = References(CATALOGUE)
    detail = OP["tplmsg.detail"]
    references.note(detail, answer("tplmsg.detail", {"uuid": "kept"}))
    references.note(detail, answer("tplmsg.detail", {"uuid": "refused"}, code=40005))
    references.note(detail, "<html>")
    references.note(detail, answer("tplmsg.detail", {"uuid": "typed wrong"}, code="0"))
    references.note(detail, answer("tplmsg.detail", {"uuid": "other"}))
    assert list(references.ids["tplmsg"]) == ["kept", "other"]
    references.forget(detail, {"uuid": "kept"})  # a read removes nothing
    references.forget(OP["tplmsg.delete"], {"uuid": "kept"})
    assert list(references.ids["tplmsg"]) == ["other"]
    references.forget(OP["company.batch_delete"], {"list": ["x"]})
    assert "company" not in references.ids


def test_records_are_the_data_and_the_objects_of_its_lists() -> None:
    data = {"total": 2, "list": [{"a": 1}, 3, {"b": 2}], "success": [{"c": 3}]}
    assert list(records(data)) == [data, {"a": 1}, {"b": 2}, {"c": 3}]
    assert list(records([{"a": 1}, "x"])) == [{"a": 1}]
    assert list(records("text")) == []
    assert success_data(OP["user.list"], "[1]") is None


def test_a_listing_asks_for_the_largest_first_page_or_is_none() -> None:
    listed = listing(OP["crowd.static.list"])
    assert listed is not None
    assert (listed.body, listed.has_body) == ({"page_size": 100}, True)
    bodiless = listing(replace(OP["crowd.static.list"], body_schema=None))
    assert bodiless is not None
    assert (bodiless.body, bodiless.has_body) == (None, False)
    assert listing(OP["score.user.active"]) is None  # it needs ids
    assert listing(OP["crowd.static.create"]) is None  # no listing
    assert field_names({"properties": {"a": {"items": {"properties": {"b": {}}}}}}) == {"a", "b"}
    assert field_names({"anyOf": [{"properties": {"c": {}}}]}) == {"c"}
