"""OAuth: access tokens for an app's id and secret, and their refresh."""

from __future__ import annotations

from emulator.domains import Call, Handlers
from emulator.spec import Json


def get_token(call: Call) -> Json:
    tenant = call.tenants.check_secret(call.body["app_id"], call.body["app_secret"])
    return call.tenants.tokens.issue(tenant.app_id)


def refresh_token(call: Call) -> Json:
    tenant = call.tenants.check_secret(call.body["app_id"], call.body["app_secret"])
    return call.tenants.tokens.refresh(tenant.app_id, call.body["refresh_token"])


HANDLERS: Handlers = {"oauth.get_token": get_token, "oauth.refresh_token": refresh_token}
