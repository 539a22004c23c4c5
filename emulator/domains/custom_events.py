"""Custom events: event definitions with their attributes, and occurrences reported for users."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.domains import Call, Handlers
from emulator.envelope import ApiError
from emulator.spec import Json

if TYPE_CHECKING:
    from emulator.clock import Clock
    from emulator.domains.users import UserStore
    from emulator.engine import Records

TYPES: dict[str, type | tuple[type, ...]] = {"string": str, "boolean": bool, "list": list}


class CustomEventStore:
    """Definitions (`custom_event` records) and occurrences (`custom_event_record` records).

    The store keeps nothing of its own: resetting the records resets it.
    """

    def __init__(self, records: Records, users: UserStore, clock: Clock) -> None:
        self._records, self._users, self._clock = records, users, clock

    def define(self, fields: Json) -> Json:
        """A new event: its name unused, each attribute code declared once."""
        _check_codes(fields.get("attributes", []))
        return self._records.create("custom_event", fields)

    def report(self, fields: Json) -> Json:
        """One occurrence of a defined event for an existing user, with the attributes the
        event declares; it happened now unless event_time says when."""
        event = self._event(fields["event"])
        self._users.require(fields["omni_user_uuid"])
        values = fields.get("attributes", {})
        declared = {a["code"]: a for a in event.get("attributes", [])}
        _check_given(event["name"], declared, values)
        _check_required(event["name"], declared, values)
        occurred = {**fields, "event_time": fields.get("event_time") or self._clock.text()}
        return self._records.create("custom_event_record", occurred)

    def _event(self, name: str) -> Json:
        found = self._records.find("custom_event", name=name)
        if not found:
            raise ApiError("unknown_custom_event", event=name, path="$.event")
        return found[0]


def _check_codes(attributes: list[Json]) -> None:
    seen: set[str] = set()
    for index, attribute in enumerate(attributes):
        code = attribute["code"]
        if code in seen:
            reason = f"attribute {code} is declared twice"
            raise ApiError("unmet_rule", path=f"$.attributes[{index}].code", reason=reason)
        seen.add(code)


def _check_given(event: str, declared: dict[str, Json], values: Json) -> None:
    """Every attribute given is one the event declares, of the declared type (null: not given)."""
    known = ", ".join(declared) or "no attributes"
    for code, value in values.items():
        params: Json = {"event": event, "attribute": code, "path": f"$.attributes.{code}"}
        if code not in declared:
            raise ApiError("undeclared_event_attribute", known=known, **params)
        kind = declared[code].get("type")
        if kind is not None and value is not None and not _fits(value, kind):
            raise ApiError("event_attribute_type", type=kind, value=value, **params)


def _check_required(event: str, declared: dict[str, Json], values: Json) -> None:
    for code, attribute in declared.items():
        if attribute.get("required") and values.get(code) is None:
            raise ApiError(
                "missing_event_attribute", event=event, attribute=code, path=f"$.attributes.{code}"
            )


def _fits(value: Any, kind: str) -> bool:
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, TYPES[kind])


def create_custom_event(call: Call) -> Json:
    return call.state.custom_events.define(call.body)


def report_custom_event(call: Call) -> Json:
    return call.state.custom_events.report(call.body)


HANDLERS: Handlers = {
    "custom_event.create": create_custom_event,
    "custom_event.report": report_custom_event,
}
