"""Users: batch upsert by identity, query, list, and the identity index behind them."""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import partial
from sys import intern
from typing import Any

from emulator import events
from emulator.clock import Clock, Ids
from emulator.domains import Call, Handlers
from emulator.domains.pages import page_of
from emulator.envelope import ApiError
from emulator.spec import Json

MERGED = ("fields_source", "source_data", "leads_info")
RANGES = (  # list filter -> the user's time it bounds, inclusive
    ("created_at_from", "created_at", operator.ge),
    ("created_at_to", "created_at", operator.le),
    ("updated_at_from", "updated_at", operator.ge),
    ("updated_at_to", "updated_at", operator.le),
)
_ABSENT = object()
OMNI = "omni_user_uuid"
THIRDPARTY = "thirdparty_channel"
_NONE: dict[str, Json] = {}

# What upserting one item will do: update this user (None: create one), or fail with a reason;
# and whether all its identities are indexed already (found when planned).
Plan = tuple[Json | None, str | None, bool]


class UserStore:
    """Users as the API returns them, indexed by every identity they carry.

    The index is one dict per identity type, from the identity's value (third-party ids: their
    channel and value) straight to the user record: a lookup touches no other table.
    """

    def __init__(self, clock: Clock, ids: Ids) -> None:
        self._clock, self._ids = clock, ids
        self._users: dict[str, Json] = {}
        self._index: dict[str, dict[str, Json]] = {}

    def get(self, omni_user_uuid: str) -> Json | None:
        """The user with this id, or None."""
        return self._users.get(omni_user_uuid.strip())

    def require(self, omni_user_uuid: str, path: str = "$.omni_user_uuid") -> Json:
        """The user with this id, or the not-found error naming the path that gave the id."""
        found = self.get(omni_user_uuid)
        if found is None:
            raise ApiError("user_not_found", omni_user_uuid=omni_user_uuid, path=path)
        return found

    def find(self, identity: Json) -> Json | None:
        """The user carrying this identity, or None."""
        kind = identity["type"]
        if kind == OMNI:
            return self.get(identity["value"])
        return self._index.get(kind, _NONE).get(lookup_key(identity))

    def select(self, keep: Callable[[Json], bool]) -> list[Json]:
        """The users a test keeps, oldest first."""
        return [user for user in self._users.values() if keep(user)]

    def upsert_batch(self, items: list[Json]) -> tuple[list[tuple[Json, Json]], list[str]]:
        """Create or update each user; the accepted (record, item) pairs and the failures."""
        plans = self._plan(items)
        now = self._clock.text()  # one call, one instant
        accepted, failures = [], []
        for item, (user, failure, known) in zip(items, plans, strict=True):
            if failure is not None:
                failures.append(failure)
            else:
                accepted.append((self._apply(item, user, now, known), item))
        return accepted, failures

    def _plan(self, items: list[Json]) -> list[Plan]:
        """Resolve every item before changing anything; two items naming one stored user
        break the batch rule, even by different identities."""
        plans: list[Plan] = []
        first: dict[str, int] = {}
        for index, item in enumerate(items):
            plan = self._resolve(index, item)
            if plan[0] is not None:
                uuid = plan[0][OMNI]
                if first.setdefault(uuid, index) != index:
                    raise _same_user(first[uuid], index, uuid)
            plans.append(plan)
        return plans

    def _resolve(self, index: int, item: Json) -> Plan:
        """The stored user an item names (None: a new user), or why it cannot be stored; and
        whether every identity it carries is already indexed (then none needs adding)."""
        user, known, index_of = None, True, self._index
        for identity in item["identities"]:  # the common case, one dict lookup per identity
            kind = identity["type"]
            if kind in (OMNI, THIRDPARTY):
                return self._resolve_fully(index, item)
            found = index_of.get(kind, _NONE).get(identity["value"].strip())
            if found is None:
                known = False
            elif user is None:
                user = found
            elif found is not user:
                return self._resolve_fully(index, item)
        return user, None, known

    def _resolve_fully(self, index: int, item: Json) -> Plan:
        """_resolve for items with ids, third-party identities, or identities of two users."""
        matched: list[Json] = []
        others = any(identity["type"] != OMNI for identity in item["identities"])
        for position, identity in enumerate(item["identities"]):
            found, problem = self._lookup(identity, lenient=others)
            if problem is not None:
                return None, f"$[{index}].identities[{position}].{problem}", False
            if found is not None and found not in matched:  # a user equals only itself
                matched.append(found)
        if len(matched) > 1:
            return None, _different_users(index, matched), False
        return (matched[0] if matched else None), None, False

    def _lookup(self, identity: Json, lenient: bool) -> tuple[Json | None, str | None]:
        """The user an id or third-party identity finds, or the problem (path suffix, reason);
        lenient: an id of no user is no problem (the item's other identities name the user)."""
        if identity["type"] == THIRDPARTY and not identity.get("channel_uuid"):
            return None, "channel_uuid: required when type is thirdparty_channel"
        found = self.find(identity)
        if found is None and identity["type"] == OMNI and not lenient:
            return None, f"value: no user has omni_user_uuid {identity['value'].strip()}"
        return found, None

    def _apply(self, item: Json, user: Json | None, now: str, known: bool) -> Json:
        if user is None:
            user = self._new_user(now)
        if not known:
            added = [self._index_identity(user, i) for i in item["identities"] if i["type"] != OMNI]
            # a new list of exactly the right size: appending would over-allocate
            user["identities"] = user["identities"] + [i for i in added if i is not None]
        fields = item.get("fields")
        if fields:
            user["fields"].update(fields)
        if len(item) > 1 + (fields is not None):  # anything besides identities and fields
            for key in MERGED:
                if key in item:
                    user.setdefault(key, {}).update(item[key])
        user["updated_at"] = now
        return user

    def _new_user(self, now: str) -> Json:
        uuid = self._ids.short()
        user = {OMNI: uuid, "identities": [], "fields": {}, "created_at": now, "updated_at": now}
        self._users[uuid] = user
        return user

    def _index_identity(self, user: Json, identity: Json) -> Json | None:
        """Index an identity to the user, and the record of it to store; None if it is indexed
        already (it then stays with its user)."""
        if lookup_key(identity) in self._index.get(identity["type"], _NONE):
            return None
        stored = dict(identity)  # the API's keys, in the caller's order
        stored["value"] = identity["value"].strip()
        self._reindex(user, stored)
        return stored

    def snapshot(self, items: list[Json]) -> dict[str, Json]:
        """Copies of the stored users the items name, by id (before a change)."""
        found: dict[str, Json] = {}
        for item in items:
            user = next(filter(None, map(self.find, item["identities"])), None)
            if user is not None:
                found[user["omni_user_uuid"]] = {**user, "fields": dict(user["fields"])}
        return found

    def records(self) -> list[Json]:
        """Every user, oldest first."""
        return list(self._users.values())

    def reset(self) -> None:
        """Forget every user."""
        self._users.clear()
        self._index.clear()

    def load(self, users: list[Json]) -> None:
        """Hold exactly these users (records as `records()` gave them), indexed again."""
        self.reset()
        for user in users:
            self._users[user[OMNI]] = user
            for identity in user["identities"]:
                self._reindex(user, identity)

    def _reindex(self, user: Json, identity: Json) -> None:
        """Index a stored identity to its user; its type and name are shared strings (labels
        many users carry)."""
        identity["type"] = kind = intern(identity["type"])
        if "name" in identity:
            identity["name"] = intern(identity["name"])
        self._index.setdefault(kind, {})[lookup_key(identity)] = user

    def __len__(self) -> int:
        return len(self._users)


