"""The admin API (/_admin): health, reset, apps, clock, seed, journal, rate-limit counters,
contract violations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator import spec
from emulator.core import Emulator, Request, Response, no_route
from emulator.envelope import DEFAULT_STYLE, ApiError
from emulator.spec import Json
from emulator.validation import parse_json, require

LOOPBACK = ("127.", "::1", "localhost")
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
    return {"app_id": tenant.app_id, "app_secret": tenant.app_secret}


def list_apps(emu: Emulator, _: Json) -> Json:
    return {"apps": [{"app_id": t.app_id, "users": len(t.users)} for t in emu.tenants.apps()]}


def get_clock(emu: Emulator, _: Json) -> Json:
    return emu.clock.describe()


def set_clock(emu: Emulator, body: Json) -> Json:
    if "freeze" in body:
        emu.clock.freeze(body["freeze"])
    emu.clock.advance(body.get("advance_seconds", 0))
    return emu.clock.describe()


def seed_tenant(emu: Emulator, body: Json) -> Json:
    app_id = _known(emu, body.get("app_id")) or emu.tenants.default.app_id
    return {
        "app_id": app_id,
        "loaded": emu.seed(app_id, body.get("path", body.get("dataset", "demo"))),
    }


def journal(emu: Emulator, _: Json) -> Json:
    return {"entries": list(emu.journal), "capacity": emu.journal.maxlen}


def ratelimits(emu: Emulator, _: Json) -> Json:
    return {"mode": emu.limiter.mode, "counters": emu.limiter.counters()}


def violations(emu: Emulator, _: Json) -> Json:
    found = emu.violations.list()
    return {"strict": emu.violations.enabled, "count": len(found), "violations": found}


ADMIN: dict[tuple[str, str], AdminOp] = {
    ("GET", "/_admin/health"): AdminOp(health, open=True),
    ("POST", "/_admin/reset"): AdminOp(reset, "reset_request"),
    ("GET", "/_admin/apps"): AdminOp(list_apps),
    ("POST", "/_admin/apps"): AdminOp(create_app, "app_request"),
    ("GET", "/_admin/clock"): AdminOp(get_clock),
    ("POST", "/_admin/clock"): AdminOp(set_clock, "clock_request"),
    ("POST", "/_admin/seed"): AdminOp(seed_tenant, "seed_request"),
    ("GET", "/_admin/journal"): AdminOp(journal),
    ("GET", "/_admin/ratelimits"): AdminOp(ratelimits),
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
        op = _route(request)
        _guard(emu, op, request)
        body = _body(op, request)
        with emu.lock:
            return Response(200, emu.renderer.success(envelope, op.fn(emu, body)))
    except ApiError as exc:
        return Response(*emu.renderer.error(envelope, exc))


def _route(request: Request) -> AdminOp:
    op = ADMIN.get((request.method, request.path))
    if op is None:
        raise no_route(request, sorted(m for (m, p) in ADMIN if p == request.path))
    return op


def _guard(emu: Emulator, op: AdminOp, request: Request) -> None:
    token = emu.settings.admin_token
    if op.open:
        return
    if token is not None:
        if request.headers.get("x-admin-token") != token:
            raise ApiError("admin_unauthorized")
    elif not (request.client or "").startswith(LOOPBACK):
        raise ApiError("admin_forbidden")


def _body(op: AdminOp, request: Request) -> Json:
    if op.schema is None or not request.body.strip():
        return {}
    body = parse_json(request.body)
    require("invalid_admin_request", spec.schema_file(f"admin/{op.schema}.json"), body)
    return dict(body)
