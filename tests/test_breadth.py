"""Every operation the engine serves: a schema-valid request gets a schema-valid success, and
what one operation writes, the resource's other operations read back."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import jsonschema
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema

from emulator import create_app, spec
from emulator.core import Emulator, Request, served_by
from tests.conftest import SETTINGS

CATALOGUE = spec.load()
ENGINE_OPS = [op for op in CATALOGUE.operations if served_by(op) == "engine"]
NEEDS_RECORD = ("get", "update", "delete")
WRITERS = ("create", "action", "batch_create")
READERS = ("get", "list", "query")
FAST = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))


def by_resource() -> dict[str, list[spec.Operation]]:
    grouped: dict[str, list[spec.Operation]] = defaultdict(list)
    for op in ENGINE_OPS:
        grouped[op.resource].append(op)
    return grouped


RESOURCES = by_resource()


class Client:
    """The default app's calls straight into an emulator, one fresh tenant per example."""

    def __init__(self) -> None:
        self.emulator: Emulator = create_app(
            SETTINGS.with_overrides({"rate_limits": "off", "seed_data": "none"})
        ).state.emulator
        token = self.emulator.tenants.tokens.issue(SETTINGS.app_id)["access_token"]
        self.headers = {"app_id": SETTINGS.app_id, "access_token": token}

    def call(self, op: spec.Operation, body: Any) -> Any:
        request = Request(op.method, op.path, "", self.headers, json.dumps(body).encode())
        answer = self.emulator.handle(request).json()
        assert answer["code"] == op.envelope.success_code, (op.id, body, answer)
        jsonschema.validate(answer, op.response_schema)
        return answer["data"]

    def fresh(self) -> Any:
        self.emulator.reset(SETTINGS.app_id)
        return self.emulator.tenants.default.records


@pytest.fixture(scope="module")
def client() -> Client:
    return Client()


@pytest.mark.parametrize("op", ENGINE_OPS, ids=[op.id for op in ENGINE_OPS])
def test_a_valid_request_gets_a_valid_success(client: Client, op: spec.Operation) -> None:
    res = CATALOGUE.resources[op.resource]
    assert op.body_schema is not None

    @FAST
    @given(body=from_schema(op.body_schema), stored=from_schema(res.writable()))
    def check(body: Any, stored: Any) -> None:
        records = client.fresh()
        if op.kind in NEEDS_RECORD:
            body[res.id_field] = records.create(op.resource, as_json(stored))[res.id_field]
        client.call(op, body)

    check()


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_what_is_written_is_read_back(client: Client, resource: str) -> None:
    """Written through the API where an operation writes it (else seeded through the store),
    read back through every reading operation and the store."""
    ops = {op.kind: op for op in RESOURCES[resource]}
    writer = next((ops[k] for k in WRITERS if k in ops), None)
    res = CATALOGUE.resources[resource]

    @FAST
    @given(fields=from_schema(res.writable()))
    def check(fields: Any) -> None:
        records = client.fresh()
        if writer is None:
            record = records.create(resource, as_json(fields))
        else:
            record = write(client, writer, fields, res.id_field)
        assert records.get(resource, record[res.id_field]) == record
        if "get" in ops:
            assert client.call(ops["get"], {res.id_field: record[res.id_field]}) == record
        for kind in ("list", "query"):
            if kind in ops:
                page = client.call(ops[kind], {"page_size": 100})
                assert page["total"] == 1
                assert page["list"] == [record]

    check()


def as_json(value: Any) -> Any:
    """A value as it arrives over the wire (integers past 64 bits become floats, as in orjson)."""
    return orjson.loads(json.dumps(value))


def write(client: Client, writer: spec.Operation, fields: Any, id_field: str) -> Any:
    """Create one record through the writing operation; the record as reads should show it."""
    if writer.kind != "batch_create":
        record = client.call(writer, fields)
        assert {k: record[k] for k in fields} == fields
        return record
    (done,) = client.call(writer, {"list": [fields]})["success"]
    return client.emulator.tenants.default.records.get(writer.resource, done[id_field])