def lookup_key(identity: Json) -> str:
    """What finds a user among those with this identity type: its value (trimmed), and for
    third-party ids their channel too."""
    value: str = identity["value"].strip()
    if identity["type"] == THIRDPARTY:
        return f"{identity.get('channel_uuid', '')}\x1f{value}"
    return value


def _different_users(index: int, matched: list[Json]) -> str:
    users = ", ".join(m[OMNI] for m in matched)
    return f"$[{index}].identities: they belong to different users ({users})"


def _same_user(first: int, index: int, uuid: str) -> ApiError:
    reason = f"both identify user {uuid}"
    return ApiError("duplicate_user", first=first, index=index, reason=reason, path=f"$[{index}]")


def _echo(user: Json, item: Json) -> Json:
    """An accepted user as the vendor's sample shows it: identities and leads_info (plus id)."""
    echo: Json = {OMNI: user[OMNI], "identities": item["identities"]}
    if "leads_info" in user:
        echo["leads_info"] = user["leads_info"]
    return echo


def _row(user: Json, item: Json, items: list[Json], full: bool) -> Json:
    """An accepted user's row, with the ids of no user it carried (ignored) when there were."""
    row = dict(user) if full else _echo(user, item)
    unknown = [
        (position, value)
        for position, identity in enumerate(item["identities"])
        if identity["type"] == OMNI and (value := identity["value"].strip()) != user[OMNI]
    ]
    if not unknown:
        return row
    index = next(i for i, sent in enumerate(items) if sent is item)
    why = "ignored, no user has omni_user_uuid"
    return {**row, "ignored": [f"$[{index}].identities[{p}]: {why} {v}" for p, v in unknown]}


