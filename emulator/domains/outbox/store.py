"""The outbox store: sends land here, per tenant, as records; nothing leaves the emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from emulator import envelope, spec
from emulator.clock import Clock
from emulator.domains.outbox.channels import OUTBOX, TASKS, Channel
from emulator.domains.outbox.render import user_values
from emulator.envelope import ApiError
from emulator.spec import Json
from emulator.validation import compiled

if TYPE_CHECKING:
    from emulator.domains.crowds import CrowdStore
    from emulator.domains.users import UserStore
    from emulator.engine import Records
    from emulator.tenants import Tenant

HELD = ("draft", "cancelled")  # statuses a task keeps: it does not go out
EDITABLE = ("draft", "scheduled")


class Outbox:
    """Send tasks, their recipients' messages and single messages, all in the tenant's records:
    a task goes out now or at its send_time on the virtual clock, one message per recipient."""

    def __init__(
        self, clock: Clock, records: Records, users: UserStore, crowds: CrowdStore
    ) -> None:
        self._clock, self._records, self._users, self._crowds = clock, records, users, crowds
        self._fits: dict[str, Callable[[str], bool]] = {}

    def deliver(self, resource: str, fields: Json) -> Json:
        """Put one message in the outbox: the one place a message lands (sent or failed);
        it is sent now unless fields say when."""
        return self._records.create(resource, {"send_time": self._clock.text(), **fields})

    def reach(self, address: str, uuid: str, label: str, path: str) -> tuple[Json, str]:
        """A user by omni_user_uuid and the address of theirs a message goes to."""
        user = self._users.get(uuid)
        if user is None:
            raise ApiError("unknown_recipient", field="omni_user_uuid", value=uuid, path=path)
        found = self._addresses(user, address)
        if not found:
            raise ApiError(
                "recipient_lacks_field",
                omni_user_uuid=user["omni_user_uuid"],
                field=address,
                channel=label,
                path=path,
            )
        return user, found[0]

    def recipient(self, address: str, body: Json, label: str) -> tuple[Json, str]:
        """The user a single message names (by omni_user_uuid, else by address) and the
        address it goes to; both given, the user must carry that address."""
        if "omni_user_uuid" not in body:
            value = str(body[address]).strip()
            user = self._users.find({"type": address, "value": value})
            if user is None:
                raise ApiError("unknown_recipient", field=address, value=value, path=f"$.{address}")
            return user, value
        user, first = self.reach(address, body["omni_user_uuid"], label, "$.omni_user_uuid")
        value = str(body.get(address, first)).strip()
        if value not in self._addresses(user, address):
            uuid = user["omni_user_uuid"]
            raise ApiError(
                "recipient_mismatch", omni_user_uuid=uuid, field=address, value=value,
                path=f"$.{address}",
            )  # fmt: skip
        return user, value

    def create_task(self, channel: Channel, fields: Json) -> Json:
        """A new send task: held as a draft or cancelled, scheduled, or sent at once."""
        self._check_refs(channel, fields)
        plan = self._plan(fields, fields.get("status"))
        return self._settle(channel, self._records.create(channel.task, {**fields, **plan}))

    def update_task(self, channel: Channel, task_id: str, fields: Json) -> Json:
        """Change a draft or scheduled task; asking for any status but draft or cancelled
        sends it (now, or at send_time when scheduled)."""
        self.dispatch_due()
        id_field = self._records.resource(channel.task).id_field
        task = self._records.get(channel.task, task_id, f"$.{id_field}")
        if task["status"] not in EDITABLE:
            raise ApiError(
                "send_locked", resource=channel.task, id=task_id, status=task["status"],
                path=f"$.{id_field}",
            )  # fmt: skip
        self._check_refs(channel, fields)
        plan = self._plan({**task, **fields}, fields.get("status", task["status"]))
        return self._settle(
            channel, self._records.update(channel.task, task_id, {**fields, **plan})
        )

    def delete_task(self, channel: Channel, task_id: str) -> Json:
        """Remove a task (a scheduled one not yet due never goes out); messages sent stay."""
        self.dispatch_due()
        id_field = self._records.resource(channel.task).id_field
        self._records.delete(channel.task, task_id, f"$.{id_field}")
        return {id_field: task_id}

    def dispatch_due(self) -> None:
        """Send every scheduled task whose send_time has come on the virtual clock."""
        now = self._clock.text()
        for channel in TASKS:
            for task in self._records.find(channel.task, status="scheduled"):
                if task.get("send_time", now) <= now:
                    self._send(channel, task)

    def messages(self, channel: str | None = None) -> list[Json]:
        """The outbox (due tasks sent first): every message, oldest first, with its channel."""
        self.dispatch_due()
        rows = [
            {"channel": name, "resource": resource, **record}
            for name, resource in OUTBOX.items()
            if channel in (None, name)
            for record in self._records.find(resource)
        ]
        return sorted(rows, key=lambda row: row.get("send_time") or row["create_time"])

    def _addresses(self, user: Json, address: str) -> list[str]:
        """The user's identities of that type that an outbox message can carry: identities are
        free text, an SMS goes only to a mobile number."""
        fits = self._fits.get(address) or self._fitting(address)
        return [
            i["value"]
            for i in user.get("identities", [])
            if i["type"] == address and fits(i["value"])
        ]

    def _fitting(self, address: str) -> Callable[[str], bool]:
        """Whether a value fits that field of every outbox resource that has it."""
        found = [self._records.resource(r).schema.get("properties", {}) for r in OUTBOX.values()]
        checks = [compiled(p[address]) for p in found if address in p]
        self._fits[address] = fits = lambda value: all(c.is_valid(value) for c in checks)
        return fits

    def _check_refs(self, channel: Channel, fields: Json) -> None:
        for field, resource in channel.refs:
            if field in fields:
                self._records.get(resource, fields[field], f"$.{field}")
        if "group_id" in fields:
            self._crowds.detail(fields["group_id"])

    def _plan(self, task: Json, requested: str | None) -> Json:
        """The status a task takes: kept when held, else scheduled or (marked) sending now."""
        if requested in HELD:
            return {"status": requested}
        if not task.get("group_id") and not task.get("omni_user_uuids"):
            reason = "a send needs recipients: group_id and/or omni_user_uuids"
            raise ApiError("unmet_rule", path="$.group_id", reason=reason)
        if task.get("send_type") != "scheduled":
            return {"status": "sending", "send_time": self._clock.text()}
        if "send_time" not in task:
            reason = "required when send_type is scheduled"
            raise ApiError("unmet_rule", path="$.send_time", reason=reason)
        return {"status": "scheduled"}

    def _settle(self, channel: Channel, task: Json) -> Json:
        if task["status"] == "sending" or (
            task["status"] == "scheduled" and task["send_time"] <= self._clock.text()
        ):
            self._send(channel, task)
        return task

    def _send(self, channel: Channel, task: Json) -> None:
        """One message per recipient (failed where the recipient cannot be reached)."""
        task_id = task[self._records.resource(channel.task).id_field]
        for uuid in self._audience(task):
            message = self._message(channel, task, uuid)
            self.deliver(
                channel.record, {channel.link: task_id, **message, "send_time": task["send_time"]}
            )
        self._records.update(channel.task, task_id, {"status": "sent"})

    def _message(self, channel: Channel, task: Json, uuid: str) -> Json:
        try:
            user, address = self.reach(channel.address, uuid, channel.label, "$.omni_user_uuids")
        except ApiError as exc:
            unrendered = channel.compose(self._records, task, {})
            return {"omni_user_uuid": uuid, **unrendered, "status": "failed", **_described(exc)}
        rendered = channel.compose(self._records, task, user_values(user))
        sent = {"omni_user_uuid": uuid, channel.address: address, **rendered}
        return {**sent, "status": channel.sent}

    def _audience(self, task: Json) -> list[str]:
        """The group's members at send time, then the listed users, each once."""
        members: list[str] = []
        if "group_id" in task:
            try:
                members = self._crowds.members(task["group_id"])
            except ApiError:  # the group was deleted since: the listed users remain
                members = []
        return list(dict.fromkeys([*members, *task.get("omni_user_uuids", [])]))


def _described(error: ApiError) -> Json:
    """Why a recipient's message failed: the error's code and message."""
    errors = spec.load(spec.SCHEMAS_DIR, None).errors  # overlays never change the errors
    return {
        "error_code": int(errors[error.key]["code"]),
        "error_msg": envelope.message(errors, error),
    }


def listing(tenants: list[Tenant], channel: str | None = None) -> Json:
    """The outbox of these tenants, for the admin API: each message with its app_id."""
    if channel is not None and channel not in OUTBOX:
        reason = f"{channel!r} is not one of {', '.join(OUTBOX)}"
        raise ApiError("invalid_admin_request", path="$.channel", reason=reason)
    messages = [{"app_id": t.app_id, **m} for t in tenants for m in t.outbox.messages(channel)]
    return {"messages": messages, "total": len(messages)}
