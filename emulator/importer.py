"""jing-emulator import-openapi: an OpenAPI document as an overlay correcting or extending ours."""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator import apidoc, pathnames, spec
from emulator.apidoc import ImportFailure, Source
from emulator.conventions import Json, types
from emulator.settings import Settings
from emulator.spec import Catalogue, Operation

DEFAULT_OUT = "jing-overlay"
PARTS = {"body": "request body", "query": "query", "data": "response data"}
KEYED = ("get", "update", "delete")  # kinds the engine answers by the record id in the body
USABLE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,99}$")
ID_NAME = re.compile(r"(^|_)(uuid|id)$")


@dataclass(slots=True)
class Imported:
    """What one operation of the document became: its overlay entry and schema files."""

    source: Source
    entry: Json
    reference: Operation | None  # ours that it corrects; None for a new operation
    files: dict[str, Json] = field(default_factory=dict)  # body, query, data
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Result:
    """An import planned: its operations, the resources new to us, notes on what was left out."""

    file: Path
    operations: list[Imported]
    resources: dict[str, Json]
    notes: list[str]


def import_file(file: Path, catalogue: Catalogue | None = None, engine: bool = False) -> Result:
    """Read a document and plan its overlay against our catalogue; nothing is written yet.

    A correction keeps the domain handler of ours (only its schemas change); engine=True hands
    each correction to the generic engine instead, where the engine can serve its kind.
    """
    ours = catalogue or spec.load()
    found, notes = apidoc.sources(apidoc.read_document(file), ours)
    if not found:
        raise ImportFailure(f"{file}: the document has no operations to import")
    planner = _Planner(ours, file.name, engine)
    operations, resources = planner.plan(found)
    return Result(file, operations, resources, [*notes, *planner.notes])


