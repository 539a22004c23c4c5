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
CODE_ORIGINS = ("vendor", "ours")  # who named the event code: the vendor's page, or we did


@dataclass(frozen=True, slots=True, eq=False)
class EventIndex:
    """The webhook events (schemas/webhooks/events.json) by name, and the CRM events' data."""

    by_name: MappingProxyType[str, Json]
    crm: Json

    def code(self, name: str) -> str:
        """The event_type an event is sent with: its name unless an overlay renamed it."""
        return str(self.by_name[name].get("code", name))

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
def events(root: Path = SCHEMAS_DIR, overlay: Path | None = None) -> EventIndex:
    """The webhook events index, checked once: each entry complete, with its payload schema.

    An overlay's webhooks/events.json changes entries of ours by name (a `code` renames the
    event_type sent); it cannot add an event, which no builder would send.
    """
    loader = Loader(root, overlay)
    index = loader.json(root / "webhooks" / "events.json")
    by_name: dict[str, Json] = {}
    for entry in index.get("events", []):
        where = f"schemas/webhooks/events.json [{entry.get('name', '?')}]"
        _check_event(entry, where, root)
        if entry["name"] in by_name:
            raise CatalogueError(f"{where}: the name repeats")
        by_name[entry["name"]] = entry
    if overlay is not None and (overlay / "webhooks" / "events.json").is_file():
        _merge(by_name, loader, overlay / "webhooks" / "events.json", root)
    return EventIndex(MappingProxyType(by_name), index.get("crm", {}))


def events_with(overlay: str | None) -> EventIndex:
    """The events index with a settings' overlay directory (schemas_overlay) merged in."""
    return events(SCHEMAS_DIR, Path(overlay) if overlay else None)


def _merge(by_name: dict[str, Json], loader: Loader, path: Path, root: Path) -> None:
    for change in loader.json(path).get("events", []):
        where = f"{loader.name(path)} [{change.get('name', '?')}]"
        if change.get("name") not in by_name:
            raise CatalogueError(f"{where}: an overlay renames events of ours, it adds none")
        entry = {**by_name[change["name"]], **change}
        _check_event(entry, where, root)
        by_name[entry["name"]] = entry


def _check_event(entry: Json, where: str, root: Path) -> None:
    missing = [k for k in EVENT_KEYS if k not in entry]
    if missing:
        raise CatalogueError(f"{where}: missing field(s) {', '.join(missing)}")
    if entry["fidelity"] not in EVENT_FIDELITIES:
        known = ", ".join(EVENT_FIDELITIES)
        raise CatalogueError(f"{where}.fidelity: {entry['fidelity']!r} is not one of {known}")
    _check_trigger(entry, where)
    if not isinstance(entry.get("code", ""), str) or entry.get("code_origin") not in CODE_ORIGINS:
        raise CatalogueError(f"{where}: code is text, code_origin one of {CODE_ORIGINS}")
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
