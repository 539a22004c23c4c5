"""Activities: live and meeting activities, their registered users and those users' statuses."""

from __future__ import annotations

from emulator import events
from emulator.clock import Clock, Ids
from emulator.domains import Call, Handlers
from emulator.envelope import ApiError
from emulator.spec import Json

STATUS_TIMES = {
    "ems_approvestatus": "ems_approvetimestamp",
    "ems_signinstatus": "ems_signintimestamp",
}


class ActivityStore:
    """Activities by entity_uuid; one registration record per registered user."""

    def __init__(self, clock: Clock, ids: Ids) -> None:
        self._clock, self._ids = clock, ids
        self._activities: dict[str, Json] = {}
        self._registrations: dict[str, dict[str, Json]] = {}

    def create(self, fields: Json) -> Json:
        """A new activity; fields may carry its entity_uuid."""
        uuid = fields.get("entity_uuid") or self._ids.short()
        activity = {**fields, "entity_uuid": uuid, "created_at": self._clock.text()}
        self._activities[uuid] = activity
        self._registrations[uuid] = {}
        return activity

    def register(self, entity_uuid: str, omni_user_uuid: str, jing_uuid: str | None = None) -> Json:
        """Register a user to an activity, with statuses "0" and no times yet."""
        record = {
            "target_entity_uuid": entity_uuid,
            "jing_uuid": jing_uuid or self._ids.short(),
            "omni_user_uuid": omni_user_uuid,
            "ems_approvestatus": "0",
            "ems_approvetimestamp": "",
            "ems_signinstatus": "0",
            "ems_signintimestamp": "",
        }
        self._registered(entity_uuid)[omni_user_uuid] = record
        return dict(record)

    def registrations(self, entity_uuid: str) -> list[Json]:
        """The activity's registration records."""
        return [dict(r) for r in self._registered(entity_uuid).values()]

    def update_statuses(self, entity_uuid: str, user_ids: list[str], changes: Json) -> list[Json]:
        """Set statuses (a status given without its time gets the current time) of registered
        users; one unregistered user refuses the whole call."""
        registered = self._registered(entity_uuid)
        for index, user_id in enumerate(user_ids):
            if user_id.strip() not in registered:
                raise ApiError(
                    "user_not_registered",
                    index=index,
                    user_id=user_id,
                    entity_uuid=entity_uuid,
                    path=f"$.user_ids[{index}]",
                )
        update = _with_times(changes, self._clock.text())
        records = [registered[u.strip()] for u in user_ids]
        for record in records:
            record.update(update)
        return [dict(r) for r in records]

    def _registered(self, entity_uuid: str) -> dict[str, Json]:
        found = self._registrations.get(entity_uuid.strip())
        if found is None:
            raise ApiError("activity_not_found", entity_uuid=entity_uuid, path="$.entity_uuid")
        return found

    def records(self) -> list[Json]:
        """Every activity, oldest first."""
        return [dict(activity) for activity in self._activities.values()]

    def reset(self) -> None:
        """Forget every activity."""
        self._activities.clear()
        self._registrations.clear()


def _with_times(changes: Json, now: str) -> Json:
    update = {k: v for k, v in changes.items() if k in STATUS_TIMES or k in STATUS_TIMES.values()}
    for status, stamp in STATUS_TIMES.items():
        if status in update and stamp not in update:
            update[stamp] = now
    return update


def update_user_statuses(call: Call) -> list[Json]:
    body = call.body
    before = call.state.activities.registrations(body["entity_uuid"])
    after = call.state.activities.update_statuses(body["entity_uuid"], body["user_ids"], body)
    call.emit_all(events.activity_user_status_changed(before, after))
    return after


HANDLERS: Handlers = {"activity.user_status.batch_update": update_user_statuses}
