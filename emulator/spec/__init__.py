"""The catalogue: the sole reader of schemas/ (operations, JSON Schemas, envelopes, errors,
webhook events), with files.py (reading files, refs inlined) and events.py (the events index)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from emulator import conventions
from emulator.conventions import KINDS, Resource
from emulator.conventions import Json as Json  # defined once, there; spec exports it
from emulator.spec.events import ON_DEMAND as ON_DEMAND
from emulator.spec.events import EventIndex as EventIndex
from emulator.spec.events import event_schema as event_schema
from emulator.spec.events import events as events
from emulator.spec.events import events_with as events_with
from emulator.spec.files import DRAFT7 as DRAFT7
from emulator.spec.files import SCHEMAS_DIR as SCHEMAS_DIR
from emulator.spec.files import CatalogueError as CatalogueError
from emulator.spec.files import Loader

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
REQUIRED_KEYS = (
    "operationId",
    "group",
    "name_en",
    "method",
    "path",
    "fidelity",
    "source",
    "envelope",
    "auth",
    "rate_limit",
    "resource",
    "kind",
)
FIDELITIES = ("documented", "inferred", "assumption")


@dataclass(frozen=True, slots=True)
class Window:
    max: int
    per_seconds: int


@dataclass(frozen=True, slots=True)
class Envelope:
    name: str
    keys: tuple[str, ...]
    success_code: str | int
    success_message: str
    schema: Json


@dataclass(frozen=True, slots=True)
class Operation:
    id: str
    method: str
    path: str
    fidelity: str
    source: str
    envelope: Envelope
    auth: bool
    rate_limit: tuple[Window, ...]
    batch: Json | None
    body_schema: Json | None
    query_schema: Json | None
    response_schema: Json
    entry: Json
    resource: str
    kind: str
    origin: str  # the operations file the entry came from
    reshaped: bool = False  # an overlay gave it schemas of its own


@dataclass(frozen=True, slots=True, eq=False)
class Catalogue:
    operations: tuple[Operation, ...]
    by_id: MappingProxyType[str, Operation]
    by_route: MappingProxyType[tuple[str, str], Operation]
    envelopes: MappingProxyType[str, Envelope]
    errors: MappingProxyType[str, Json]
    error_data_schema: Json
    resources: MappingProxyType[str, Resource]

    def methods_at(self, path: str) -> list[str]:
        """The methods the catalogue serves at a path (empty if none)."""
        return sorted(m for (m, p) in self.by_route if p == path)

    def error_schema(self, envelope: Envelope) -> Json:
        """The schema of an error answer in an envelope style."""
        return _with_data(envelope.schema, self.error_data_schema)


@lru_cache(maxsize=8)
def load(root: Path = SCHEMAS_DIR, overlay: Path | None = None) -> Catalogue:
    """Read and check the whole catalogue once; the result is immutable and shared.

    An overlay directory holds files in the same layout: its operations add to ours or replace
    them by operationId, and its schema files win over ours of the same relative path.
    """
    loader = Loader(root, overlay)
    envelopes = {
        p.stem: _envelope(p.stem, loader.schema(p))
        for p in sorted((root / "common" / "envelopes").glob("*.json"))
    }
    build = _Builder(loader, envelopes)
    ops = tuple(build.operation(entry, origin) for entry, origin in _entries(loader))
    _check_unique(ops)
    return Catalogue(
        operations=ops,
        by_id=MappingProxyType({op.id: op for op in ops}),
        by_route=MappingProxyType({(op.method, op.path): op for op in ops}),
        envelopes=MappingProxyType(envelopes),
        errors=MappingProxyType(_errors(loader.json(root / "errors.json"))),
        error_data_schema=loader.schema(root / "common" / "error_data.json"),
        resources=MappingProxyType(build.resources),
    )


def _entries(loader: Loader) -> list[tuple[Json, Path]]:
    """Our entries in order, each replaced in place by the overlay entry of its id; new last."""
    base = loader.root / "operations.json"
    merged = {e.get("operationId"): (e, base) for e in _operation_list(loader, base)}
    if loader.overlay is not None and (loader.overlay / "operations.json").is_file():
        extra = loader.overlay / "operations.json"
        merged.update({e.get("operationId"): (e, extra) for e in _operation_list(loader, extra)})
    return list(merged.values())


def _operation_list(loader: Loader, path: Path) -> list[Json]:
    entries = loader.json(path).get("operations")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CatalogueError(f"{loader.name(path)}: operations must be a list of objects")
    return entries


def _envelope(name: str, schema: Json) -> Envelope:
    success = schema.get("x-success") or {}
    keys = tuple(schema.get("properties", {}))
    if "code" not in keys or "data" not in keys or "code" not in success:
        raise CatalogueError(f"schemas/common/envelopes/{name}.json: needs code, data, x-success")
    return Envelope(name, keys, success["code"], str(success.get("message", "success")), schema)


class _Builder:
    """Turns catalogue entries into operations, completing compact ones by the conventions."""

    def __init__(self, loader: Loader, envelopes: dict[str, Envelope]) -> None:
        self.loader, self.envelopes = loader, envelopes
        found = loader.find("conventions.json")
        if found is None:
            raise CatalogueError(f"{loader.name(loader.root)}: conventions.json is missing")
        self.conventions = loader.json(found)
        self.resources: dict[str, Resource] = {}
        self.parts = {
            name: loader.schema(loader.root / "common" / f"{name}.json")
            for name in ("page_request", "page_data", "batch_data", "record_meta")
        }

    def operation(self, raw: Json, origin: Path) -> Operation:
        where = f"{self.loader.name(origin)} [{raw.get('operationId', '?')}]"
        if not isinstance(raw.get("operationId"), str):
            raise CatalogueError(f"{where}: missing field(s) operationId")
        entry = conventions.complete(raw, self.conventions)
        _check_entry(entry, where, self.envelopes)
        body, data, query = self._schemas(entry, where)
        envelope = self.envelopes[entry["envelope"]]
        return Operation(
            id=entry["operationId"],
            method=entry["method"],
            path=entry["path"],
            fidelity=entry["fidelity"],
            source=entry["source"],
            envelope=envelope,
            auth=entry["auth"] != "none",
            batch=entry.get("batch"),
            rate_limit=tuple(_window(w, where) for w in entry["rate_limit"]),
            body_schema=body,
            query_schema=query,
            response_schema=_with_data(envelope.schema, data, entry.get("answer_required", ())),
            entry=entry,
            resource=entry["resource"],
            kind=entry["kind"],
            origin=self.loader.name(origin),
            reshaped=origin != self.loader.root / "operations.json"
            and bool({"request", "response"} & set(raw)),
        )

    def _schemas(self, entry: Json, where: str) -> tuple[Json | None, Json, Json | None]:
        """Body, data and query schemas: the entry's own files, or derived from its resource."""
        request = entry.get("request") or {}
        query = self._part(request.get("query"), f"{where}.request.query")
        if "response" in entry:
            if entry["kind"] in conventions.ENGINE_KINDS:
                self.resource(entry["resource"], where, required=False)
            body = self._part(request.get("body"), f"{where}.request.body")
            if body is not None and entry.get("batch"):
                body = _apply_batch_limits(body, entry["batch"])
            return body, self._part(entry["response"], f"{where}.response") or {}, query
        if entry["kind"] not in conventions.ENGINE_KINDS:
            raise CatalogueError(f"{where}.response: kind {entry['kind']!r} needs its own schemas")
        batch = entry.get("batch") or self.conventions.get("batch") or {}
        body, data = conventions.derive(
            entry["kind"], self.resource(entry["resource"], where), self.parts, batch
        )
        return {"$schema": DRAFT7, **body}, data, query

    def resource(self, name: str, where: str, required: bool = True) -> Resource:
        """The resource of that name, from resources/<name>.json (the overlay's first).

        An operation with schemas of its own may name a resource without a file: the engine
        then stores its records with `uuid` ids.
        """
        if name not in self.resources:
            path = self.loader.find(f"resources/{name}.json")
            default = self.conventions.get("defaults", {}).get("id_field", "uuid")
            if path is None and required:
                raise CatalogueError(f"{where}.resource: no schema file resources/{name}.json")
            schema = self.loader.schema(path) if path else {}
            self.resources[name] = conventions.resource(name, schema, default)
        return self.resources[name]

    def _part(self, relative: str | None, where: str) -> Json | None:
        if relative is None:
            return None
        path = self.loader.find(relative)
        if path is None:
            raise CatalogueError(f"{where}: schema file {relative!r} does not exist")
        return self.loader.schema(path)


