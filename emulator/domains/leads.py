"""Leads: lead records with their owner, status, stage, pool, collaborators, user and account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator import events
from emulator.domains import Call, Handlers, without
from emulator.domains.accounts import former_owner
from emulator.domains.crm import Change, CrmFields
from emulator.envelope import ApiError
from emulator.spec import Json

if TYPE_CHECKING:
    from emulator.domains.users import UserStore
    from emulator.engine import Records

LEAD = "lead"
STATUS = "lead_status"
FIRST_STAGE = "baby_lead"  # the stage of a new lead in the vendor's object_create samples
OPEN_POOL = "market"  # the pool of a lead without owner in the same samples (市场公海)
MAX_COLLABORATORS = 20
IDENTITIES = ("mobile", "email")  # the lead fields that are user identities
NO_USER = "a lead needs its user: omni_user_uuid, or a mobile or email to find or create one"
DETAIL_LINK = "https://crm.jing-emulator.invalid/lead/detail/{jing_uuid}"


class LeadStore:
    """Leads (resource `lead`, by jing_uuid) in the tenant's records; statuses are the
    `lead_status` records, owners and collaborators `employee` records, users the user store's."""

    def __init__(self, records: Records, users: UserStore) -> None:
        self._records, self._users = records, users
        self._crm = CrmFields(records)

    def create(self, fields: Json) -> tuple[Json, Json | None]:
        """A new lead, checked; it starts at the first stage, with the default status, and in
        the open pool when it has no owner. Also the user created for it (None: it had one)."""
        self._check(fields)
        user, created = self._user_of(fields)
        defaults: Json = {"life_status": FIRST_STAGE}
        if "owner" not in fields:
            defaults["lead_pool"] = OPEN_POOL
        default_status = next((s for s in self.statuses() if s.get("is_default") == 1), None)
        if default_status is not None:
            defaults["status"] = default_status["uuid"]
        lead = self._records.create(LEAD, {**defaults, **fields, "omni_user_uuid": user})
        return lead, created

    def _user_of(self, fields: Json) -> tuple[str, Json | None]:
        """The lead's user: the one omni_user_uuid names, else the one its mobile or email
        find, upserted as user update would (a new person becomes a new user)."""
        if "omni_user_uuid" in fields:
            return str(fields["omni_user_uuid"]), None
        identities = [
            {"type": kind, "value": fields[kind]} for kind in IDENTITIES if kind in fields
        ]
        if not identities:
            raise ApiError("unmet_rule", path="$.omni_user_uuid", reason=NO_USER)
        count = len(self._users)
        accepted, failures = self._users.upsert_batch([{"identities": identities}])
        if failures:  # its mobile and email belong to two users
            raise ApiError("unmet_rule", path="$", reason=failures[0].removeprefix("$[0]."))
        user = accepted[0][0]
        return user["omni_user_uuid"], (user if len(self._users) > count else None)

    def update(self, jing_uuid: str, fields: Json) -> Change:
        """Change a lead's fields, checked as on create; the one place a lead's fields change
        (owner, stage, pool, collaborators and linked records included)."""
        before = dict(self.get(jing_uuid))
        self._check(fields)
        return Change(before, self._records.update(LEAD, jing_uuid, fields))

    def set_status(self, jing_uuid: str, status: str) -> Change:
        """Move a lead to one of the tenant's statuses."""
        before = dict(self.get(jing_uuid))
        self._check_status(status, "$.status")
        return Change(before, self._records.update(LEAD, jing_uuid, {"status": status}))

    def change_collaborators(self, jing_uuid: str, add: list[str], remove: list[str]) -> Change:
        """Add employees who are not collaborators yet and remove ones who are, exactly."""
        before = dict(self.get(jing_uuid))
        current: list[str] = list(before.get("collaborators", []))
        _check_additions(self._crm, before, current, add)
        _check_removals(before, current, remove)
        after = [e for e in current if e not in remove] + add
        if len(after) > MAX_COLLABORATORS:
            count, most = len(after), MAX_COLLABORATORS
            raise ApiError(
                "too_many_collaborators", jing_uuid=jing_uuid, count=count, max=most, path="$.add"
            )
        return Change(before, self._records.update(LEAD, jing_uuid, {"collaborators": after}))

    def get(self, jing_uuid: str) -> Json:
        """The lead with this id, or the not-found error."""
        return self._records.get(LEAD, jing_uuid)

    def statuses(self) -> list[Json]:
        """The tenant's lead statuses, in their sort order."""
        return sorted(self._records.find(STATUS), key=lambda s: s.get("sort", 0))

    def _check(self, fields: Json) -> None:
        self._crm.check(LEAD, fields)
        if "status" in fields:
            self._check_status(fields["status"], "$.status")
        if "owner" in fields:
            self._crm.check_employee(fields["owner"], "$.owner")
        for index, employee in enumerate(fields.get("collaborators", [])):
            self._crm.check_employee(employee, f"$.collaborators[{index}]")
        if "account_id" in fields:
            self._records.get("account", fields["account_id"], "$.account_id")
        if "omni_user_uuid" in fields:
            self._users.require(fields["omni_user_uuid"], "$.omni_user_uuid")

    def _check_status(self, status: Any, path: str) -> None:
        if self._records.lookup(STATUS, status) is None:
            known = ", ".join(f"{s['uuid']} ({s['name']})" for s in self.statuses())
            raise ApiError("unknown_lead_status", status=status, known=known or "none", path=path)


