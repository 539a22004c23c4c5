"""Activities: live and meeting activities, their registered users and those users' statuses."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from emulator import events
from emulator.clock import Clock
from emulator.domains import Call, Handlers, without
from emulator.domains.pages import PAGE_FIELDS, page_of
from emulator.envelope import ApiError
from emulator.spec import Json

if TYPE_CHECKING:
    from emulator.engine import Records

ACTIVITY, REGISTRATION = "activity", "activity_user"
STATUS_TIMES = {
    "ems_approvestatus": "ems_approvetimestamp",
    "ems_signinstatus": "ems_signintimestamp",
}
# A registration as the documented status batch answers it; statuses start at "0", times at "".
UNSET = {"ems_approvestatus": "0", "ems_approvetimestamp": "", "ems_signinstatus": "0"}
UNSET["ems_signintimestamp"] = ""
DOCUMENTED = ("target_entity_uuid", "jing_uuid", "omni_user_uuid", *UNSET)


class ActivityStore:
    """Activities (resource `activity`, by entity_uuid) and one `activity_user` record per
    registered user (by jing_uuid), in the tenant's records."""

    def __init__(self, records: Records, clock: Clock) -> None:
        self._records, self._clock = records, clock

    def create(self, fields: Json) -> Json:
        """A new activity; fields may carry its entity_uuid."""
        return dict(self._records.create(ACTIVITY, fields))  # a taken entity_uuid is refused

    def detail(self, entity_uuid: str) -> Json:
        """An activity with the number of its registered users."""
        activity = self._activity(entity_uuid)
        return {**activity, "registered_count": len(self._registered(activity["entity_uuid"]))}

    def activities(self, filters: Json) -> list[Json]:
        """The activities whose fields equal the filters, oldest first, with registration counts."""
        counts = Counter(r["target_entity_uuid"] for r in self._records.find(REGISTRATION))
        rows = self._records.find(ACTIVITY, **filters)
        return [{**row, "registered_count": counts[row["entity_uuid"]]} for row in rows]

    def register(self, entity_uuid: str, omni_user_uuids: list[str]) -> list[Json]:
        """Register users to an activity, with statuses "0" and no times yet (once per user):
        each user's registration."""
        uuid = self._activity(entity_uuid)["entity_uuid"]
        registered = reversed(self._registered(uuid))  # one pass, not one per user
        held = {r["omni_user_uuid"]: r for r in registered}  # a user's first registration
        for user in omni_user_uuids:
            if user not in held:
                fields = {"target_entity_uuid": uuid, "omni_user_uuid": user, **UNSET}
                held[user] = self._records.create(REGISTRATION, fields)
        return [_documented(held[user]) for user in omni_user_uuids]

    def registrations(self, entity_uuid: str) -> list[Json]:
        """The activity's registration records, as the status batch answers them."""
        uuid = self._activity(entity_uuid)["entity_uuid"]
        return [_documented(r) for r in self._registered(uuid)]

    def registered_users(self, entity_uuid: str, filters: Json) -> list[Json]:
        """The activity's registrations matching the filters, with when each was made."""
        uuid = self._activity(entity_uuid)["entity_uuid"]
        rows = [{**UNSET, **r} for r in self._registered(uuid)]
        return [r for r in rows if all(r.get(k) == v for k, v in filters.items())]

    def update_statuses(self, entity_uuid: str, user_ids: list[str], changes: Json) -> list[Json]:
        """Set statuses (a status given without its time gets the current time) of registered
        users; one unregistered user refuses the whole call."""
        uuid = self._activity(entity_uuid)["entity_uuid"]
        registered = {r["omni_user_uuid"]: r for r in self._registered(uuid)}
        records = [_registration(registered, u, i, entity_uuid) for i, u in enumerate(user_ids)]
        update = _with_times(changes, self._clock.text())
        id_field = self._records.resource(REGISTRATION).id_field
        return [
            _documented(self._records.update(REGISTRATION, r[id_field], update)) for r in records
        ]

    def records(self) -> list[Json]:
        """Every activity, oldest first."""
        return [dict(activity) for activity in self._records.find(ACTIVITY)]

    def _activity(self, entity_uuid: str) -> Json:
        found = self._records.lookup(ACTIVITY, entity_uuid.strip())
        if found is None:
            raise ApiError("activity_not_found", entity_uuid=entity_uuid, path="$.entity_uuid")
        return dict(found)

    def _registered(self, entity_uuid: str) -> list[Json]:
        return self._records.find(REGISTRATION, target_entity_uuid=entity_uuid)


def _registration(registered: Json, user_id: str, index: int, entity_uuid: str) -> Json:
    """The registration of one of the call's users, or the error refusing the whole call."""
    found: Json | None = registered.get(user_id.strip())
    if found is None:
        raise ApiError(
            "user_not_registered",
            index=index,
            user_id=user_id,
            entity_uuid=entity_uuid,
            path=f"$.user_ids[{index}]",
        )
    return found


def _documented(record: Json) -> Json:
    """A registration as the documented status batch shows it (statuses default to unset)."""
    full = {**UNSET, **record}
    return {k: full[k] for k in DOCUMENTED if k in full}


def _with_times(changes: Json, now: str) -> Json:
    update = {k: v for k, v in changes.items() if k in STATUS_TIMES or k in STATUS_TIMES.values()}
    for status, stamp in STATUS_TIMES.items():
        if status in update and stamp not in update:
            update[stamp] = now
    return update


def activity_detail(call: Call) -> Json:
    return call.state.activities.detail(call.body["entity_uuid"])


def list_activities(call: Call) -> Json:
    filters = without(call.body, *PAGE_FIELDS)
    return page_of(call.state.activities.activities(filters), call.body)


def registered_users(call: Call) -> Json:
    body = call.body
    filters = without(body, *PAGE_FIELDS, "entity_uuid")
    return page_of(call.state.activities.registered_users(body["entity_uuid"], filters), body)


def update_user_statuses(call: Call) -> list[Json]:
    body = call.body
    before = call.state.activities.registrations(body["entity_uuid"])
    after = call.state.activities.update_statuses(body["entity_uuid"], body["user_ids"], body)
    call.emit_all(events.activity_user_status_changed(before, after))
    return after


HANDLERS: Handlers = {
    "activity.detail": activity_detail,
    "activity.list": list_activities,
    "activity.registered_users": registered_users,
    "activity.user_status.batch_update": update_user_statuses,
}
