"""Users: batch upsert by identity, query, list, and the identity index behind them."""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

from emulator import events
from emulator.clock import Clock, Ids
from emulator.domains import Call, Handlers
from emulator.domains.pages import page_of
from emulator.envelope import ApiError
from emulator.spec import Json
from emulator.validation import identity_key

MERGED = ("fields_source", "source_data", "leads_info")
RANGES = (  # list filter -> the user's time it bounds, inclusive
    ("created_at_from", "created_at", operator.ge),
    ("created_at_to", "created_at", operator.le),
    ("updated_at_from", "updated_at", operator.ge),
    ("updated_at_to", "updated_at", operator.le),
)
_ABSENT = object()


class _Plan(NamedTuple):
    """What upserting one item will do: the user it updates (None: a new one), or why it
    fails; and the index key of each of its identities, computed once."""

    uuid: str | None
    failure: str | None
    keys: list[str]


class UserStore:
    """Users as the API returns them, indexed by every identity they carry."""

    def __init__(self, clock: Clock, ids: Ids) -> None:
        self._clock, self._ids = clock, ids
        self._users: dict[str, Json] = {}
        self._index: dict[str, str] = {}

    def get(self, omni_user_uuid: str) -> Json | None:
        """The user with this id, or None."""
        return self._users.get(omni_user_uuid.strip())

    def find(self, identity: Json, key: str | None = None) -> Json | None:
        """The user carrying this identity (its index key, if already known), or None."""
        if identity["type"] == "omni_user_uuid":
            return self.get(identity["value"])
        found = self._index.get(key or identity_key(identity))
        return None if found is None else self._users[found]

    def select(self, keep: Callable[[Json], bool]) -> list[Json]:
        """The users a test keeps, oldest first."""
        return [user for user in self._users.values() if keep(user)]

    def upsert_batch(self, items: list[Json]) -> tuple[list[tuple[Json, Json]], list[str]]:
        """Create or update each user; the accepted (record, item) pairs and the failures."""
        plan = [self._resolve(index, item) for index, item in enumerate(items)]
        _reject_same_user_twice(plan)
        accepted, failures = [], []
        for item, step in zip(items, plan, strict=True):
            if step.failure is not None:
                failures.append(step.failure)
            else:
                accepted.append((self._apply(item, step), item))
        return accepted, failures

    def _resolve(self, index: int, item: Json) -> _Plan:
        """The existing user an item names (None: a new user), or why it cannot be stored."""
        matched: dict[str, None] = {}
        keys = [identity_key(identity) for identity in item["identities"]]
        for position, (identity, key) in enumerate(zip(item["identities"], keys, strict=True)):
            found, problem = self._lookup(identity, key)
            if problem:
                return _Plan(None, f"$[{index}].identities[{position}].{problem}", keys)
            if found is not None:
                matched[found["omni_user_uuid"]] = None
        if len(matched) > 1:
            users = ", ".join(matched)
            return _Plan(
                None, f"$[{index}].identities: they belong to different users ({users})", keys
            )
        return _Plan(next(iter(matched), None), None, keys)

    def _lookup(self, identity: Json, key: str) -> tuple[Json | None, str | None]:
        """The user an identity finds, or the problem with it (a path suffix and a reason)."""
        if identity["type"] == "thirdparty_channel" and not identity.get("channel_uuid"):
            return None, "channel_uuid: required when type is thirdparty_channel"
        found = self.find(identity, key)
        if found is None and identity["type"] == "omni_user_uuid":
            return None, f"value: no user has omni_user_uuid {identity['value'].strip()}"
        return found, None

    def _apply(self, item: Json, step: _Plan) -> Json:
        user = self._users[step.uuid] if step.uuid is not None else self._new_user()
        for identity, key in zip(item["identities"], step.keys, strict=True):
            self._add_identity(user, identity, key)
        user["fields"].update(item.get("fields", {}))
        for key in MERGED:
            if key in item:
                user.setdefault(key, {}).update(item[key])
        user["updated_at"] = self._clock.text()
        return user

    def _new_user(self) -> Json:
        uuid, now = self._ids.short(), self._clock.text()
        user = {
            "omni_user_uuid": uuid,
            "identities": [],
            "fields": {},
            "created_at": now,
            "updated_at": now,
        }
        self._users[uuid] = user
        return user

    def _add_identity(self, user: Json, identity: Json, key: str) -> None:
        if identity["type"] == "omni_user_uuid" or key in self._index:
            return
        stored = {k: v.strip() if k == "value" else v for k, v in identity.items()}
        user["identities"].append(stored)
        self._index[key] = user["omni_user_uuid"]

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

    def __len__(self) -> int:
        return len(self._users)


def _reject_same_user_twice(plan: list[_Plan]) -> None:
    """Two items naming one stored user break the batch rule, even by different identities."""
    first: dict[str, int] = {}
    for index, (uuid, _, _) in enumerate(plan):
        if uuid is not None and first.setdefault(uuid, index) != index:
            reason = f"both identify user {uuid}"
            raise ApiError(
                "duplicate_user", first=first[uuid], index=index, reason=reason, path=f"$[{index}]"
            )


def _echo(user: Json, item: Json) -> Json:
    """An accepted user as the vendor's sample shows it: identities and leads_info (plus id)."""
    echo: Json = {"omni_user_uuid": user["omni_user_uuid"], "identities": item["identities"]}
    if "leads_info" in user:
        echo["leads_info"] = user["leads_info"]
    return echo


def upsert_users(call: Call) -> Json:
    full = call.query.get("returnFull") == "true"
    before = call.state.users.snapshot(call.body) if call.listening else {}
    accepted, failure = call.state.users.upsert_batch(call.body)
    if call.listening:  # a 100-user batch is worth not describing to nobody
        call.emit_all(events.users_upserted(before, [user for user, _ in accepted]))
    success = [dict(user) if full else _echo(user, item) for user, item in accepted]
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
    unique = {u["omni_user_uuid"]: u for u in found if u is not None}
    missing = [_label(w) for w, u in zip(wanted, found, strict=True) if u is None]
    return list(unique.values()), missing


def _label(wanted: Any) -> str:
    if not isinstance(wanted, dict):
        return str(wanted)
    if wanted["type"] == "thirdparty_channel":
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
        tests.append(partial(_has_identity, "thirdparty_channel", body["channel_uuid"]))
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