def _check_additions(crm: CrmFields, lead: Json, current: list[str], add: list[str]) -> None:
    for index, employee in enumerate(add):
        crm.check_employee(employee, f"$.add[{index}]")
        if employee in current:
            path, uuid = f"$.add[{index}]", lead["jing_uuid"]
            raise ApiError("already_collaborator", employee=employee, jing_uuid=uuid, path=path)


def _check_removals(lead: Json, current: list[str], remove: list[str]) -> None:
    for index, employee in enumerate(remove):
        if employee not in current:
            path, uuid = f"$.remove[{index}]", lead["jing_uuid"]
            raise ApiError("not_collaborator", employee=employee, jing_uuid=uuid, path=path)


def _changed(call: Call, change: Change) -> events.Chain:
    """Life cycle and object_update, then the events of a changed owner, pool, status, team."""
    before, after = change
    types = call.state.accounts.business_types()
    chain = events.lead_updated(before, after, types)
    if before.get("owner") != after.get("owner"):
        with_lead = types if call.state.owner_change_with_lead else None
        former = former_owner(call.state.records, before)
        chain += events.lead_owner_changed(after, former, business_types=with_lead)
    if before.get("lead_pool") != after.get("lead_pool"):
        chain += events.lead_pool_changed(after, before.get("lead_pool"))
    return chain + _status(change) + _members(change)


def _status(change: Change) -> events.Chain:
    """object_update_status if the lead's status changed."""
    before, after = change
    if before.get("status") == after.get("status"):
        return []
    return events.lead_status_changed(after, before.get("status", ""), after.get("status", ""))


def _members(change: Change) -> events.Chain:
    """object_add_team_member, then object_remove_team_member, for the collaborators changed."""
    old, new = (lead.get("collaborators") or [] for lead in change)
    added, removed = [e for e in new if e not in old], [e for e in old if e not in new]
    chain = events.lead_members_added(change.after, added) if added else []
    return chain + (events.lead_members_removed(change.after, removed) if removed else [])


def create_lead(call: Call) -> Json:
    lead, created = call.state.leads.create(call.body)
    source = (call.state.users.get(lead["omni_user_uuid"]) or {}).get("source_data")
    types = call.state.accounts.business_types()
    chain = events.user_created(created) if created is not None else []
    call.emit_all(chain + events.lead_created(lead, types, source))
    return lead


def update_lead(call: Call) -> Json:
    change = call.state.leads.update(call.body["jing_uuid"], without(call.body, "jing_uuid"))
    call.emit_all(_changed(call, change))
    return change.after


def update_lead_status(call: Call) -> Json:
    change = call.state.leads.set_status(call.body["jing_uuid"], call.body["status"])
    call.emit_all(_status(change))
    before, after = change
    return {
        "jing_uuid": after["jing_uuid"],
        "from_leads_status": before.get("status", ""),
        "to_leads_status": after["status"],
    }


def update_lead_collaborators(call: Call) -> Json:
    body = call.body
    change = call.state.leads.change_collaborators(
        body["jing_uuid"], body.get("add", []), body.get("remove", [])
    )
    call.emit_all(_members(change))
    lead = change.after
    return {"jing_uuid": lead["jing_uuid"], "collaborators": lead["collaborators"]}


def lead_detail_link(call: Call) -> Json:
    lead = call.state.leads.get(call.body["jing_uuid"])
    return {"jing_uuid": lead["jing_uuid"], "url": DETAIL_LINK.format(jing_uuid=lead["jing_uuid"])}


HANDLERS: Handlers = {
    "lead.create": create_lead,
    "lead.update": update_lead,
    "lead.status.update": update_lead_status,
    "lead.collaborators.update": update_lead_collaborators,
    "lead.detail_link": lead_detail_link,
}
