"""The vendor's documented pages against the catalogue: the fields a page marks required are
required in our answer schema, and the copy of the reference the tests fall back on is current."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator import create_app, spec
from emulator.core import Emulator
from emulator.tenants import Tenant
from tests import reference
from tests.conftest import SETTINGS, post

PAGES = reference.documented()


def required_paths(fields: list[dict[str, Any]], path: str = "$") -> list[tuple[str, str]]:
    """(object path, field name) for every field a page marks required, children included."""
    found = []
    for field in fields:
        if field.get("required") is True:
            found.append((path, field["name"]))
        step = "[*]" if str(field.get("type", "")).startswith("array") else ""
        found += required_paths(field.get("children") or [], f"{path}.{field['name']}{step}")
    return found


def schema_at(schema: dict[str, Any], path: str) -> dict[str, Any]:
    """The object schema at a path such as $.data[*] (properties, then items for [*])."""
    for step in path.removeprefix("$").split(".")[1:]:
        schema = schema["properties"][step.removesuffix("[*]")]
        if step.endswith("[*]"):
            schema = schema["items"]
    return schema


@pytest.mark.parametrize("page", PAGES, ids=[p["id"] for p in PAGES])
def test_fields_a_page_marks_required_are_required_in_our_answer(page: dict[str, Any]) -> None:
    schema = spec.load().by_id[page["id"]].response_schema
    missing = [
        f"{path}.{name}"
        for path, name in required_paths(page["response"]["fields"])
        if name not in schema_at(schema, path).get("required", [])
    ]
    assert missing == []


def test_every_documented_page_is_a_documented_operation() -> None:
    documented = {op.id for op in spec.load().operations if op.fidelity == "documented"}
    assert {page["id"] for page in PAGES} == documented


def test_the_copy_of_the_reference_is_current() -> None:
    found = reference.reference_file()
    if found is None:
        pytest.skip("the vendor reference (endpoints.yaml) is not at hand: set JING_REFERENCE_DIR")
    assert reference.from_copy() == reference.from_reference(found)


# Every example request of the reference, sent verbatim: the state each page's names need is put
# in the stores first, and the answer must have the shape and code of the page's answer.
NO_SEED = {
    "oauth.refresh_token": "its refresh_token is '' and a refresh token is a UUID the emulator "
    "issues: no seed can hold the empty token",
}
PAGE_USERS = ("ncVpzNSAuAXKjXJyWrr3ZV", "kWBDpn3bVbL9NL3z2LUYFi")  # group import, status batch
PLACEHOLDER = "string"  # the value the account and group pages fill every field with


def seed_page_names(tenant: Tenant) -> None:
    """The users, group, activity, business type, options and owner the examples name."""
    at = "2026-01-01 08:00:00"
    tenant.users.load(
        [
            {
                "omni_user_uuid": u,
                "identities": [],
                "fields": {},
                "created_at": at,
                "updated_at": at,
            }
            for u in PAGE_USERS
        ]
    )
    tenant.crowds.create("示例群组", group_id=20541)
    tenant.activities.create(
        {"entity_uuid": "etAJARbcPwUwnsgfr66BVJ", "name": "示例", "type": "live"}
    )
    tenant.activities.register("etAJARbcPwUwnsgfr66BVJ", [PAGE_USERS[1]])
    tenant.accounts.add_business_type("示例", PLACEHOLDER)
    for field in ("account_type", "nature_enterprise", "company_size", "country_region"):
        option = {"option_set": field, "value": PLACEHOLDER, "label": "示例"}
        tenant.records.create("option_set", option)
    staff = {"uuid": PLACEHOLDER, "name": "示例", "email": "owner@staff.example.cn"}
    tenant.records.create("employee", staff)


def credentials(client: TestClient) -> dict[str, str]:
    body = {"app_id": SETTINGS.app_id, "app_secret": SETTINGS.app_secret}
    token = post(client, "/v1/oauth2/token", body, {})["data"]["access_token"]
    return {"app_id": SETTINGS.app_id, "access_token": token}


JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "number"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def json_type(value: Any) -> str:
    return next((name for kind, name in JSON_TYPES if isinstance(value, kind)), "null")


def assert_like(page: Any, ours: Any, unsent: set[str], path: str = "$") -> None:
    """Ours has the page answer's shape: the same JSON type at every path the page shows, every
    key the page shows (but request fields the example did not send), a first row like its first
    row when it shows rows."""
    assert json_type(ours) == json_type(page), path
    if isinstance(page, dict):
        for key in page.keys() - unsent:
            assert key in ours, f"{path}.{key}"
            assert_like(page[key], ours[key], unsent, f"{path}.{key}")
    elif isinstance(page, list):
        assert bool(ours) == bool(page), f"{path}: {ours!r}"
        if page:
            assert_like(page[0], ours[0], unsent, f"{path}[0]")


def unsent_fields(op: spec.Operation, body: Any) -> set[str]:
    """The request fields of the operation that the example leaves out."""
    schema = op.body_schema or {}
    fields = set((schema.get("items", schema)).get("properties", {}))
    items = body if isinstance(body, list) else [body]
    return fields - {key for item in items for key in item}


@pytest.fixture
def bare() -> Iterator[TestClient]:
    """A client of an emulator whose default app holds no data: only what a test seeds."""
    with TestClient(create_app(replace(SETTINGS, seed_data="none"))) as client:
        yield client


@pytest.mark.parametrize("page", PAGES, ids=[p["id"] for p in PAGES])
def test_every_example_request_does_what_its_page_shows(
    page: dict[str, Any], bare: TestClient
) -> None:
    if page["id"] in NO_SEED:
        pytest.skip(f"{page['id']}: {NO_SEED[page['id']]}")
    emulator: Emulator = bare.app.state.emulator  # type: ignore[attr-defined]
    seed_page_names(emulator.tenants.default)
    client, headers = bare, credentials(bare)
    op = spec.load().by_id[page["id"]]
    sent = page["example_request"]
    response = client.request(op.method, op.path, json=sent, headers=headers)
    answer, shown = response.json(), page["example_response"]
    assert response.status_code == page["response"]["http_status"]
    code = op.envelope.success_code if shown["code"] == PLACEHOLDER else shown["code"]
    failure = answer["data"].get("failure", []) if isinstance(answer["data"], dict) else []
    assert (answer["code"], failure) == (code, []), answer
    assert_like(shown, answer, unsent_fields(op, sent))
