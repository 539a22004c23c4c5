"""The overlay an import writes: served statefully, kept beside earlier edits, and the
import-openapi command that writes it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator import cli, engine, spec
from emulator.apidoc import ImportFailure
from emulator.core import Emulator, Request
from emulator.domains.outbox import edm
from emulator.importer import import_file, report, write
from emulator.settings import Settings
from tests.conftest import SETTINGS
from tests.test_importer import APIFOX, DATA, document, imported


class Client:
    """Calls through Emulator.handle with a token of the default app."""

    def __init__(self, catalogue: spec.Catalogue) -> None:
        settings = Settings(seed=7, clock_start=SETTINGS.clock_start, seed_data="none")
        self.emulator = Emulator(settings, catalogue)
        self.headers: dict[str, str] = {}
        secret = {"app_id": settings.app_id, "app_secret": settings.app_secret}
        token = self.call("/v1/oauth2/token", secret)["data"]["access_token"]
        self.headers = {"app_id": settings.app_id, "access_token": token}

    def call(self, path: str, payload: Any, query: str = "") -> Any:
        headers = {"content-type": "application/json", **self.headers}
        raw = json.dumps(payload).encode()
        request = Request("POST", path, query=query, headers=headers, body=raw)
        return self.emulator.handle(request).json()


def test_imported_operations_are_served_statefully(tmp_path: Path) -> None:
    _, catalogue = imported(tmp_path, engine=True)
    client = Client(catalogue)
    task = {"name": "Spring sale", "subject": "Spring is here", "mailbox_uuid": "m1"}
    created = client.call("/v1/edm/task/create", {**task, "content": None})
    assert created["code"] == 0
    send_uuid = created["data"]["send_uuid"]
    found = client.call("/v1/edm/task/search", {"page": 1, "page_size": 10})
    assert found["code"] == 0
    assert found["data"]["total"] == 1
    assert [t["send_uuid"] for t in found["data"]["tasks"]] == [send_uuid]
    assert found["data"]["tasks"][0]["name"] == "Spring sale"
    again = client.call("/v1/edm/task/create", task)
    assert again["data"]["error"] == "duplicate_record"


def test_a_correction_keeps_its_domain_handler_and_rules(tmp_path: Path) -> None:
    _, catalogue = imported(tmp_path)
    client = Client(catalogue)
    assert client.emulator.handlers["edm.send.create"] is edm.create_send
    task = {"name": "Spring sale", "subject": "Spring is here", "mailbox_uuid": "m1"}
    answer = client.call("/v1/edm/task/create", task)  # the e-mail domain checks the mailbox
    assert answer["data"]["error"] == "record_not_found"
    assert answer["msg"] == "No mailbox with uuid m1"


def test_a_body_the_domain_cannot_read_is_refused_by_our_schema(tmp_path: Path) -> None:
    loose = {"type": "array", "items": {"type": "object"}}  # no identities required
    operation = {"summary": "用户批量更新", "responses": {"200": {"description": "ok"}}}
    operation["requestBody"] = {"content": {"application/json": {"schema": loose}}}
    _, catalogue = imported(tmp_path, document(tmp_path, {"/v1/user/update": {"post": operation}}))
    answer = Client(catalogue).call("/v1/user/update", [{"fields": {}}])
    assert answer["data"]["error"] == "invalid_request"
    assert answer["msg"] == "Invalid request body at $[0]: 'identities' is a required property"


def test_engine_hands_a_correction_to_the_generic_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "overlay"
    assert cli.main(["import-openapi", "--engine", str(APIFOX), "--out", str(out)]) == 0
    assert "response data; served by the generic engine (--engine)\n" in capsys.readouterr().out
    catalogue = spec.load(spec.SCHEMAS_DIR, overlay=out)
    assert Client(catalogue).emulator.handlers["edm.send.create"] is engine.serve


def test_the_old_path_no_longer_routes(tmp_path: Path) -> None:
    _, catalogue = imported(tmp_path)
    client = Client(catalogue)
    task = {"name": "a", "subject": "b", "mailbox_uuid": "m1"}
    answer = client.call("/v1/edm/send/create", task)
    assert answer["data"]["error"] == "path_not_found"


def test_imported_body_schema_is_enforced(tmp_path: Path) -> None:
    _, catalogue = imported(tmp_path)
    answer = Client(catalogue).call("/v1/edm/task/create", {"name": "a", "subject": "b"})
    assert answer["data"]["error"] == "invalid_request"
    assert answer["data"]["details"][0]["message"] == "'mailbox_uuid' is a required property"


def test_report_names_what_changed_and_what_is_new(tmp_path: Path) -> None:
    result, _ = imported(tmp_path)
    lines = report(result, tmp_path / "overlay").splitlines()
    out = tmp_path / "overlay"
    assert lines[0] == f"2 operations from apifox_edm.json written to {out}/: 1 corrected, 1 new"
    assert lines[1] == (
        "  corrected edm.send.create (创建发送邮件): path /v1/edm/send/create -> "
        "/v1/edm/task/create; schemas: request body, response data; "
        "served by the EDM Management domain's handler (its rules stay)"
    )
    assert lines[2] == (
        "  new post.v1.edm.task.search (搜索邮件任务): POST /v1/edm/task/search, "
        "resource edm_send, kind query"
    )
    assert lines[-1] == f"Serve it: jing-emulator serve --schemas-overlay {out}"


def test_new_resource_is_served_statefully(tmp_path: Path) -> None:
    _, catalogue = imported(tmp_path, DATA / "coupons.yaml")
    client = Client(catalogue)
    created = client.call("/v1/coupon/create", {"code": "SPRING", "value": 5})
    coupon_uuid = created["data"]["coupon_uuid"]
    found = client.call("/v1/coupon/detail", {"coupon_uuid": coupon_uuid}, "lang=zh&limit=3")
    assert (found["code"], found["data"]["code"]) == ("10000", "SPRING")


def test_an_existing_overlay_keeps_its_other_entries_and_resource_edits(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    (overlay / "resources").mkdir(parents=True)
    mine = {
        "operationId": "edm.send.update",
        "group": "EDM Management",
        "name_en": "Update",
        "method": "POST",
        "fidelity": "assumption",
        "source": "by hand",
        "resource": "edm_send",
        "kind": "update",
    }
    (overlay / "operations.json").write_text(json.dumps({"operations": [mine]}))
    (overlay / "resources" / "coupon.json").write_text('{"type": "object", "x-id": "coupon_uuid"}')
    _, catalogue = imported(tmp_path, DATA / "coupons.yaml")
    assert catalogue.by_id["edm.send.update"].source == "by hand"
    assert "coupon.create" in catalogue.by_id
    assert json.loads((overlay / "resources" / "coupon.json").read_text()) == {
        "type": "object",
        "x-id": "coupon_uuid",
    }


def test_an_unreadable_existing_overlay_is_refused(tmp_path: Path) -> None:
    (tmp_path / "overlay").mkdir()
    (tmp_path / "overlay" / "operations.json").write_text('{"ops": []}')
    with pytest.raises(ImportFailure, match="not an overlay's operations file"):
        write(import_file(APIFOX), tmp_path / "overlay")


def test_an_overlay_that_cannot_be_written_is_refused(tmp_path: Path) -> None:
    (tmp_path / "overlay").write_text("a file")
    with pytest.raises(ImportFailure, match="cannot write the overlay"):
        write(import_file(APIFOX), tmp_path / "overlay")


def test_cli_imports_and_prints_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fixes"
    assert cli.main(["import-openapi", str(APIFOX), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert (
        "corrected edm.send.create (创建发送邮件): path /v1/edm/send/create -> /v1/edm/task/create"
        in printed
    )
    assert "new post.v1.edm.task.search (搜索邮件任务): POST /v1/edm/task/search" in printed
    assert (out / "operations.json").is_file()


def test_cli_writes_to_jing_overlay_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["import-openapi", "--out", "jing-overlay", str(DATA / "coupons.yaml")]) == 0
    assert cli.main(["import-openapi", str(APIFOX)]) == 0
    ids = [
        e["operationId"]
        for e in json.loads((tmp_path / "jing-overlay" / "operations.json").read_text())[
            "operations"
        ]
    ]
    assert ids == [
        "coupon.create",
        "post.v1.coupon.detail",
        "edm.send.create",
        "post.v1.edm.task.search",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{ broken", "neither JSON nor YAML"),
        ('{"swagger": "2.0", "paths": {}}', "not an OpenAPI 3.0 or 3.1 document"),
    ],
)
def test_cli_exits_2_for_a_file_it_cannot_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content)
    assert cli.main(["import-openapi", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"jing-emulator import-openapi: {path}: ")
    assert message in err
    assert not (tmp_path / "o").exists()


def test_cli_exits_1_when_the_overlay_does_not_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overlay = tmp_path / "o"
    overlay.mkdir()
    broken = {"operationId": "x.y", "method": "POST", "path": "/v1/x/y"}
    (overlay / "operations.json").write_text(json.dumps({"operations": [broken]}))
    assert cli.main(["import-openapi", str(APIFOX), "--out", str(overlay)]) == 1
    assert "the overlay does not load: " in capsys.readouterr().err
    assert "x.y" in (overlay / "operations.json").read_text()
