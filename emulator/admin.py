"""The admin API (/_admin): health, reset, apps, clock, seed, journal, rate-limit counters,
webhooks, contract violations."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson

from emulator import origins, spec, webhook_admin
from emulator.core import Emulator, Request, Response, error_headers, no_route, served_by
from emulator.domains.outbox.store import listing
from emulator.envelope import DEFAULT_STYLE, ApiError, message
from emulator.spec import Json
from emulator.tenants import Tenant, same_secret
from emulator.validation import parse_json, require

# The peer's own address, as the server reports it from the socket: X-Forwarded-For, Forwarded and
# the like are never read, so no client can claim to be local. A transport that names the peer
# instead of giving an address may say "localhost"; any other name is not loopback.
LOOPBACK_NAME = "localhost"
AdminFn = Callable[[Emulator, Json], Any]


@dataclass(frozen=True, slots=True)
class AdminOp:
    fn: AdminFn
    schema: str | None = None
    open: bool = False  # answered to anyone (health)


def health(emu: Emulator, _: Json) -> Json:
    return {
        "status": "ok",
        "operations": len(emu.catalogue.operations),
        "apps": len(emu.tenants.apps()),
    }


def reset(emu: Emulator, body: Json) -> Json:
    emu.reset(_known(emu, body.get("app_id")))
    return {"reset": body.get("app_id", "all")}


def create_app(emu: Emulator, body: Json) -> Json:
    tenant = emu.tenants.provision(body.get("app_id"), body.get("app_secret"))
    tenant.owner_change_with_lead = body.get("owner_change_with_lead", False)
    return {"app_id": tenant.app_id, "app_secret": tenant.app_secret}


def list_apps(emu: Emulator, _: Json) -> Json:
    apps = emu.tenants.apps()
    return {"apps": [{"app_id": t.app_id, "users": len(t.users)} | _settings(t) for t in apps]}


def app_settings(emu: Emulator, body: Json) -> Json:
    tenant = emu.tenants.get(str(_known(emu, body["id"])))
    tenant.owner_change_with_lead = body["owner_change_with_lead"]
    return {"app_id": tenant.app_id} | _settings(tenant)


def _settings(tenant: Tenant) -> Json:
    return {"owner_change_with_lead": tenant.owner_change_with_lead}


def get_clock(emu: Emulator, _: Json) -> Json:
    return emu.clock.describe()


def set_clock(emu: Emulator, body: Json) -> Json:
    if "freeze" in body:
        emu.clock.freeze(body["freeze"])
    emu.webhooks.advance(body.get("advance_seconds", 0))  # runs each retry falling due on the way
    return emu.clock.describe()


def seed_tenant(emu: Emulator, body: Json) -> Json:
    app_id = _known(emu, body.get("app_id")) or emu.tenants.default.app_id
    tenant = emu.tenants.get(app_id)
    saved = tenant.save()
    try:
        loaded = emu.seed(app_id, body.get("path", body.get("dataset", "demo")))
    except ApiError as exc:
        tenant.restore(saved)  # all of the dataset or none of it
        raise _seed_refused(emu, app_id, saved, exc) from None
    return {"app_id": app_id, "loaded": loaded}


def _seed_refused(emu: Emulator, app_id: str, saved: bytes, exc: ApiError) -> ApiError:
    """A dataset that repeats what the app already holds says so, and what to do instead."""
    held = orjson.loads(saved)
    repeated = "duplicate_record" in f"{exc.key} {exc.params.get('reason', '')}"
    if not (repeated and (held["users"] or held["records"]["tables"])):
        return exc
    hint = f'Empty it first: POST /_admin/reset {{"app_id": "{app_id}"}}.'
    if app_id == emu.tenants.default.app_id:  # its reset brings back its data at start
        hint = (
            "The default app starts with --seed-data (demo by default) and a reset brings that "
            "back: serve with --seed-data none, or load the dataset into a new app (POST "
            "/_admin/apps, then seed with its app_id)."
        )
    return ApiError(
        "seed_conflict", app_id=app_id, reason=message(emu.catalogue.errors, exc), hint=hint
    )


def journal(emu: Emulator, _: Json) -> Json:
    return {"entries": list(emu.journal), "capacity": emu.journal.maxlen}


def ratelimits(emu: Emulator, _: Json) -> Json:
    return {"mode": emu.limiter.mode, "counters": emu.limiter.counters()}


def operations(emu: Emulator, _: Json) -> Json:
    return {
        "operations": [
            {
                "operationId": op.id,
                "method": op.method,
                "path": op.path,
                "fidelity": op.fidelity,
                "source": op.source,
                "served_by": served_by(op),
                "resource": op.resource,
                "kind": op.kind,
                "defined_in": op.origin,
                "assumed_rules": [
                    {"part": part, "path": path, "rule": rule}
                    for part, path, rule in origins.assumed_rules(op)
                ],
                "batch_rules_origin": origins.batch_origin(op),
            }
            for op in emu.catalogue.operations
        ]
    }


def outbox(emu: Emulator, query: Json) -> Json:
    app_id = _known(emu, query.get("app_id"))
    apps = [emu.tenants.get(app_id)] if app_id else emu.tenants.apps()
    return listing(apps, query.get("channel"))


def violations(emu: Emulator, _: Json) -> Json:
    found = emu.violations.list()
    return {"strict": emu.violations.enabled, "count": len(found), "violations": found}


ADMIN: dict[tuple[str, str], AdminOp] = {
    ("GET", "/_admin/health"): AdminOp(health, open=True),
    ("POST", "/_admin/reset"): AdminOp(reset, "reset_request"),
    ("GET", "/_admin/apps"): AdminOp(list_apps),
    ("POST", "/_admin/apps"): AdminOp(create_app, "app_request"),
    ("POST", "/_admin/apps/{id}/settings"): AdminOp(app_settings, "app_settings_request"),
    ("GET", "/_admin/clock"): AdminOp(get_clock),
    ("POST", "/_admin/clock"): AdminOp(set_clock, "clock_request"),
    ("POST", "/_admin/seed"): AdminOp(seed_tenant, "seed_request"),
    ("GET", "/_admin/journal"): AdminOp(journal),
    ("GET", "/_admin/ratelimits"): AdminOp(ratelimits),
    ("GET", "/_admin/operations"): AdminOp(operations),
    ("GET", "/_admin/outbox"): AdminOp(outbox),
    ("GET", "/_admin/webhooks/events"): AdminOp(webhook_admin.events),
    ("GET", "/_admin/webhooks/subscriptions"): AdminOp(webhook_admin.subscriptions),
    ("POST", "/_admin/webhooks/subscriptions"): AdminOp(
        webhook_admin.subscribe, "webhook_subscription_request"
    ),
    ("DELETE", "/_admin/webhooks/subscriptions/{id}"): AdminOp(webhook_admin.unsubscribe),
    ("GET", "/_admin/webhooks/deliveries"): AdminOp(webhook_admin.deliveries),
    ("GET", "/_admin/webhooks/deliveries/{id}"): AdminOp(webhook_admin.delivery),
    ("POST", "/_admin/webhooks/deliveries/{id}/redeliver"): AdminOp(webhook_admin.redeliver),
    ("DELETE", "/_admin/webhooks/deliveries/{id}"): AdminOp(webhook_admin.drop),
    ("POST", "/_admin/webhooks/trigger"): AdminOp(webhook_admin.trigger, "webhook_trigger_request"),
    ("GET", "/_admin/violations"): AdminOp(violations),
}


def _known(emu: Emulator, app_id: str | None) -> str | None:
    if app_id is not None and app_id not in emu.tenants:
        raise ApiError("app_not_found", app_id=app_id, path="$.app_id")
    return app_id


def handle_admin(emu: Emulator, request: Request) -> Response:
    """Serve one admin call in the default envelope; errors too."""
    envelope = emu.catalogue.envelopes[DEFAULT_STYLE]
    try:
        op, params = _route(request)
        _guard(emu, op, request)
        body = {**_body(op, request), **params}
        with emu.lock:
            return Response(200, emu.renderer.success(envelope, op.fn(emu, body)))
    except ApiError as exc:
        # the admin API is ours, not the vendor's: its errors keep their HTTP status
        return Response(*emu.renderer.http_error(envelope, exc), error_headers(exc))


def _route(request: Request) -> tuple[AdminOp, dict[str, str]]:
    op = ADMIN.get((request.method, request.path))
    if op is not None:
        return op, {}
    for (method, pattern), candidate in ADMIN.items():
        params = _match(pattern, request.path)
        if params is not None and method == request.method:
            return candidate, params
    allowed = {m for (m, p) in ADMIN if p == request.path or _match(p, request.path) is not None}
    raise no_route(request, sorted(allowed))


def _match(pattern: str, path: str) -> dict[str, str] | None:
    """The {name} segments of a path that matches a pattern with such segments, else None."""
    want, got = pattern.split("/"), path.split("/")
    if "{" not in pattern or len(want) != len(got):
        return None
    params = {w[1:-1]: g for w, g in zip(want, got, strict=True) if w.startswith("{") and g}
    fixed = all(w == g for w, g in zip(want, got, strict=True) if not w.startswith("{"))
    return params if fixed and len(params) == pattern.count("{") else None


def _guard(emu: Emulator, op: AdminOp, request: Request) -> None:
    token = emu.settings.admin_token
    if op.open:
        return
    if token is not None:
        if not same_secret(request.headers.get("x-admin-token", ""), token):
            raise _token_refused(request)
    elif not is_loopback(request.client):
        raise ApiError("admin_forbidden")


def is_loopback(client: str | None) -> bool:
    """Whether the peer's address is a loopback one (IPv4-mapped IPv6 included)."""
    if client == LOOPBACK_NAME:
        return True
    try:
        address = ipaddress.ip_address(client or "")
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def _token_refused(request: Request) -> ApiError:
    """No X-Admin-Token header, or one with the wrong token: each says which."""
    sent = "x-admin-token" in request.headers
    return ApiError("admin_token_mismatch" if sent else "admin_unauthorized")


def _body(op: AdminOp, request: Request) -> Json:
    if request.method == "GET":  # a listing takes its filters from the query string
        return dict(parse_qsl(request.query))
    if op.schema is None:
        return {}
    body = parse_json(request.body) if request.body.strip() else {}  # no body: the empty object
    require("invalid_admin_request", spec.schema_file(f"admin/{op.schema}.json"), body)
    return dict(body)
