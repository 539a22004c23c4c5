"""Domains: one module per API group, each a store plus handlers keyed by operationId."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from emulator import envelope
from emulator.envelope import ApiError
from emulator.spec import Json, Operation

if TYPE_CHECKING:
    from emulator.tenants import Tenant, Tenants


@dataclass(frozen=True, slots=True)
class Call:
    """A validated call: what a handler gets, and the webhook events it emits."""

    op: Operation
    body: Any
    query: Mapping[str, Any]  # typed as the query schema declares (else text)
    app_id: str | None
    tenants: Tenants
    events: list[tuple[str, Json]] = field(default_factory=list)
    # The error table, so a batch can describe an item's failure as data.
    errors: Mapping[str, Json] = field(default_factory=lambda: MappingProxyType({}))
    listening: bool = True  # False: no webhook subscription of the app; events can be skipped

    def emit(self, event: str, payload: Json) -> None:
        """Queue a webhook event; it is published only if the whole call succeeds."""
        self.events.append((event, payload))

    def failure(self, index: int, error: ApiError) -> Json:
        """A batch item that failed, as data (batch answers list these, they do not raise)."""
        return envelope.failure(self.errors, index, error)

    def each(self, items: Iterable[Any], row: Callable[[int, Any], Json]) -> Json:
        """A batch answer: each item's row after its index or, if it raised, its failure."""
        success, failure = [], []
        for index, item in enumerate(items):
            try:
                success.append({"index": index, **row(index, item)})
            except ApiError as exc:
                failure.append(self.failure(index, exc))
        return {"success": success, "failure": failure}

    def emit_all(self, chain: Iterable[tuple[str, Json]]) -> None:
        """Queue a chain of webhook events (emulator.events builders), in order."""
        self.events.extend(chain)

    @property
    def state(self) -> Tenant:
        """The calling app's tenant (its stores)."""
        return self.tenants.get(self.app_id or "")


Handler = Callable[[Call], Any]
Handlers = dict[str, Handler]


def without(body: Json, *keys: str) -> Json:
    """The body's fields but these (an id the call names, page fields of a list)."""
    return {k: v for k, v in body.items() if k not in keys}


def all_handlers() -> Handlers:
    """Every domain's HANDLERS, joined."""
    from emulator.domains import (
        accounts,
        activities,
        crowds,
        custom_events,
        leads,
        members,
        oauth,
        outbox,
        privacy,
        qrcodes,
        scoring,
        social,
        sources,
        tags,
        users,
    )

    joined: Handlers = {}
    for module in (oauth, users, crowds, activities, accounts, tags, leads):
        joined.update(module.HANDLERS)
    for module in (members, custom_events, scoring):
        joined.update(module.HANDLERS)
    for module in (sources, social):
        joined.update(module.HANDLERS)
    for module in (outbox, qrcodes, privacy):
        joined.update(module.HANDLERS)
    return joined


__all__ = ["Call", "Handler", "Handlers", "Json", "all_handlers", "without"]