def upsert_users(call: Call) -> Json:
    full = call.query.get("returnFull") == "true"
    before = call.state.users.snapshot(call.body) if call.listening else {}
    accepted, failure = call.state.users.upsert_batch(call.body)
    if call.listening:  # a 100-user batch is worth not describing to nobody
        call.emit_all(events.users_upserted(before, [user for user, _ in accepted]))
    success = [_row(user, item, call.body, full) for user, item in accepted]
    return {"success": success, "failure": failure}


def query_users(call: Call) -> Json:
    found, missing = _lookup(call)
    return {"list": _with_tags(call, found), "not_found": missing}


def batch_query_identity(call: Call) -> Json:
    found, missing = _lookup(call)
    listed = [{"omni_user_uuid": u["omni_user_uuid"], "identities": u["identities"]} for u in found]
    return {"list": listed, "not_found": missing}


def list_users(call: Call) -> Json:
    page = page_of(call.state.users.select(_test(call)), call.body)
    return {**page, "list": _with_tags(call, page["list"])}


def _lookup(call: Call) -> tuple[list[Json], list[str]]:
    """The users a query names (each once), and the names that found no user."""
    users = call.state.users
    wanted: list[Any] = call.body.get("identities") or call.body["omni_user_uuids"]
    found = [users.find(w) if isinstance(w, dict) else users.get(w) for w in wanted]
    unique = {u[OMNI]: u for u in found if u is not None}
    missing = [_label(w) for w, u in zip(wanted, found, strict=True) if u is None]
    return list(unique.values()), missing


def _label(wanted: Any) -> str:
    if not isinstance(wanted, dict):
        return str(wanted)
    if wanted["type"] == THIRDPARTY:
        return f"{wanted['type']}:{wanted.get('channel_uuid', '')}:{wanted['value']}"
    return f"{wanted['type']}:{wanted['value']}"


def _with_tags(call: Call, users: list[Json]) -> list[Json]:
    """Users as answers show them: with the tags they carry."""
    carried = call.state.tags.tags_of(u["omni_user_uuid"] for u in users)
    return [{**u, "tags": carried[u["omni_user_uuid"]]} for u in users]


def _test(call: Call) -> Callable[[Json], bool]:
    """One test for every filter of a list call: a user is listed if it passes them all."""
    body = call.body
    _check_ranges(body)
    tests = [partial(_within, t, cmp, body[key]) for key, t, cmp in RANGES if key in body]
    if "identity_type" in body:
        tests.append(partial(_has_identity, body["identity_type"], None))
    if "channel_uuid" in body:
        tests.append(partial(_has_identity, THIRDPARTY, body["channel_uuid"]))
    tests += [partial(_holds, code, value) for code, value in body.get("fields", {}).items()]
    if "tag_uuids" in body:
        tests.append(partial(_among, call.state.tags.carriers(body["tag_uuids"])))
    return lambda user: all(test(user) for test in tests)


def _check_ranges(body: Json) -> None:
    """A time range whose end comes before its start is a mistake, not an empty page."""
    for time in ("created_at", "updated_at"):
        start, end = body.get(f"{time}_from"), body.get(f"{time}_to")
        if start is not None and end is not None and end < start:
            reason = f"{end} is earlier than {time}_from {start}"
            raise ApiError("unmet_rule", path=f"$.{time}_to", reason=reason)


def _within(time: str, compare: Callable[[str, str], bool], bound: str, user: Json) -> bool:
    return compare(user[time], bound)


def _has_identity(kind: str, channel: str | None, user: Json) -> bool:
    return any(
        i["type"] == kind and (channel is None or i.get("channel_uuid") == channel)
        for i in user["identities"]
    )


def _holds(code: str, value: Any, user: Json) -> bool:
    """The user's custom field equals the value, or (a multi-select list) contains it."""
    stored = user["fields"].get(code, _ABSENT)
    return _same(stored, value) or (
        isinstance(stored, list) and any(_same(one, value) for one in stored)
    )


def _among(uuids: set[str], user: Json) -> bool:
    return user["omni_user_uuid"] in uuids


def _same(stored: Any, value: Any) -> bool:
    """JSON equality: true and 1 differ, 1 and 1.0 do not."""
    return bool(stored == value) and isinstance(stored, bool) == isinstance(value, bool)


HANDLERS: Handlers = {
    "user.create": upsert_users,
    "user.update": upsert_users,
    "user.query": query_users,
    "user.batch_query_identity": batch_query_identity,
    "user.list": list_users,
}
