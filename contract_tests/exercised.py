"""What a client's test suite exercised of the API: operations, error codes, rate limits and
webhook events, across every emulator of a session; and what it never met."""

from __future__ import annotations

from collections import Counter

from contract_tests.traffic import Seen
from emulator import spec
from emulator.spec import Catalogue

# errors.json numbers the admin API's own errors 5xxxx: no API client meets them.
ADMIN_CODES = range(50000, 60000)
EVENTS_INDEX = "webhooks/events.json"
WIDTH = 100
INDENT = "      "
Line = tuple[str, list[str] | None]  # a heading and its items


class Exercised:
    """Counts calls per operation, errors met, rate limits reached, events triggered."""

    def __init__(self, catalogue: Catalogue, events: dict[str, list[str]]) -> None:
        self.catalogue = catalogue
        self.events = events  # event -> the operations that emit it
        self.calls: Counter[str] = Counter()
        self.succeeded: set[str] = set()
        self.errors: dict[str, set[str]] = {}
        self.limited: set[str] = set()
        self.successes: Counter[str] = Counter()
        self.refusals: Counter[str] = Counter()  # answers naming an error

    def see(self, seen: Seen) -> None:
        """Count one answered call."""
        name = seen.operation or "(no operation)"
        self.calls[name] += 1
        if seen.success:
            self.succeeded.add(name)
            self.successes[name] += 1
        if seen.error:
            self.errors.setdefault(seen.error, set()).add(name)
            self.refusals[name] += 1
        if seen.status == 429 or seen.warned:
            self.limited.add(name)

    def report(self) -> list[str]:
        """The report printed at the end of the session, wrapped between items."""
        lines = ["jing-emulator: what the tests exercised of the API"]
        for part in (self._operations, self._answers, self._errors, self._limits, self._events):
            lines += [line for head, items in part() for line in wrapped(head, items)]
        return lines

    def _operations(self) -> list[Line]:
        ids = list(self.catalogue.by_id)
        called = [f"{i} ({self.calls[i]})" for i in ids if self.calls[i]]
        never = [i for i in ids if not self.calls[i]]
        return [
            (f"operations called: {len(called)} of {len(ids)}:", called),
            ("  never called:", never),
        ]

    def _answers(self) -> list[Line]:
        called = [i for i in self.catalogue.by_id if self.calls[i]]
        ok, refused = self.successes.total(), self.refusals.total()
        head = f"answers: {ok} successes, {refused} error envelopes, of {self.calls.total()} calls"
        return [
            (head, None),
            ("  successes/errors per operation:", [self._split(i) for i in called]),
            ("  called, never a success:", [i for i in called if not self.successes[i]]),
        ]

    def _split(self, op_id: str) -> str:
        return f"{op_id} ({self.successes[op_id]}/{self.refusals[op_id]})"

    def _errors(self) -> list[Line]:
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
            (f"error codes met: {len(met)} of {len(table)}:", met),
            ("  documented failures never met:", never),
        ]

    def _limits(self) -> list[Line]:
        limited = [op for op in self.catalogue.operations if op.rate_limit]
        reached = [op.id for op in limited if op.id in self.limited]
        never = [op.id for op in limited if op.id not in self.limited]
        return [
            (
                f"rate limits reached: {len(reached)} of {len(limited)} rate-limited operations:",
                reached,
            ),
            ("  never over a limit:", never),
        ]

    def _events(self) -> list[Line]:
        if not self.events:
            return [(f"webhook events: no event index ({EVENTS_INDEX}) in the catalogue", None)]
        emitted = [e for e, ops in self.events.items() if self.succeeded & set(ops)]
        never = [e for e in self.events if e not in emitted]
        return [
            (f"webhook events triggered: {len(emitted)} of {len(self.events)}:", emitted),
            ("  never triggered:", never),
        ]


def wrapped(head: str, items: list[str] | None) -> list[str]:
    """A heading and its items (None: the heading alone), lines broken between items only."""
    if items is None:
        return [head]
    lines, current = [], head
    for number, item in enumerate(items or ["none"]):
        piece = item + ("," if number < len(items) - 1 else "")
        if len(current) + 1 + len(piece) > WIDTH and current != head:
            lines.append(current)
            current = INDENT[:-1]  # the space before the piece completes the indent
        current += " " + piece
    return [*lines, current]


def events_index() -> dict[str, list[str]]:
    """Each webhook event with the operations that emit it (none for those sent on demand)."""
    return {
        name: [] if entry["trigger"] == spec.ON_DEMAND else list(entry["trigger"])
        for name, entry in spec.events().by_name.items()
    }
