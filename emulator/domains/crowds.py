"""Static groups (crowds): groups and their members, imported by omni_user_uuid."""

from __future__ import annotations

from collections.abc import Callable

from emulator.clock import Clock
from emulator.domains import Call, Handlers
from emulator.envelope import ApiError
from emulator.spec import Json

FIRST_GROUP_ID = 20541  # the group id of the vendor's import sample


class CrowdStore:
    """Static groups with integer ids; member counts are always read from the membership."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._groups: dict[int, Json] = {}
        self._members: dict[int, dict[str, None]] = {}

    def create(self, name: str, group_id: int | None = None, description: str = "") -> Json:
        """A new, empty static group."""
        if group_id is None:
            group_id = max(self._groups, default=FIRST_GROUP_ID - 1) + 1
        now = self._clock.text()
        self._groups[group_id] = {
            "group_id": group_id,
            "name": name,
            "description": description,
            "created_at": now,
            "updated_at": now,
        }
        self._members[group_id] = {}
        return self.detail(group_id)

    def detail(self, group_id: int) -> Json:
        """A group with its member count."""
        group = self._groups.get(group_id)
        if group is None:
            raise ApiError("group_not_found", group_id=group_id, path="$.group_id")
        return {**group, "user_count": len(self._members[group_id])}

    def members(self, group_id: int) -> list[str]:
        """The group's omni_user_uuids, in the order they joined."""
        self.detail(group_id)
        return list(self._members[group_id])

    def import_users(
        self, group_id: int, uuids: list[str], exists: Callable[[str], object]
    ) -> Json:
        """Add users; unknown ids and users already in the group (or repeated) count as errors."""
        self.detail(group_id)
        members = self._members[group_id]
        added = [
            u for u in dict.fromkeys(x.strip() for x in uuids) if u not in members and exists(u)
        ]
        members.update(dict.fromkeys(added))
        if added:
            self._groups[group_id]["updated_at"] = self._clock.text()
        return {"success_number": len(added), "error_number": len(uuids) - len(added)}

    def reset(self) -> None:
        """Forget every group."""
        self._groups.clear()
        self._members.clear()


def import_by_uuids(call: Call) -> Json:
    state = call.state
    return state.crowds.import_users(
        call.body["group_id"], call.body["omni_user_uuids"], state.users.get
    )


HANDLERS: Handlers = {"crowd.static.import_by_uuids": import_by_uuids}