class _Planner:
    """Decides which of ours each operation corrects, or what new operation it is."""

    def __init__(self, catalogue: Catalogue, file_name: str, engine: bool = False) -> None:
        self.catalogue, self.file_name, self.engine = catalogue, file_name, engine
        self.names = _name_index(catalogue)
        self.groups = _groups(catalogue)
        self.ids = set(catalogue.by_id)
        self.ours = {op.resource for op in catalogue.operations}
        self.notes: list[str] = []

    def plan(self, found: list[Source]) -> tuple[list[Imported], dict[str, Json]]:
        refs = self._match(found)
        parents = _parents(found, refs, self.catalogue)
        done = [
            self._corrected(source, op) if op else self._new(source, parents)
            for source, op in zip(found, refs, strict=True)
        ]
        return done, self._resources([d for d in done if d.reference is None])

    def _match(self, found: list[Source]) -> list[Operation | None]:
        """By (method, path) first, all of them; then by name among ours still free."""
        refs = [self.catalogue.by_route.get((s.method, s.path)) for s in found]
        taken = {op.id for op in refs if op is not None}
        for index, source in enumerate(found):
            refs[index] = refs[index] or self._by_name(source, taken)
        return refs

    def _by_name(self, source: Source, taken: set[str]) -> Operation | None:
        keys = {k.casefold() for k in (source.summary, source.operation_id) if k}
        ids = sorted({op_id for key in keys for op_id in self.names.get(key, ())})
        if len(ids) != 1 or ids[0] in taken:
            if ids:
                fits = ", ".join(ids)
                self.notes.append(f"{_where(source)} is imported as new: its name fits {fits}")
            return None
        taken.add(ids[0])
        return self.catalogue.by_id[ids[0]]

    def _corrected(self, source: Source, op: Operation) -> Imported:
        entry = {"operationId": op.id, **op.entry, **self._common(source)}
        entry["served_by"] = "engine" if self.engine else "domain"
        done = Imported(source, entry, op)
        moved = [k for k in ("method", "path") if op.entry[k] != entry[k]]
        done.changes = [f"{k} {op.entry[k]} -> {entry[k]}" for k in moved]
        if source.auth and entry["auth"] != "access_token":
            entry["auth"] = "access_token"
            done.changes.append(f"auth {op.entry['auth']} -> access_token")
        self._envelope(done, op.envelope.name)
        data = op.response_schema["properties"]["data"]
        self._files(done, {"body": op.body_schema, "query": op.query_schema, "data": data})
        if "body" in source.schemas:
            self._check_id(done, self._id_field(op.resource))
        return done

    def _new(self, source: Source, parents: dict[str, set[str]]) -> Imported:
        tag = source.tag or "Imported"
        group, group_zh, style = self.groups.get(tag, (tag, tag, None))
        op_id = self._new_id(source)
        entry: Json = {"operationId": op_id, "group": group, "group_zh": group_zh}
        entry["name_en"] = source.summary if source.summary.isascii() and source.summary else op_id
        entry["name_zh"] = source.summary or op_id
        entry.update(self._common(source))
        entry["resource"] = pathnames.resource(source.path, parents)
        entry["kind"] = pathnames.kind(source.method, source.path)
        if style is not None:
            entry["envelope"] = style
        done = Imported(source, entry, None)
        self._envelope(done, style or "the default envelope")
        self._files(done, {"data": {}})
        return done

    def _common(self, source: Source) -> Json:
        named = f" ({source.summary})" if source.summary else ""
        text = f"Imported from {self.file_name}: {source.method} {source.path}{named}"
        if "{" in source.path:
            self.notes.append(
                f"{_where(source)}: the emulator matches paths exactly, {{}} included"
            )
        return {
            "method": source.method,
            "path": source.path,
            "fidelity": "documented",
            "source": text,
        }

    def _envelope(self, done: Imported, current: str) -> None:
        style = done.source.envelope
        if style is not None and style != current:
            done.entry["envelope"] = style
            done.changes.append(f"envelope {current} -> {style}")
        elif done.source.wrapped and style is None:
            done.notes.append(f"its envelope is none of ours; it keeps {current}")

    def _files(self, done: Imported, ours: dict[str, Json | None]) -> None:
        """The document's schemas, ours for the parts it leaves out; none if it gives none."""
        given = done.source.schemas
        if not given:
            return
        for part in PARTS:
            schema = given.get(part, ours.get(part))
            if schema is not None:
                done.files[part] = schema
        op_id = done.entry["operationId"]
        done.entry["request"] = {
            p: _relative(op_id, p) for p in ("body", "query") if p in done.files
        }
        done.entry["response"] = _relative(op_id, "data")
        done.changes.append("schemas: " + ", ".join(n for p, n in PARTS.items() if p in given))

    def _check_id(self, done: Imported, id_field: str | None) -> bool:
        """A keyed operation's body must carry the record's id: made required, or noted missing."""
        body = done.files.get("body")
        if done.entry["kind"] not in KEYED or body is None or id_field is None:
            return True
        if id_field not in body.get("properties", {}):
            resource = done.entry["resource"]
            done.notes.append(f"its body has no {id_field}, the id of {resource} records")
            return False
        if id_field not in body.get("required", []):
            done.files["body"] = {**body, "required": [*body.get("required", []), id_field]}
            done.notes.append(f"{id_field} made required: the engine finds the record by it")
        return True

    def _new_id(self, source: Source) -> str:
        """Its operationId if usable and free, else method + path (post.v1.foo.bar)."""
        derived = pathnames.op_id(source.method, source.path)
        usable = [source.operation_id] if USABLE_ID.match(source.operation_id) else []
        numbered = (f"{derived}.{n}" for n in itertools.count(2))
        found = next(c for c in itertools.chain(usable, [derived], numbered) if c not in self.ids)
        self.ids.add(found)
        return found

    def _id_field(self, resource: str) -> str | None:
        found = self.catalogue.resources.get(resource)
        return None if found is None else found.id_field

    def _resources(self, new: list[Imported]) -> dict[str, Json]:
        """Files for the resources new to us; a keyed operation lacking the id becomes an action."""
        by_name: dict[str, list[Imported]] = {}
        for done in new:
            by_name.setdefault(done.entry["resource"], []).append(done)
        files = {
            name: _resource_file(name, group, self.file_name)
            for name, group in by_name.items()
            if name not in self.ours
        }
        for done in new:
            name = done.entry["resource"]
            id_field = files[name]["x-id"] if name in files else self._id_field(name)
            if not self._check_id(done, id_field):
                done.entry["kind"] = "action"
                done.notes.append("so it is served as an action")
        return files


