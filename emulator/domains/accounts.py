"""Accounts (customers): account records and the business types they name, as tenant records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator import events
from emulator.domains import Call, Handlers, without
from emulator.domains.crm import Change, CrmFields
from emulator.spec import Json

if TYPE_CHECKING:
    from emulator.engine import Records

ACCOUNT = "account"
BUSINESS_TYPE = "business_type"
MANUAL_ASSIGN = 2  # the scene_type of an owner an API call sets (docs/ASSUMPTIONS.md, Webhooks)


class AccountStore:
    """Accounts (resource `account`, by jing_uuid) and business types (resource `business_type`)
    in the tenant's records, so the engine's account and CRM reads see what is written here."""

    def __init__(self, records: Records) -> None:
        self._records = records
        self._crm = CrmFields(records)

    def add_business_type(self, name: str, type_id: str | None = None) -> Json:
        """A business type accounts and leads can be created with."""
        fields = {"name": name} if type_id is None else {"id": type_id, "name": name}
        return dict(self._records.create(BUSINESS_TYPE, fields))

    def business_types(self) -> list[Json]:
        """The tenant's business types."""
        return [dict(b) for b in self._records.find(BUSINESS_TYPE)]

    def create(self, fields: Json) -> Json:
        """A new account: known business type, option values from their sets, an employee as
        owner, no read-only custom field."""
        self._check(fields)
        return self._records.create(ACCOUNT, fields)

    def update(self, jing_uuid: str, fields: Json) -> Change:
        """Change an account's fields, checked as on create; the one place accounts change
        (owner included)."""
        before = dict(self._records.get(ACCOUNT, jing_uuid))
        self._check(fields)
        return Change(before, self._records.update(ACCOUNT, jing_uuid, fields))

    def get(self, jing_uuid: str) -> Json | None:
        """The account with this id, or None."""
        return self._records.lookup(ACCOUNT, jing_uuid)

    def reset(self) -> None:
        """Forget every account and business type."""
        for resource in (ACCOUNT, BUSINESS_TYPE):
            res = self._records.resource(resource)
            for record in self._records.find(resource):
                self._records.delete(resource, record[res.id_field])

    def _check(self, fields: Json) -> None:
        self._crm.check(ACCOUNT, fields)
        if "owner" in fields:
            self._crm.check_employee(fields["owner"], "$.owner")


def former_owner(records: Records, before: Json) -> tuple[str | None, str | None, int]:
    """(id, name, scene_type) of the owner a record had before an API call changed it."""
    former = before.get("owner")  # owners are checked employees, and employees stay
    return former, records.get("employee", former)["name"] if former else None, MANUAL_ASSIGN


def _changed(call: Call, change: Change) -> events.Chain:
    """object_update of the changed fields, then object_change_owner if the owner changed."""
    before, after = change
    chain = events.account_updated(before, after, call.state.accounts.business_types())
    if before.get("owner") != after.get("owner"):
        chain += events.account_owner_changed(after, former_owner(call.state.records, before))
    return chain


def create_account(call: Call) -> Json:
    account = call.state.accounts.create(call.body)
    call.emit_all(events.account_created(account, call.state.accounts.business_types()))
    return {"jing_uuid": account["jing_uuid"]}


def update_account(call: Call) -> Json:
    change = call.state.accounts.update(call.body["jing_uuid"], without(call.body, "jing_uuid"))
    call.emit_all(_changed(call, change))
    return change.after


HANDLERS: Handlers = {"account.create": create_account, "account.update": update_account}
