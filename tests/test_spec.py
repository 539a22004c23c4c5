"""The catalogue loader: refs inlined, batch limits applied, clear errors naming file and field."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from emulator import spec


def copy_of_schemas(tmp_path: Path) -> Path:
    root = tmp_path / "schemas"
    shutil.copytree(spec.SCHEMAS_DIR, root)
    return root


INDEXES = {"operations.json": ("operations", "operationId"), "events.json": ("events", "name")}


def edit_entry(path: Path, name: str, changes: dict[str, Any]) -> None:
    """Change the named entry of an index (operations, events); a None value removes a field."""
    listed, key = INDEXES[path.name]
    index = json.loads(path.read_text())
    for entry in index[listed]:
        if entry[key] == name:
            entry.update(changes)
            for field in [k for k, v in changes.items() if v is None]:
                del entry[field]
    path.write_text(json.dumps(index))


def test_schemas_are_draft7_with_refs_inlined() -> None:
    op = spec.load().by_id["user.update"]
    assert op.body_schema is not None
    assert op.body_schema["$schema"] == spec.DRAFT7
    assert "$ref" not in json.dumps(op.body_schema)
    assert op.body_schema["items"]["properties"]["identities"]["items"]["properties"]["type"][
        "enum"
    ]


def test_batch_limits_come_from_the_catalogue() -> None:
    body = spec.load().by_id["user.update"].body_schema or {}
    assert body["maxItems"] == 100
    assert body["items"]["properties"]["fields"]["maxProperties"] == 50


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"method": "FETCH"}, r"\[user.update\]\.method: 'FETCH'"),
        ({"path": "v1/x"}, r"\[user.update\]\.path"),
        ({"fidelity": "guessed"}, r"\[user.update\]\.fidelity"),
        ({"envelope": "nope"}, r"\[user.update\]\.envelope: 'nope' is not one of"),
        ({"source": None}, r"\[user.update\]: missing field\(s\) source"),
        ({"response": "user/missing.json"}, r"schema file 'user/missing.json' does not exist"),
        ({"path": "/v1/user/create"}, r"repeats user.create"),
        ({"answer_required": ["timestamp"]}, r"\[user.update\]\.answer_required: only keys"),
    ],
)
def test_broken_catalogue_names_file_and_field(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    root = copy_of_schemas(tmp_path)
    edit_entry(root / "operations.json", "user.update", changes)
    with pytest.raises(spec.CatalogueError, match=message):
        spec.load(root)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"schemas/user/source_data.json"),
        ('{"$ref": "source_data.json"}', r"\$ref cycle"),
        ('{"$ref": "gone.json"}', r"names no file"),
        ("[]", r"expected a JSON object"),
    ],
)
def test_broken_schema_files_are_named(tmp_path: Path, content: str, message: str) -> None:
    root = copy_of_schemas(tmp_path)
    (root / "user" / "source_data.json").write_text(content)
    with pytest.raises(spec.CatalogueError, match=message):
        spec.load(root)


def test_broken_envelope_and_error_table_are_named(tmp_path: Path) -> None:
    root = copy_of_schemas(tmp_path)
    (root / "errors.json").write_text('{"oops": {"code": 1}}')
    with pytest.raises(spec.CatalogueError, match=r"errors.json \[oops\]"):
        spec.load(root)
    (root / "common" / "envelopes" / "code_int_msg.json").write_text('{"properties": {}}')
    with pytest.raises(spec.CatalogueError, match=r"code_int_msg.json: needs code, data"):
        spec.load(root)


WIDGETS = Path(__file__).parent / "data" / "widget_overlay"


def overlay_with(tmp_path: Path, entries: list[dict[str, Any]]) -> Path:
    root = tmp_path / "overlay"
    shutil.copytree(WIDGETS, root)
    (root / "operations.json").write_text(json.dumps({"operations": entries}))
    return root


def test_an_overlay_replaces_ours_by_id_and_adds_its_own() -> None:
    catalogue = spec.load(spec.SCHEMAS_DIR, WIDGETS)
    corrected = catalogue.by_id["edm.send.create"]
    assert corrected.path == "/v1/edm/task/create"
    assert corrected.origin.endswith("widget_overlay/operations.json")
    assert ("POST", "/v1/edm/send/create") not in catalogue.by_route
    assert catalogue.by_id["widget.create"].resource == "widget"
    assert len(catalogue.operations) == 101 + 11
    ours = [op.id for op in catalogue.operations[:101]]
    assert ours == [op.id for op in spec.load().operations]


def test_overlay_schemas_may_refer_to_our_common_pieces() -> None:
    created = spec.load(spec.SCHEMAS_DIR, WIDGETS).by_id["widget.create"].body_schema or {}
    assert created["properties"]["created"]["pattern"].startswith("^[0-9]{4}")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"method": "FETCH"}, "[widget.new].method: 'FETCH' is not one of"),
        ({"resource": "gadget"}, "[widget.new].resource: no schema file resources/gadget.json"),
        ({"kind": "explode"}, "[widget.new].kind: 'explode' is not one of"),
        ({"kind": "batch_upsert"}, "[widget.new].response: kind 'batch_upsert' needs its own"),
        ({"response": "nowhere.json"}, "[widget.new].response: schema file 'nowhere.json'"),
        ({"rate_limit": [{"max": 1}]}, "[widget.new].rate_limit: {'max': 1} needs max and"),
        ({"path": "/v1/user/update"}, "('POST', '/v1/user/update') repeats user.update"),
    ],
)
def test_a_bad_overlay_entry_is_named_by_file_and_field(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    entry = {
        "operationId": "widget.new",
        "group": "Widgets",
        "name_en": "New widget",
        "fidelity": "assumption",
        "source": "test",
        "resource": "widget",
        "kind": "create",
        **change,
    }
    root = overlay_with(tmp_path, [entry])
    with pytest.raises(spec.CatalogueError) as caught:
        spec.load(spec.SCHEMAS_DIR, root)
    assert "overlay/operations.json" in str(caught.value)
    assert message in str(caught.value)


def test_an_overlay_must_be_a_directory_of_operation_lists(tmp_path: Path) -> None:
    with pytest.raises(spec.CatalogueError, match="not a directory"):
        spec.load(spec.SCHEMAS_DIR, tmp_path / "missing")
    root = overlay_with(tmp_path, [])
    (root / "operations.json").write_text(json.dumps({"operations": {"a": 1}}))
    with pytest.raises(spec.CatalogueError, match="operations must be a list of objects"):
        spec.load(spec.SCHEMAS_DIR, root)
    (root / "operations.json").write_text(json.dumps({"operations": [{"group": "x"}]}))
    with pytest.raises(spec.CatalogueError, match=r"\[\?\]: missing field\(s\) operationId"):
        spec.load(spec.SCHEMAS_DIR, root)


def test_catalogue_without_conventions_is_refused(tmp_path: Path) -> None:
    root = copy_of_schemas(tmp_path)
    (root / "conventions.json").unlink()
    with pytest.raises(spec.CatalogueError, match=r"conventions\.json is missing"):
        spec.load(root)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"fidelity": "guessed"}, r"\[pageView\]\.fidelity: 'guessed'"),
        ({"trigger": "sometimes"}, r"\[pageView\]\.trigger: a list of operationIds"),
        ({"trigger": [1]}, r"\[pageView\]\.trigger"),
        ({"source": None}, r"\[pageView\]: missing field\(s\) source"),
        ({"name": "page_view"}, r"no payload schema webhooks/page_view.json"),
        ({"name": "customEvent"}, r"\[customEvent\]: the name repeats"),
    ],
)
def test_broken_events_index_names_the_event_and_field(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    root = copy_of_schemas(tmp_path)
    edit_entry(root / "webhooks" / "events.json", "pageView", changes)
    with pytest.raises(spec.CatalogueError, match=message):
        spec.events(root)


def test_event_schemas_are_draft7_with_refs_inlined() -> None:
    for name in spec.events().by_name:
        schema = spec.event_schema(name)
        jsonschema.Draft7Validator.check_schema(schema)
        assert schema["$schema"] == spec.DRAFT7
        assert "$ref" not in json.dumps(schema)


def test_the_events_index_accounts_for_every_reference_entry_once() -> None:
    index = json.loads((spec.SCHEMAS_DIR / "webhooks" / "events.json").read_text())
    covered = [ref for entry in index["events"] for ref in entry["reference"]] + index["pages"]
    assert len(covered) == len(set(covered)) == 51  # the reference's webhooks.yaml lists 51


def test_on_demand_events_are_those_no_operation_sends() -> None:
    index = spec.events()
    assert index.on_demand()
    assert all(index.by_name[name]["trigger"] == spec.ON_DEMAND for name in index.on_demand())
    sent = [e for e in index.by_name.values() if e["name"] not in index.on_demand()]
    assert all(isinstance(e["trigger"], list) for e in sent)


def _failure_items(node: Any) -> list[Any]:
    """The item schemas of every `failure` array of objects in a schema."""
    found: list[Any] = []
    if isinstance(node, dict):
        failure = node.get("properties", {}).get("failure", {})
        if failure.get("items", {}).get("type") == "object":
            found.append(failure["items"])
        for value in node.values():
            found += _failure_items(value)
    elif isinstance(node, list):
        for value in node:
            found += _failure_items(value)
    return found


def test_every_batch_answer_describes_a_failed_item_with_the_common_piece() -> None:
    common = {
        k: v for k, v in spec.schema_file("common/batch_failure.json").items() if k != "$schema"
    }
    items = [item for op in spec.load().operations for item in _failure_items(op.response_schema)]
    assert len(items) >= 4  # the derived batches, tag removal, scores, follow and friend status
    assert all(item == common for item in items)


def test_the_batch_failure_item_is_written_once() -> None:
    spelled = re.compile(r'"required":\s*\[\s*"index",\s*"code",\s*"msg"\s*\]')
    files = [p for p in spec.SCHEMAS_DIR.rglob("*.json") if spelled.search(p.read_text())]
    assert [p.relative_to(spec.SCHEMAS_DIR).as_posix() for p in files] == [
        "common/batch_failure.json"
    ]