def _window(window: Any, where: str) -> Window:
    try:
        return Window(int(window["max"]), int(window["per_seconds"]))
    except (TypeError, KeyError, ValueError):
        raise CatalogueError(f"{where}.rate_limit: {window!r} needs max and per_seconds") from None


def _check_entry(entry: Json, where: str, envelopes: dict[str, Envelope]) -> None:
    missing = [k for k in REQUIRED_KEYS if k not in entry]
    if missing:
        raise CatalogueError(f"{where}: missing field(s) {', '.join(missing)}")
    if entry["method"] not in METHODS:
        raise CatalogueError(f"{where}.method: {entry['method']!r} is not one of {METHODS}")
    if not str(entry["path"]).startswith("/"):
        raise CatalogueError(f"{where}.path: {entry['path']!r} must start with /")
    if entry["fidelity"] not in FIDELITIES:
        raise CatalogueError(f"{where}.fidelity: {entry['fidelity']!r} is not one of {FIDELITIES}")
    if entry["envelope"] not in envelopes:
        known = ", ".join(sorted(envelopes))
        raise CatalogueError(f"{where}.envelope: {entry['envelope']!r} is not one of {known}")
    if entry["kind"] not in KINDS:
        raise CatalogueError(f"{where}.kind: {entry['kind']!r} is not one of {KINDS}")
    keys = envelopes[entry["envelope"]].keys
    if not set(entry.get("answer_required", ())) <= set(keys):
        raise CatalogueError(f"{where}.answer_required: only keys of its envelope ({keys})")


