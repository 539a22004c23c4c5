"""Members and points: loyalty members, their points ledger and the rules points follow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.domains import Call, Handlers, without
from emulator.envelope import ApiError
from emulator.spec import Json

if TYPE_CHECKING:
    from emulator.domains.users import UserStore
    from emulator.engine import Records

MAX_BALANCE = 100_000_000  # the member schema's bound on points
OPENING = "opening balance"
SIGN = {"add": 1, "deduct": -1}
CHANGE_TERMS = ("points", "reason", "rule_uuid", "request_id")


class MemberStore:
    """Members and their ledger, as `member` and `points_record` records of the tenant.

    A member's `points` move only together with a ledger record, so they always equal the
    ledger's sum. The store keeps nothing of its own: resetting the records resets it.
    """

    def __init__(self, records: Records, users: UserStore) -> None:
        self._records, self._users = records, users

    def create(self, fields: Json) -> Json:
        """A new member of an existing user; opening points are the ledger's first record."""
        self._users.require(fields["omni_user_uuid"])
        member = self._records.create("member", {**fields, "points": 0})
        if fields.get("points"):
            opening = {"change_type": "add", "points": fields["points"], "reason": OPENING}
            self._move(member, opening)
        return member

    def update(self, fields: Json) -> Json:
        """Change a member's details; its points move only through the ledger."""
        if "points" in fields:
            raise ApiError("points_not_writable", member_uuid=fields["uuid"], path="$.points")
        if "omni_user_uuid" in fields:
            self._users.require(fields["omni_user_uuid"])
        return self._records.update("member", fields["uuid"], without(fields, "uuid"), "$.uuid")

    def change(self, change_type: str, body: Json) -> Json:
        """Add or deduct points: the ledger record written, with the balance it leaves.

        A repeated request_id answers the first change again and changes nothing.
        """
        first = self._first(change_type, body)
        if first is not None:
            return first
        member = self._records.get("member", body["member_uuid"], "$.member_uuid")
        return self._move(member, {"change_type": change_type, **self._terms(change_type, body)})

    def ledger(self, member_uuid: str) -> list[Json]:
        """The member's points records, oldest first."""
        return self._records.find("points_record", member_uuid=member_uuid)

    def _terms(self, change_type: str, body: Json) -> Json:
        """The points and reason of a change: as given, else its member rule's."""
        terms = {k: body[k] for k in CHANGE_TERMS if k in body}
        if "rule_uuid" in body:
            rule = self._rule(change_type, body["rule_uuid"])
            terms = {"points": rule["points"], "reason": rule["name"], **terms}
        for name in ("points", "reason"):
            if name not in terms:
                reason = "required unless rule_uuid names a member rule"
                raise ApiError("unmet_rule", path=f"$.{name}", reason=reason)
        return terms

    def _rule(self, change_type: str, rule_uuid: str) -> Json:
        rule = self._records.get("member_rule", rule_uuid, "$.rule_uuid")
        if rule["change_type"] != change_type:
            raise ApiError(
                "rule_change_type_mismatch",
                rule_uuid=rule_uuid,
                rule_type=rule["change_type"],
                change_type=change_type,
                path="$.rule_uuid",
            )
        if rule.get("is_enabled", 1) == 0:
            raise ApiError("rule_disabled", rule_uuid=rule_uuid, path="$.rule_uuid")
        return rule

    def _move(self, member: Json, change: Json) -> Json:
        """Write one ledger record and move the balance by it, or refuse and change nothing."""
        uuid, held = member["uuid"], int(member.get("points", 0))
        balance = held + SIGN[change["change_type"]] * change["points"]
        _check_balance(uuid, held, balance, change["points"])
        record = {"member_uuid": uuid, **change, "balance": balance}
        written = self._records.create("points_record", record)
        self._records.update("member", uuid, {"points": balance})
        return written

    def _first(self, change_type: str, body: Json) -> Json | None:
        """The change a request_id already made, when this call repeats it."""
        if "request_id" not in body:
            return None
        found = self._records.find("points_record", request_id=body["request_id"])
        if not found:
            return None
        if not _same_change(found[0], change_type, body):
            raise ApiError(
                "request_id_reused",
                request_id=body["request_id"],
                first=found[0]["uuid"],
                path="$.request_id",
            )
        return found[0]


def _check_balance(member_uuid: str, held: int, balance: int, points: int) -> None:
    """A balance a change may leave: never negative, never past the limit."""
    params: Json = {"member_uuid": member_uuid, "points": points, "path": "$.points"}
    if balance < 0:
        raise ApiError("insufficient_points", balance=held, **params)
    if balance > MAX_BALANCE:
        raise ApiError("points_over_limit", balance=balance, max=MAX_BALANCE, **params)


def _same_change(first: Json, change_type: str, body: Json) -> bool:
    """Whether a repeated request asks for the change its request_id first made."""
    asked = (change_type, body["member_uuid"], body.get("rule_uuid"))
    if (first["change_type"], first["member_uuid"], first.get("rule_uuid")) != asked:
        return False
    return all(first.get(k) == body[k] for k in ("points", "reason") if k in body)


def create_member(call: Call) -> Json:
    return call.state.members.create(call.body)


def update_member(call: Call) -> Json:
    return call.state.members.update(call.body)


def add_member_points(call: Call) -> Json:
    return call.state.members.change("add", call.body)


def deduct_member_points(call: Call) -> Json:
    return call.state.members.change("deduct", call.body)


HANDLERS: Handlers = {
    "member.create": create_member,
    "member.update": update_member,
    "member.points.add": add_member_points,
    "member.points.deduct": deduct_member_points,
}
