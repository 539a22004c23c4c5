"""What a client's test suite exercised of the API: operations, error codes, rate limits and
webhook events, across every emulator of a session; and what it never met."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from contract_tests.traffic import Seen
from emulator import spec
from emulator.spec import Catalogue, Json

# errors.json numbers the admin API's own errors 5xxxx: no API client meets them.
ADMIN_CODES = range(50000, 60000)
EVENTS_INDEX = "webhooks/events.json"


class Exercised:
    """Counts calls per operation, errors met, rate limits reached, events triggered."""

    def __init__(self, catalogue: Catalogue, events: dict[str, list[str]]) -> None:
        self.catalogue = catalogue
        self.events = events  # event -> the operations that emit it
        self.calls: Counter[str] = Counter()
        self.succeeded: set[str] = set()
        self.errors: dict[str, set[str]] = {}
        self.limited: set[str] = set()

    def see(self, seen: Seen) -> None:
        """Count one answered call."""
        name = seen.operation or "(no operation)"
        self.calls[name] += 1
        if seen.success:
            self.succeeded.add(name)
        if seen.error:
            self.errors.setdefault(seen.error, set()).add(name)
        if seen.status == 429 or seen.warned:
            self.limited.add(name)

    def report(self) -> list[str]:
        """The report printed at the end of the session."""
        lines = ["jing-emulator: what the tests exercised of the API"]
        for part in (self._operations, self._errors, self._limits, self._events):
            lines += part()
        return lines

    def _operations(self) -> list[str]:
        ids = list(self.catalogue.by_id)
        called = [f"{i} ({self.calls[i]})" for i in ids if self.calls[i]]
        never = [i for i in ids if not self.calls[i]]
        return [
            f"operations called: {len(called)} of {len(ids)}: {_list(called)}",
            f"  never called: {_list(never)}",
        ]

    def _errors(self) -> list[str]:
        table = {
            k: e for k, e in self.catalogue.errors.items() if int(e["code"]) not in ADMIN_CODES
        }
        met = [
            f"{table[k]['code']} {k} ({', '.join(sorted(self.errors[k]))})"
            for k in table
            if k in self.errors
        ]
        never = [f"{e['code']} {k}" for k, e in table.items() if k not in self.errors]
        return [
            f"error codes met: {len(met)} of {len(table)}: {_list(met)}",
            f"  documented failures never met: {_list(never)}",
        ]

    def _limits(self) -> list[str]:
        limited = [op for op in self.catalogue.operations if op.rate_limit]
        reached = [op.id for op in limited if op.id in self.limited]
        never = [op.id for op in limited if op.id not in self.limited]
        return [
            f"rate limits reached: {len(reached)} of {len(limited)} rate-limited operations: "
            f"{_list(reached)}",
            f"  never over a limit: {_list(never)}",
        ]

    def _events(self) -> list[str]:
        if not self.events:
            return [f"webhook events: no event index ({EVENTS_INDEX}) in the catalogue"]
        emitted = [e for e, ops in self.events.items() if self.succeeded & set(ops)]
        never = [e for e in self.events if e not in emitted]
        return [
            f"webhook events triggered: {len(emitted)} of {len(self.events)}: {_list(emitted)}",
            f"  never triggered: {_list(never)}",
        ]


def _list(items: list[str]) -> str:
    return ", ".join(items) if items else "none"


def events_index(root: Path = spec.SCHEMAS_DIR) -> dict[str, list[str]]:
    """Each webhook event with the operations that emit it, from the event index (if any)."""
    if not (root / EVENTS_INDEX).is_file():
        return {}
    index = spec.schema_file(EVENTS_INDEX, root).get("events", [])
    entries = index.items() if isinstance(index, dict) else ((None, e) for e in index)
    return dict(_event(name, entry) for name, entry in entries if isinstance(entry, dict))


def _event(name: str | None, entry: Json) -> tuple[str, list[str]]:
    """One entry: its name (the key, or name/event) and its trigger operations."""
    event = str(name or entry.get("name") or entry.get("event"))
    trigger: Any = entry.get("trigger", entry.get("triggers", []))
    operations = [trigger] if isinstance(trigger, str) else list(trigger or [])
    return event, [str(op) for op in operations]
