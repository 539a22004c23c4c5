"""The generated tables in README.md and docs/ASSUMPTIONS.md match the catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator import docs, spec

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["README.md", "docs/ASSUMPTIONS.md"])
def test_generated_tables_are_current(name: str) -> None:
    text = (ROOT / name).read_text(encoding="utf-8")
    assert docs.fill(text, spec.load()) == text, "run `make docs`"


def test_readme_lists_every_operation_and_error_code() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    catalogue = spec.load()
    assert all(f"`{op.id}`" in text for op in catalogue.operations)
    assert all(f"| {entry['code']} |" in text for entry in catalogue.errors.values())


def test_readme_starts_with_the_two_commands() -> None:
    first = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:6]
    assert any(line.startswith("make serve") for line in first)
    assert any(line.startswith("make test") for line in first)


def test_docs_command_rewrites_stale_tables(tmp_path: Path) -> None:
    stale = tmp_path / "README.md"
    stale.write_text("x\n<!-- endpoints:start -->\nold\n<!-- endpoints:end -->\n")
    assert docs.update([stale], spec.load()) == [stale]
    assert "`user.update`" in stale.read_text()
    assert docs.update([stale], spec.load()) == []


def test_readme_has_a_fidelity_row_per_operation_naming_what_is_ours() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- fidelity:start -->")[1].split("<!-- fidelity:end -->")[0]
    rows = {row.split("|")[1].strip(): row for row in block.splitlines() if row.startswith("| `")}
    assert set(rows) == {f"`{op.id}`" for op in spec.load().operations}
    status = rows["`activity.user_status.batch_update`"]
    assert "body `$.ems_signinstatus` enum" in status
    assert "--assumed-rules" in status
    assert "batch: at most 100 items, at most 50 custom fields" in rows["`user.update`"]
    assert "body `$.list` maxItems" in rows["`tag.batch_create`"]
