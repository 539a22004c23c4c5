"""The catalogue against the vendor's table of contents: all 101 endpoints, labelled honestly."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.testclient import TestClient

from emulator import conventions, spec

REFERENCE = json.loads((Path(__file__).parent / "data" / "reference_endpoints.json").read_text())
ENDPOINTS = {e["id"]: e for e in REFERENCE["endpoints"]}


def test_catalogue_has_exactly_the_reference_ids() -> None:
    assert len(ENDPOINTS) == 101
    assert {op.id for op in spec.load().operations} == set(ENDPOINTS)


def test_methods_agree_where_the_reference_knows_them() -> None:
    for op in spec.load().operations:
        known = ENDPOINTS[op.id]["method"]
        assert op.method == (known or "POST"), op.id


def test_documented_paths_are_unchanged() -> None:
    documented = [e for e in ENDPOINTS.values() if e["path"]]
    assert len(documented) == 6
    for endpoint in documented:
        assert spec.load().by_id[endpoint["id"]].path == endpoint["path"]


def test_fidelity_is_documented_only_for_documented_endpoints() -> None:
    for op in spec.load().operations:
        expected = "documented" if ENDPOINTS[op.id]["status"] == "documented" else "inferred"
        assert op.fidelity == expected, op.id


def test_paths_not_written_down_follow_the_one_rule() -> None:
    rules = json.loads((spec.SCHEMAS_DIR / "conventions.json").read_text())
    entries = json.loads((spec.SCHEMAS_DIR / "operations.json").read_text())["operations"]
    unwritten = [e["operationId"] for e in entries if "path" not in e]
    assert len(unwritten) == 93
    for op_id in unwritten:
        prefix = rules["prefixes"].get(op_id.split(".")[0], {}).get("path")
        assert spec.load().by_id[op_id].path == conventions.infer_path(op_id, prefix)


def test_every_operation_has_request_and_response_schemas() -> None:
    for op in spec.load().operations:
        assert op.body_schema is not None, op.id
        assert op.body_schema["$schema"] == spec.DRAFT7
        assert "$ref" not in json.dumps(op.body_schema)
        assert op.response_schema["properties"]["data"], op.id


def test_inferred_operations_are_labelled_in_openapi(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    labels = {
        op["operationId"]: op["x-fidelity"]
        for item in document["paths"].values()
        for op in item.values()
    }
    assert labels == {op.id: op.fidelity for op in spec.load().operations}
    assert sum(1 for v in labels.values() if v == "inferred") == 95


def test_admin_operations_says_who_serves_each(client: TestClient) -> None:
    listed = client.get("/_admin/operations").json()["data"]["operations"]
    assert len(listed) == 101
    by_id = {o["operationId"]: o for o in listed}
    assert by_id["user.update"]["served_by"] == "domain"
    assert by_id["edm.send.create"]["served_by"] == "domain"
    assert by_id["edm.mailbox_list"]["served_by"] == "engine"
    assert by_id["edm.send.create"]["fidelity"] == "inferred"
    assert by_id["edm.send.create"]["defined_in"] == "schemas/operations.json"
    assert all(o["source"] for o in listed)
