"""Seed data: the demo and large datasets, and loading any dataset through the stores' methods."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import jsonschema_rs
import orjson

from emulator import demo as demo_data
from emulator import spec
from emulator.conventions import Resource
from emulator.envelope import ApiError
from emulator.spec import Json
from emulator.tenants import Tenant
from emulator.validation import check_batch_rules, explain, file_validator

DATASET_SCHEMA = "admin/seed_dataset.json"

PARTS = ("users", "groups", "activities", "business_types")
_VALIDATORS: dict[str, tuple[Json, Any]] = {}  # compiled once per resource schema, not per load


def demo(seed: int | None, size: int = 24) -> Json:
    """The demo dataset: Chinese users, groups, activities, business types and resource records."""
    loaded: Json = orjson.loads(_demo_bytes(seed or 0, size))  # a fresh copy, built once
    return loaded


@lru_cache(maxsize=8)
def _demo_bytes(seed: int, size: int) -> bytes:
    """The demo dataset as JSON: every reset seeds it again, and parsing beats building."""
    return orjson.dumps(demo_data.build(seed, size))


def large(size: int, seed: int, progress: Callable[[int], None] | None = None) -> Json:
    """A dataset of `size` users and records in proportion; progress hears the users built."""
    with _collector_paused():
        return demo_data.build(seed, size, progress)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector while building: the dataset has no cycles, and its
    millions of new objects would otherwise trigger full collections (half the build time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Unresolved(Exception):
    """A placeholder that names nothing loaded; its path grows as the error rises."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason, self.steps = reason, list[str]()


class _Refs:
    """The ids loaded so far, which placeholders such as {"$user": 3} stand for."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.ids: dict[str, list[Any]] = {}
        self.records: dict[str, list[Any]] = {}

    def fail(self, where: str, reason: str) -> ApiError:
        """The seed error for a value at a path of the dataset."""
        return ApiError("invalid_seed_data", source=self.source, reason=f"{where}: {reason}")

    def resolve(self, item: Json, where: str) -> Any:
        """The item with every placeholder in it replaced by the id it stands for."""
        try:
            return self._object(item)
        except _Unresolved as exc:
            raise self.fail(where + "".join(reversed(exc.steps)), exc.reason) from None

    def _object(self, value: Json) -> Any:
        if len(value) == 1:
            key, arg = next(iter(value.items()))
            if key.startswith("$"):
                return self._lookup(key, arg)
        out = {}
        for key, item in value.items():
            try:
                out[key] = self._value(item) if isinstance(item, dict | list) else item
            except _Unresolved as exc:
                exc.steps.append(f".{key}")
                raise
        return out

    def _value(self, value: Json | list[Any]) -> Any:
        if isinstance(value, dict):
            return self._object(value)
        out = []
        for index, item in enumerate(value):
            try:
                out.append(self._value(item) if isinstance(item, dict | list) else item)
            except _Unresolved as exc:
                exc.steps.append(f"[{index}]")
                raise
        return out

    def _lookup(self, key: str, arg: Any) -> Any:
        """The id a placeholder stands for."""
        if key == "$record":
            if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
                raise _Unresolved('$record takes [resource, index], e.g. ["employee", 0]')
            resource, arg = arg
            return _pick(self.records.get(resource, []), arg, f"{resource} record")
        if key not in self.ids:
            raise _Unresolved(f"unknown placeholder {key} (known: {', '.join(self.ids)}, $record)")
        return _pick(self.ids[key], arg, key[1:])


def _pick(ids: list[Any], index: Any, what: str) -> Any:
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise _Unresolved(f"the index of a placeholder is an integer >= 0, not {index!r}")
    if index >= len(ids):
        raise _Unresolved(f"no {what} at index {index} (loaded so far: {len(ids)})")
    return ids[index]


def load(tenant: Tenant, dataset: Any, source: str = "dataset") -> Json:
    """Put a dataset into a tenant with the same store methods the API uses; counts loaded."""
    _check(dataset, source)
    refs = _Refs(source)
    refs.ids["$business_type"] = [
        tenant.accounts.add_business_type(b["name"], b.get("id"))["id"]
        for b in dataset.get("business_types", [])
    ]
    refs.ids["$user"] = _load_users(tenant, dataset.get("users", []), source)
    refs.ids["$group"] = [_load_group(tenant, g, refs) for g in dataset.get("groups", [])]
    refs.ids["$activity"] = [_load_activity(tenant, a, refs) for a in dataset.get("activities", [])]
    counts: Json = {part: len(dataset.get(part, [])) for part in PARTS}
    if "records" in dataset:
        counts["records"] = _load_records(tenant, dataset["records"], refs)
    return counts


def _check(dataset: Any, source: str) -> None:
    if not file_validator(DATASET_SCHEMA).is_valid(dataset):
        error = explain("invalid_seed_data", spec.schema_file(DATASET_SCHEMA), dataset)
        reason = f"{error.params['path']}: {error.params['reason']}"
        raise ApiError("invalid_seed_data", error.details, source=source, reason=reason)


def _load_users(tenant: Tenant, items: list[Json], source: str) -> list[str]:
    try:
        check_batch_rules({"unique_users": True}, items)
        accepted, failures = tenant.users.upsert_batch(items)
    except ApiError as exc:
        raise ApiError(
            "invalid_seed_data", source=source, reason=f"{exc.key} at users{exc.params['path'][1:]}"
        ) from None
    if failures:
        raise ApiError("invalid_seed_data", source=source, reason=f"users{failures[0][1:]}")
    return [user["omni_user_uuid"] for user, _ in accepted]


def _load_group(tenant: Tenant, group: Json, refs: _Refs) -> int:
    created = tenant.crowds.create(
        group["name"], group.get("group_id"), group.get("description", "")
    )
    members = _users_named(group.get("members", []), refs)
    tenant.crowds.import_users(created["group_id"], members, tenant.users.get)
    return int(created["group_id"])


def _load_activity(tenant: Tenant, activity: Json, refs: _Refs) -> str:
    fields = {k: v for k, v in activity.items() if k != "registered"}
    created = tenant.activities.create(fields)
    registered = _users_named(activity.get("registered", []), refs)
    tenant.activities.register(created["entity_uuid"], registered)
    return str(created["entity_uuid"])


def _users_named(named: list[int | str], refs: _Refs) -> list[str]:
    """Users by index in the dataset's users, or by omni_user_uuid."""
    uuids = refs.ids["$user"]
    for ref in named:
        if isinstance(ref, int) and ref >= len(uuids):
            raise ApiError(
                "invalid_seed_data", source=refs.source, reason=f"no user at index {ref}"
            )
    return [uuids[ref] if isinstance(ref, int) else ref for ref in named]


