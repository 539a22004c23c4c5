"""The webhook events index (schemas/webhooks/events.json) and each event's payload schema."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from emulator.conventions import Json
from emulator.spec.files import SCHEMAS_DIR, CatalogueError, Loader

EVENT_KEYS = ("name", "category", "fidelity", "reference", "trigger", "source")
EVENT_FIDELITIES = ("documented", "inferred")
ON_DEMAND = "on_demand"


@dataclass(frozen=True, slots=True, eq=False)
class EventIndex:
    """The webhook events (schemas/webhooks/events.json) by name, and the CRM events' data."""

    by_name: MappingProxyType[str, Json]
    crm: Json

    def on_demand(self) -> list[str]:
        """The events no API call emits, sent on request (admin trigger, CLI)."""
        return [name for name, entry in self.by_name.items() if entry["trigger"] == ON_DEMAND]

    def triggerable(self) -> list[str]:
        """The events sent on request: the on-demand ones and those that follow an action of the
        vendor's back office (back_office), whatever operations also send them."""
        return [
            name
            for name, entry in self.by_name.items()
            if entry["trigger"] == ON_DEMAND or entry.get("back_office") is True
        ]


@lru_cache(maxsize=8)
def events(root: Path = SCHEMAS_DIR) -> EventIndex:
    """The webhook events index, checked once: each entry complete, with its payload schema."""
    index = Loader(root).json(root / "webhooks" / "events.json")
    by_name: dict[str, Json] = {}
    for entry in index.get("events", []):
        where = f"schemas/webhooks/events.json [{entry.get('name', '?')}]"
        _check_event(entry, where, root)
        if entry["name"] in by_name:
            raise CatalogueError(f"{where}: the name repeats")
        by_name[entry["name"]] = entry
    return EventIndex(MappingProxyType(by_name), index.get("crm", {}))


def _check_event(entry: Json, where: str, root: Path) -> None:
    missing = [k for k in EVENT_KEYS if k not in entry]
    if missing:
        raise CatalogueError(f"{where}: missing field(s) {', '.join(missing)}")
    if entry["fidelity"] not in EVENT_FIDELITIES:
        known = ", ".join(EVENT_FIDELITIES)
        raise CatalogueError(f"{where}.fidelity: {entry['fidelity']!r} is not one of {known}")
    _check_trigger(entry, where)
    if not (root / "webhooks" / f"{entry['name']}.json").is_file():
        raise CatalogueError(f"{where}: no payload schema webhooks/{entry['name']}.json")


def _check_trigger(entry: Json, where: str) -> None:
    trigger = entry["trigger"]
    if trigger != ON_DEMAND and not (
        isinstance(trigger, list) and all(isinstance(t, str) for t in trigger)
    ):
        raise CatalogueError(f"{where}.trigger: a list of operationIds or {ON_DEMAND!r}")
    if not isinstance(entry.get("back_office", False), bool):
        raise CatalogueError(f"{where}.back_office: true or false")


@lru_cache(maxsize=128)
def event_schema(name: str, root: Path = SCHEMAS_DIR) -> Json:
    """The draft-07 payload schema of one webhook event (webhooks/NAME.json), refs inlined."""
    return Loader(root).schema(root / "webhooks" / f"{name}.json")