def _apply_batch_limits(body: Json, batch: Json) -> Json:
    """The catalogue's batch limits become schema limits, so they are stated once."""
    items = dict(body.get("items", {}))
    props = dict(items.get("properties", {}))
    if "max_custom_fields" in batch and "fields" in props:
        props["fields"] = {**props["fields"], "maxProperties": batch["max_custom_fields"]}
    items["properties"] = props
    limited = {**body, "items": items}
    if "max_items" in batch:
        limited["maxItems"] = batch["max_items"]
    return limited


def _with_data(envelope_schema: Json, data: Json, required: Iterable[str] = ()) -> Json:
    """An answer's schema: the envelope's, its data's, and the envelope keys an operation's page
    marks required besides the style's own (answer_required)."""
    schema = {k: v for k, v in envelope_schema.items() if not k.startswith("x-")}
    data = {k: v for k, v in data.items() if k != "$schema"}
    wanted = list(dict.fromkeys([*schema.get("required", []), *required]))
    return {**schema, "required": wanted, "properties": {**schema["properties"], "data": data}}


def _errors(table: Json) -> dict[str, Json]:
    errors = {k: v for k, v in table.items() if not k.startswith("$")}
    for key, entry in errors.items():
        if not {"code", "status", "message"} <= set(entry):
            raise CatalogueError(f"schemas/errors.json [{key}]: needs code, status and message")
    return errors


def _check_unique(ops: tuple[Operation, ...]) -> None:
    seen: dict[object, str] = {}
    for op in ops:
        for key in (op.id, (op.method, op.path)):
            if key in seen:
                raise CatalogueError(f"{op.origin} [{op.id}]: {key} repeats {seen[key]}")
            seen[key] = op.id


@lru_cache(maxsize=32)
def schema_file(relative: str, root: Path = SCHEMAS_DIR) -> Json:
    """One schema file under schemas/ (e.g. admin/seed_dataset.json), refs inlined."""
    return Loader(root).schema(root / relative)
