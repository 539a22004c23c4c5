"""The catalogue loader: refs inlined, batch limits applied, clear errors naming file and field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from emulator import spec


def copy_of_schemas(tmp_path: Path) -> Path:
    root = tmp_path / "schemas"
    shutil.copytree(spec.SCHEMAS_DIR, root)
    return root


def edit_operation(root: Path, op_id: str, **changes: Any) -> None:
    path = root / "operations.json"
    catalogue = json.loads(path.read_text())
    for entry in catalogue["operations"]:
        if entry["operationId"] == op_id:
            entry.update(changes)
            for key in [k for k, v in changes.items() if v is None]:
                del entry[key]
    path.write_text(json.dumps(catalogue))


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


def test_operation_ids_match_the_reference_ids() -> None:
    assert {op.id for op in spec.load().operations} == {
        "oauth.get_token",
        "oauth.refresh_token",
        "user.create",
        "user.update",
        "user.query",
        "crowd.static.import_by_uuids",
        "activity.user_status.batch_update",
        "account.create",
    }


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
    ],
)
def test_broken_catalogue_names_file_and_field(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    root = copy_of_schemas(tmp_path)
    edit_operation(root, "user.update", **changes)
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
