"""Static groups (crowds): groups and their members, as records of `crowd` and `crowd_user`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from emulator.domains import Call, Handlers, without
from emulator.domains.pages import PAGE_FIELDS, page_of
from emulator.envelope import ApiError
from emulator.spec import Json

if TYPE_CHECKING:
    from emulator.engine import Records

GROUP, MEMBER = "crowd", "crowd_user"
FIRST_GROUP_ID = 20541  # the group id of the vendor's import sample


class CrowdStore:
    """Static groups (resource `crowd`, integer group_id) and one `crowd_user` record per member,
    in the tenant's records; member counts are always counted from those records."""

    def __init__(self, records: Records) -> None:
        self._records = records

    def create(self, name: str, group_id: int | None = None, description: str = "") -> Json:
        """A new, empty static group: the next id after the highest, the first 20541."""
        if group_id is None:
            ids = (g["group_id"] for g in self._records.find(GROUP))
            group_id = max(ids, default=FIRST_GROUP_ID - 1) + 1
        fields = {"group_id": group_id, "name": name, "description": description}
        return self.detail(self._records.create(GROUP, fields)["group_id"])

    def detail(self, group_id: int) -> Json:
        """A group with its member count."""
        group = self._group(group_id)
        return {**group, "user_count": len(self._memberships(group_id))}

    def groups(self, filters: Json) -> list[Json]:
        """The groups whose fields equal the filters, oldest first, each with its member count."""
        counts = Counter(m["group_id"] for m in self._records.find(MEMBER))
        rows = self._records.find(GROUP, **filters)
        return [{**group, "user_count": counts[group["group_id"]]} for group in rows]

    def update(self, group_id: int, fields: Json) -> Json:
        """Rename or describe a group; its members stay."""
        self._group(group_id)
        self._records.update(GROUP, group_id, fields)
        return self.detail(group_id)

    def delete(self, group_id: int) -> Json:
        """Remove a group and its memberships; the users themselves stay."""
        self._group(group_id)
        id_field = self._records.resource(MEMBER).id_field
        for membership in self._memberships(group_id):
            self._records.delete(MEMBER, membership[id_field])
        self._records.delete(GROUP, group_id)
        return {"group_id": group_id}

    def members(self, group_id: int) -> list[str]:
        """The group's omni_user_uuids, in the order they joined."""
        self._group(group_id)
        return [m["omni_user_uuid"] for m in self._memberships(group_id)]

    def memberships(self, group_id: int) -> list[Json]:
        """The group's membership records (when each user joined), in the order they joined."""
        self._group(group_id)
        return [dict(m) for m in self._memberships(group_id)]

    def import_users(
        self, group_id: int, uuids: list[str], exists: Callable[[str], object]
    ) -> Json:
        """Add users; unknown ids and users already in the group (or repeated) count as errors."""
        self._group(group_id)
        present = {m["omni_user_uuid"] for m in self._memberships(group_id)}
        wanted = dict.fromkeys(x.strip() for x in uuids)
        added = [u for u in wanted if u not in present and exists(u)]
        for uuid in added:
            self._records.create(MEMBER, {"group_id": group_id, "omni_user_uuid": uuid})
        if added:
            self._records.update(GROUP, group_id, {})
        return {"success_number": len(added), "error_number": len(uuids) - len(added)}

    def _group(self, group_id: Any) -> Json:
        group = self._records.lookup(GROUP, group_id)
        if group is None:
            raise ApiError("group_not_found", group_id=group_id, path="$.group_id")
        return dict(group)

    def _memberships(self, group_id: int) -> list[Json]:
        return self._records.find(MEMBER, group_id=group_id)


def create_group(call: Call) -> Json:
    body = call.body
    return call.state.crowds.create(body["name"], description=body.get("description", ""))


def update_group(call: Call) -> Json:
    return call.state.crowds.update(call.body["group_id"], without(call.body, "group_id"))


def delete_group(call: Call) -> Json:
    return call.state.crowds.delete(call.body["group_id"])


def group_detail(call: Call) -> Json:
    return call.state.crowds.detail(call.body["group_id"])


def list_groups(call: Call) -> Json:
    return page_of(call.state.crowds.groups(without(call.body, *PAGE_FIELDS)), call.body)


def group_users(call: Call) -> Json:
    return page_of(call.state.crowds.memberships(call.body["group_id"]), call.body)


def import_by_uuids(call: Call) -> Json:
    state = call.state
    return state.crowds.import_users(
        call.body["group_id"], call.body["omni_user_uuids"], state.users.get
    )


HANDLERS: Handlers = {
    "crowd.static.create": create_group,
    "crowd.static.update": update_group,
    "crowd.static.delete": delete_group,
    "crowd.static.detail": group_detail,
    "crowd.static.list": list_groups,
    "crowd.static.users": group_users,
    "crowd.static.import_by_uuids": import_by_uuids,
}