def _name_index(catalogue: Catalogue) -> dict[str, set[str]]:
    """Our operations by name_zh, name_en and id, case-folded."""
    index: dict[str, set[str]] = {}
    for op in catalogue.operations:
        for name in (op.entry.get("name_zh"), op.entry.get("name_en"), op.id):
            if isinstance(name, str) and name.strip():
                index.setdefault(name.strip().casefold(), set()).add(op.id)
    return index


def _groups(catalogue: Catalogue) -> dict[str, tuple[str, str, str]]:
    """Our groups by either name: (group, group_zh, the envelope most of its operations use)."""
    styles: dict[tuple[str, str], Counter[str]] = {}
    for op in catalogue.operations:
        group = str(op.entry["group"])
        names = (group, str(op.entry.get("group_zh", group)))
        styles.setdefault(names, Counter())[op.envelope.name] += 1
    found: dict[str, tuple[str, str, str]] = {}
    for (group, group_zh), counts in styles.items():
        found[group] = found[group_zh] = (group, group_zh, counts.most_common(1)[0][0])
    return found


def _parents(
    found: list[Source], refs: list[Operation | None], catalogue: Catalogue
) -> dict[str, set[str]]:
    """The resources kept as records, by parent path of their operations, corrections applied.

    Domains that keep their data in records count too (e-mail sends, leads ...): an operation
    added beside theirs reads and writes the same records.
    """
    moved = {op.id: s.path for s, op in zip(found, refs, strict=True) if op is not None}
    parents: dict[str, set[str]] = {}
    for op in catalogue.operations:
        if op.resource in catalogue.resources:
            parents.setdefault(pathnames.parent(moved.get(op.id, op.path)), set()).add(op.resource)
    return parents


def _resource_file(name: str, imports: list[Imported], file_name: str) -> Json:
    """A new resource: the fields its create bodies declare, the id its operations use."""
    id_field, integer = _pick_id(imports)
    creates = [_props(d, "body") for d in imports if d.entry["kind"] in ("create", "action")]
    props = {k: v for body in creates for k, v in body.items() if k != id_field}
    if integer:
        props[id_field] = {"type": "integer", "minimum": 1}
    return {
        "$schema": spec.DRAFT7,
        "title": f"{name}: a resource imported from {file_name}",
        "description": "Fields from the imported create bodies; the engine adds id and times.",
        "type": "object",
        "x-id": id_field,
        "properties": props,
    }


def _pick_id(imports: list[Imported]) -> tuple[str, bool]:
    """The id field keyed operations send, else one a create answers but is not sent."""
    keyed: list[tuple[Json, Json]] = [
        (_props(d, "body"), {}) for d in imports if d.entry["kind"] in KEYED
    ]
    answers = [(_props(d, "data"), _props(d, "body")) for d in imports]
    for props, sent in [*keyed, *answers]:
        name = next((n for n in props if ID_NAME.search(n) and n not in sent), None)
        if name is not None:
            return name, "integer" in types(props[name])
    return "uuid", False


def _props(done: Imported, part: str) -> Json:
    found = done.files.get(part, {}).get("properties", {})
    return found if isinstance(found, dict) else {}


