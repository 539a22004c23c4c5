"""Staff and social status: employees, WeChat follows and WeCom friendships of existing users."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from emulator.domains import Call, Handlers, without
from emulator.domains.pages import PAGE_FIELDS, page_of
from emulator.spec import Json

if TYPE_CHECKING:
    from emulator.domains.users import UserStore
    from emulator.engine import Records

EMPLOYEE, FOLLOWER, FRIEND = "employee", "wechat_follower", "wecom_friend"


class SocialStore:
    """Reads the tenant's `employee`, `wechat_follower` and `wecom_friend` records against its
    users: a user's follow and friend status follows its own wechat_openid and external_userid
    identities, whatever records other users' ids carry."""

    def __init__(self, records: Records, users: UserStore) -> None:
        self._records, self._users = records, users

    def employees(self, filters: Json, uuids: list[str] | None) -> tuple[list[Json], list[str]]:
        """The employees matching the filters (and among the ids, if given); ids naming none."""
        if "omni_user_uuid" in filters:
            self._users.require(filters["omni_user_uuid"])
        rows = self._records.find(EMPLOYEE, **filters)
        if uuids is None:
            return rows, []
        wanted = set(uuids)
        missing = [u for u in uuids if self._records.lookup(EMPLOYEE, u) is None]
        return [e for e in rows if e["uuid"] in wanted], missing

    def follow_status(self) -> Callable[[Json], Json]:
        """A reader of users' follow status: each wechat_openid of the user, followed or not."""
        by_openid = _grouped(self._records.find(FOLLOWER), "wechat_openid")

        def status(user: Json) -> Json:
            openids = [_follows(openid, by_openid) for openid in _values(user, "wechat_openid")]
            flags = [row for o in openids for row in o]
            return {"subscribe": _any(flags, "subscribe"), "openids": flags}

        return status

    def friend_status(self) -> Callable[[Json], Json]:
        """A reader of users' WeCom status: each external_userid of the user, with the staff
        members it is a friend of."""
        by_contact = _grouped(self._records.find(FRIEND), "external_userid")
        staff = {e["uuid"]: e for e in self._records.find(EMPLOYEE)}

        def status(user: Json) -> Json:
            contacts = _values(user, "external_userid")
            rows = [_friend(row, staff) for c in contacts for row in _friends(c, by_contact)]
            return {"is_friend": _any(rows, "is_friend"), "friends": rows}

        return status


def _grouped(records: list[Json], key: str) -> dict[Any, list[Json]]:
    grouped: dict[Any, list[Json]] = {}
    for record in records:
        grouped.setdefault(record[key], []).append(record)
    return grouped


def _values(user: Json, kind: str) -> list[str]:
    """The values of a user's identities of one type, each once."""
    return list(dict.fromkeys(i["value"] for i in user["identities"] if i["type"] == kind))


def _follows(openid: str, by_openid: dict[Any, list[Json]]) -> list[Json]:
    """An openid's follow records (one per official account); an openid with none: not following."""
    keep = ("wechat_openid", "wechat_appid", "subscribe", "subscribe_time")
    found = by_openid.get(openid) or [{"wechat_openid": openid, "subscribe": 0}]
    return [{k: row[k] for k in keep if k in row} for row in found]


def _friends(contact: str, by_contact: dict[Any, list[Json]]) -> list[Json]:
    return by_contact.get(contact) or [{"external_userid": contact, "is_friend": 0}]


def _friend(row: Json, staff: dict[str, Json]) -> Json:
    """A friendship as answered: the contact, the staff member (and its WeCom userid), status."""
    keep = ("external_userid", "employee_uuid", "is_friend", "add_time")
    friend = {k: row[k] for k in keep if k in row}
    employee = staff.get(row.get("employee_uuid", ""))
    if employee is not None and "wecom_userid" in employee:
        friend["wecom_userid"] = employee["wecom_userid"]
    return friend


def _any(rows: list[Json], flag: str) -> int:
    return int(any(row.get(flag) == 1 for row in rows))


def _per_user(call: Call, status: Callable[[Json], Json]) -> Json:
    """Each user's status, or that item's failure when no user has the id."""

    def row(index: int, uuid: str) -> Json:
        user = call.state.users.require(uuid, f"$.omni_user_uuids[{index}]")
        return {"omni_user_uuid": user["omni_user_uuid"], **status(user)}

    return call.each(call.body["omni_user_uuids"], row)


def query_employees(call: Call) -> Json:
    filters = without(call.body, *PAGE_FIELDS, "uuids")
    rows, missing = call.state.social.employees(filters, call.body.get("uuids"))
    return {**page_of(rows, call.body), "not_found": missing}


def openid_and_follow_status(call: Call) -> Json:
    return _per_user(call, call.state.social.follow_status())


def friend_status(call: Call) -> Json:
    return _per_user(call, call.state.social.friend_status())


HANDLERS: Handlers = {
    "employee.query": query_employees,
    "wechat.openid_and_follow_status": openid_and_follow_status,
    "wecom.friend_status": friend_status,
}