def _load_records(tenant: Tenant, parts: Json, refs: _Refs) -> Json:
    """Each resource's records in the order given, checked against the resource's schema."""
    for resource, items in parts.items():
        res = _resource(tenant, resource, refs)
        validator = _validator(resource, res.schema)
        ids = refs.records.setdefault(resource, [])
        for index, item in enumerate(items):
            where = f"records.{resource}[{index}]"
            fields = refs.resolve(item, where)
            if not validator.is_valid(fields):
                error = explain("invalid_seed_data", res.schema, fields)
                raise refs.fail(where + error.params["path"][1:], error.params["reason"])
            ids.append(_create(tenant, resource, fields, refs, where)[res.id_field])
    return {resource: len(items) for resource, items in parts.items()}


def _create(tenant: Tenant, resource: str, fields: Json, refs: _Refs, where: str) -> Json:
    try:
        return tenant.records.create(resource, fields)
    except ApiError as exc:
        raise refs.fail(where + str(exc.params.get("path", "$"))[1:], exc.key) from None


def _resource(tenant: Tenant, resource: str, refs: _Refs) -> Resource:
    try:
        return tenant.records.resource(resource)
    except KeyError:
        raise refs.fail(
            f"records.{resource}", "no operation of the catalogue serves such a resource"
        ) from None


def _validator(resource: str, schema: Json) -> Any:
    """The compiled validator of a resource's schema, kept while the schema is the same."""
    cached = _VALIDATORS.get(resource)
    if cached is None or cached[0] is not schema:
        cached = _VALIDATORS[resource] = (schema, jsonschema_rs.Draft7Validator(schema))
    return cached[1]