def _relative(op_id: str, part: str) -> str:
    return f"imported/{op_id}.{part}.json"


def _where(source: Source) -> str:
    return f"{source.method} {source.path}"


def write(result: Result, out: Path) -> None:
    """Write the overlay; an operations.json already there keeps its other entries."""
    entries = _existing(out / "operations.json")
    try:
        for done in result.operations:
            entries[done.entry["operationId"]] = done.entry
            for part, schema in done.files.items():
                _dump(out / _relative(done.entry["operationId"], part), _standalone(schema))
        for name, schema in result.resources.items():
            if not (out / "resources" / f"{name}.json").exists():  # edits made there stay
                _dump(out / "resources" / f"{name}.json", schema)
        _dump(out / "operations.json", {"operations": list(entries.values())})
    except OSError as exc:
        raise ImportFailure(f"{out}: cannot write the overlay ({exc})") from None


def _existing(path: Path) -> dict[str, Json]:
    if not path.exists():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["operations"]
        return {str(entry["operationId"]): entry for entry in entries}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ImportFailure(f"{path}: not an overlay's operations file ({exc!r})") from None


def _standalone(schema: Json) -> Json:
    return {"$schema": spec.DRAFT7, **{k: v for k, v in schema.items() if k != "$schema"}}


def _dump(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def report(result: Result, out: Path) -> str:
    """What the import did: a line per operation and its notes, then how to serve the overlay."""
    total = len(result.operations)
    corrected = sum(1 for done in result.operations if done.reference is not None)
    lines = [f"{total} operations from {result.file.name} written to {out}/: "]
    lines[0] += f"{corrected} corrected, {total - corrected} new"
    for done in result.operations:
        lines.append(_line(done))
        lines.extend(f"    note: {note}" for note in done.notes)
    for name, schema in result.resources.items():
        lines.append(f"  new resource {name} (id {schema['x-id']}): resources/{name}.json")
    lines.extend(f"  note: {note}" for note in result.notes)
    lines.append(f"Serve it: jing-emulator serve --schemas-overlay {out}")
    return "\n".join(lines)


def _line(done: Imported) -> str:
    entry = done.entry
    head = f"{entry['operationId']} ({entry.get('name_zh') or entry['name_en']})"
    if done.reference is not None:
        changes = "; ".join(done.changes) or "method and path unchanged"
        return f"  corrected {head}: {changes}; served by {_handler(done)}"
    where = f"{entry['method']} {entry['path']}"
    return f"  new {head}: {where}, resource {entry['resource']}, kind {entry['kind']}"


def _handler(done: Imported) -> str:
    """Who will serve a correction: its domain's handler (rules kept), or the generic engine."""
    from emulator import core

    reference = done.reference
    assert reference is not None
    corrected = dataclasses.replace(reference, entry=done.entry, reshaped=True)
    if core.served_by(corrected) == "domain":
        return f"the {reference.entry['group']} domain's handler (its rules stay)"
    return "the generic engine" + (" (--engine)" if core.served_by(reference) == "domain" else "")


def run(file: Path, out: Path, engine: bool = False) -> int:
    """Import, write, report: 2 if the file cannot be imported, 1 if the overlay does not load."""
    try:
        result = import_file(file, engine=engine)
        write(result, out)
        print(report(result, out))
        spec.load.__wrapped__(spec.SCHEMAS_DIR, out)  # uncached: the files just changed
    except ImportFailure as exc:
        print(f"jing-emulator import-openapi: {exc}", file=sys.stderr)
        return 2
    except spec.CatalogueError as exc:
        print(f"jing-emulator import-openapi: the overlay does not load: {exc}", file=sys.stderr)
        return 1
    return 0


def command(_: Settings, args: argparse.Namespace) -> int:
    """import-openapi FILE [--out DIR]: write the overlay, print the summary; the exit status."""
    return run(Path(args.file), Path(args.out), args.engine)
