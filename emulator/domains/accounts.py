"""Accounts (customers): business types and account records."""

from __future__ import annotations

from emulator import events
from emulator.clock import Clock, Ids
from emulator.domains import Call, Handlers
from emulator.envelope import ApiError
from emulator.spec import Json


class AccountStore:
    """Accounts by jing_uuid, and the tenant's business types they must name."""

    def __init__(self, clock: Clock, ids: Ids) -> None:
        self._clock, self._ids = clock, ids
        self._business_types: dict[str, Json] = {}
        self._accounts: dict[str, Json] = {}

    def add_business_type(self, name: str, type_id: str | None = None) -> Json:
        """A business type accounts can be created with."""
        business_type = {"id": type_id or self._ids.short(), "name": name}
        self._business_types[business_type["id"]] = business_type
        return dict(business_type)

    def business_types(self) -> list[Json]:
        """The tenant's business types."""
        return [dict(b) for b in self._business_types.values()]

    def create(self, fields: Json) -> Json:
        """A new account; its business_type must be one of the tenant's."""
        kind = fields["business_type"]
        if kind not in self._business_types:
            known = ", ".join(self._business_types) or "none defined"
            raise ApiError(
                "unknown_business_type", business_type=kind, known=known, path="$.business_type"
            )
        now = self._clock.text()
        account = {**fields, "jing_uuid": self._ids.short(), "create_time": now, "update_time": now}
        self._accounts[account["jing_uuid"]] = account
        return account

    def get(self, jing_uuid: str) -> Json | None:
        """The account with this id, or None."""
        return self._accounts.get(jing_uuid)

    def reset(self) -> None:
        """Forget every account and business type."""
        self._business_types.clear()
        self._accounts.clear()


def create_account(call: Call) -> Json:
    account = call.state.accounts.create(call.body)
    call.emit_all(events.account_created(account, call.state.accounts.business_types()))
    return {"jing_uuid": account["jing_uuid"]}


HANDLERS: Handlers = {"account.create": create_account}
