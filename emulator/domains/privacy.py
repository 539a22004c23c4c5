"""Privacy policies (v1 and v2): users' authorization records and the status they give."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.clock import Clock
from emulator.domains import Call, Handlers
from emulator.envelope import ApiError
from emulator.spec import Json

if TYPE_CHECKING:
    from emulator.domains.users import UserStore
    from emulator.engine import Records

POLICY, RECORD = "privacy_policy", "privacy_auth_record"
NONE = "unauthorized"  # the status of a user with no record for a policy


class Privacy:
    """Authorization records (resource `privacy_auth_record`) of users for policies; a user's
    status for a policy is that of their latest record (by auth_time, then creation)."""

    def __init__(self, clock: Clock, records: Records, users: UserStore) -> None:
        self._clock, self._records, self._users = clock, records, users

    def authorize(self, fields: Json) -> Json:
        """Record a user's authorization (or revocation) of a policy: the one place consent
        changes; an enabled policy only can be authorized."""
        self._users.require(fields["omni_user_uuid"])
        policy = self._records.get(POLICY, fields["policy_uuid"], "$.policy_uuid")
        status = fields.get("status", "authorized")
        if status == "authorized" and policy.get("is_enabled", 1) == 0:
            uuid = fields["policy_uuid"]
            raise ApiError("privacy_policy_disabled", policy_uuid=uuid, path="$.policy_uuid")
        record = {"status": status, "auth_time": self._clock.text(), **fields}
        return self._records.create(RECORD, record)

    def remove(self, uuid: str) -> Json:
        """Remove a record: it no longer counts toward its user's status."""
        return self._records.delete(RECORD, uuid, "$.uuid")

    def status(self, omni_user_uuid: str, policy_uuid: str | None = None) -> list[Json]:
        """The user's status for each policy (or the one named), from their latest record."""
        self._users.require(omni_user_uuid)
        if policy_uuid is None:
            policies = self._records.find(POLICY)
        else:
            policies = [self._records.get(POLICY, policy_uuid, "$.policy_uuid")]
        return [self._state(omni_user_uuid, policy) for policy in policies]

    def latest(self, omni_user_uuid: str, policy_uuid: str) -> Json | None:
        """The record that decides the user's status for the policy, if any."""
        rows = self._records.find(RECORD, omni_user_uuid=omni_user_uuid, policy_uuid=policy_uuid)
        return max(reversed(rows), key=_when, default=None)

    def _state(self, omni_user_uuid: str, policy: Json) -> Json:
        state: Json = {"policy_uuid": policy["uuid"], "status": NONE}
        state.update({k: policy[k] for k in ("name", "version") if k in policy})
        record = self.latest(omni_user_uuid, state["policy_uuid"])
        if record is not None:
            state.update(status=record["status"], record_uuid=record["uuid"])
            state.update({k: record[k] for k in ("auth_time", "channel") if k in record})
        return state


def _when(record: Json) -> str:
    return str(record.get("auth_time", record["create_time"]))


def create_auth_record(call: Call) -> Json:
    return call.state.privacy.authorize(call.body)


def remove_auth_record(call: Call) -> Json:
    return {"uuid": call.state.privacy.remove(call.body["uuid"])["uuid"]}


def auth_status(call: Call) -> Json:
    uuid = call.body["omni_user_uuid"]
    return {
        "omni_user_uuid": uuid,
        "list": call.state.privacy.status(uuid, call.body.get("policy_uuid")),
    }


HANDLERS: Handlers = {
    "privacy.v2.auth_record.create": create_auth_record,
    "privacy.v2.auth_record.remove": remove_auth_record,
    "privacy.v2.auth_status": auth_status,
}
