"""Documentation tables (endpoints with fidelity, error codes, webhook events) generated from
the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

from emulator import origins, spec
from emulator.core import served_by
from emulator.ratelimit import describe
from emulator.spec import Catalogue, Operation

MARKER = re.compile(r"(<!-- (\w+):start -->\n).*?(<!-- \2:end -->)", re.S)


def endpoint_table(catalogue: Catalogue) -> str:
    """Markdown: every operation with its method, path, fidelity, server, envelope and limits."""
    rows = [
        "| operationId | name | method | path | fidelity | served by | envelope | rate limit |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for op in catalogue.operations:
        limits = ", ".join(f"{w.max}/{describe(w.per_seconds)}" for w in op.rate_limit) or "-"
        rows.append(
            f"| `{op.id}` | {op.entry['name_zh']} | {op.method} | `{op.path}` | "
            f"{op.fidelity} | {served_by(op)} | {op.envelope.name} | {limits} |"
        )
    return "\n".join(rows) + "\n"


def fidelity_table(catalogue: Catalogue) -> str:
    """Markdown: per operation, the rules a vendor page states, the rules that are ours, and the
    setting that relaxes ours."""
    rows = [
        "| operationId | fidelity | documented | assumed (ours) | relaxed by |",
        "|---|---|---|---|---|",
    ]
    for op in catalogue.operations:
        assumed = [f"{part} `{path}` {kw}" for part, path, kw in origins.assumed_rules(op)]
        relaxed = ["`--assumed-rules warn\\|off`"] if assumed else []
        if op.fidelity != "documented":
            assumed.insert(0, "path, fields and envelope (inferred)")
            relaxed.append("`--schemas-overlay`")
        if op.batch and origins.batch_origin(op) != "documented":
            assumed.append("batch rules")
        rows.append(
            f"| `{op.id}` | {op.fidelity} | {_documented(op)} | {'; '.join(assumed) or '-'} | "
            f"{', '.join(relaxed) or '-'} |"
        )
    return "\n".join(rows) + "\n"


def _documented(op: Operation) -> str:
    """What the operation's vendor page states and the emulator applies exactly."""
    if op.fidelity != "documented":
        return "-"
    stated = ["method, path, envelope; request fields and types"]
    if op.rate_limit:
        stated.append(
            "rate limit " + ", ".join(f"{w.max}/{describe(w.per_seconds)}" for w in op.rate_limit)
        )
    batch = op.batch or {}
    if origins.batch_origin(op) == "documented":
        rules = [f"at most {batch['max_items']} items"] if "max_items" in batch else []
        rules += [f"at most {batch['max_custom_fields']} custom fields"] * (
            "max_custom_fields" in batch
        )
        rules += ["one identity type"] * bool(batch.get("one_identity_type"))
        rules += ["no user twice"] * bool(batch.get("unique_users"))
        stated.append("batch: " + ", ".join(rules))
    return "; ".join(stated)


def error_table(catalogue: Catalogue) -> str:
    """Markdown: every error key with its code, HTTP status and message."""
    rows = ["| code | HTTP | key | message |", "|---|---|---|---|"]
    for key, entry in catalogue.errors.items():
        message = str(entry["message"]).replace("|", "\\|")
        rows.append(f"| {entry['code']} | {entry['status']} | `{key}` | {message} |")
    return "\n".join(rows) + "\n"


def event_table(catalogue: Catalogue) -> str:
    """Markdown: every webhook event with whose code it is, the vendor's page, its category,
    fidelity and the calls that send it."""
    rows = [
        "| event | code by | vendor page | category | fidelity | sent by |",
        "|---|---|---|---|---|---|",
    ]
    for name, entry in spec.events().by_name.items():
        sent_by = _sent_by(entry["trigger"], catalogue)
        if entry.get("back_office"):
            sent_by += "; on demand (back office)"
        pages = ", ".join(entry["vendor_page"]).replace("|", "\\|")
        rows.append(
            f"| `{name}` | {entry['code_origin']} | {pages} | {entry['category']} | "
            f"{entry['fidelity']} | {sent_by} |"
        )
    return "\n".join(rows) + "\n"


def _sent_by(trigger: str | list[str], catalogue: Catalogue) -> str:
    if trigger == spec.ON_DEMAND:
        return "on demand"
    ops = [f"`{op}`" + ("" if op in catalogue.by_id else " (not served yet)") for op in trigger]
    return ", ".join(ops) or "no API call"


def fill(text: str, catalogue: Catalogue) -> str:
    """Replace each <!-- NAME:start --> ... <!-- NAME:end --> block with its current table."""
    tables = {"endpoints": endpoint_table(catalogue), "errors": error_table(catalogue)}
    tables["events"] = event_table(catalogue)
    tables["fidelity"] = fidelity_table(catalogue)
    return MARKER.sub(lambda m: m.group(1) + tables[m.group(2)] + m.group(3), text)


def update(paths: list[Path], catalogue: Catalogue) -> list[Path]:
    """Rewrite the tables in these files; the files that changed."""
    changed = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        filled = fill(text, catalogue)
        if filled != text:
            path.write_text(filled, encoding="utf-8")
            changed.append(path)
    return changed
