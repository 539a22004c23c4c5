"""Tenants: one per app_id, each with its own stores; credentials and the token store."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

import orjson

from emulator.auth import TokenStore
from emulator.clock import Clock, Ids
from emulator.conventions import Resource
from emulator.domains.accounts import AccountStore
from emulator.domains.activities import ActivityStore
from emulator.domains.crowds import CrowdStore
from emulator.domains.custom_events import CustomEventStore
from emulator.domains.leads import LeadStore
from emulator.domains.members import MemberStore
from emulator.domains.outbox.store import Outbox
from emulator.domains.privacy import Privacy
from emulator.domains.qrcodes import QrCodes
from emulator.domains.scoring import ScoreStore
from emulator.domains.social import SocialStore
from emulator.domains.sources import SourceStore
from emulator.domains.tags import TagStore
from emulator.domains.users import UserStore
from emulator.engine import Records
from emulator.envelope import ApiError
from emulator.settings import Settings

Resources = Mapping[str, Resource]


class Tenant:
    """One app's world: its credentials and its stores."""

    def __init__(
        self, app_id: str, app_secret: str, clock: Clock, ids: Ids, resources: Resources
    ) -> None:
        self.app_id, self.app_secret = app_id, app_secret
        # The vendor's staff switch on the object_change_owner variant with the lead's data.
        self.owner_change_with_lead = False
        self.records = Records(resources, clock, ids)
        self.users = UserStore(clock, ids)
        # Every other store keeps its data in the records (so engine reads see domain writes).
        self.tags = TagStore(self.records, self.users)
        self.crowds = CrowdStore(self.records)
        self.activities = ActivityStore(self.records, clock)
        self.sources = SourceStore(self.records)
        self.social = SocialStore(self.records, self.users)
        self.accounts = AccountStore(self.records)
        self.leads = LeadStore(self.records, self.users)
        self.members = MemberStore(self.records, self.users)
        self.custom_events = CustomEventStore(self.records, self.users, clock)
        self.scores = ScoreStore(self.records, self.users, clock)
        self.outbox = Outbox(clock, self.records, self.users, self.crowds)
        self.qrcodes = QrCodes(clock, self.records)
        self.privacy = Privacy(clock, self.records, self.users)

    def reset(self) -> None:
        """Empty every store: the users and the records (which hold every other store's data)."""
        self.users.reset()
        self.records.reset()

    def save(self) -> bytes:
        """Every store's data, as bytes that `restore` turns back into the same data."""
        return orjson.dumps({"users": self.users.records(), "records": self.records.dump()})

    def restore(self, saved: bytes) -> None:
        """Hold exactly what `save` held (copies: later changes leave the saved bytes alone)."""
        data = orjson.loads(saved)
        self.users.load(data["users"])
        self.records.load(data["records"])


class Tenants:
    """The apps known to the emulator; the default app is provisioned at start."""

    def __init__(self, settings: Settings, clock: Clock, ids: Ids, resources: Resources) -> None:
        self._settings, self._clock, self._ids = settings, clock, ids
        self._resources = resources
        self.tokens = TokenStore(clock, ids, settings.token_ttl, settings.refresh_ttl)
        self._apps: dict[str, Tenant] = {}
        self.default = self._provision_default()

    def _provision_default(self) -> Tenant:
        tenant = self.provision(self._settings.app_id, self._settings.app_secret)
        tenant.owner_change_with_lead = self._settings.owner_change_with_lead
        return tenant

    def provision(self, app_id: str | None = None, app_secret: str | None = None) -> Tenant:
        """A new app, with vendor-shaped credentials where none are given."""
        app_id = app_id or self._clock.text().translate(
            {ord(c): None for c in "- :"}
        ) + self._ids.digits(13)
        if app_id in self._apps:
            raise ApiError("app_exists", app_id=app_id, path="$.app_id")
        secret = app_secret or self._ids.hex32()
        tenant = Tenant(app_id, secret, self._clock, self._ids, self._resources)
        self._apps[app_id] = tenant
        return tenant

    def get(self, app_id: str) -> Tenant:
        """The tenant of an app_id."""
        tenant = self._apps.get(app_id)
        if tenant is None:
            raise ApiError("unknown_app", app_id=app_id, path="$.app_id")
        return tenant

    def check_secret(self, app_id: str, app_secret: str) -> Tenant:
        """The tenant, if the secret is the app's."""
        tenant = self.get(app_id)
        if not same_secret(app_secret, tenant.app_secret):
            raise ApiError("invalid_app_secret", app_id=app_id, path="$.app_secret")
        return tenant

    def authenticate(self, headers: Mapping[str, str]) -> Tenant:
        """The tenant named by the app_id and access_token headers, or the precise failure."""
        for header in ("app_id", "access_token"):
            if not headers.get(header):
                raise ApiError("missing_credentials", header=header, path=f"headers.{header}")
        app_id = headers["app_id"]
        if app_id not in self:
            raise ApiError("unknown_app", app_id=app_id, path="headers.app_id")
        self.tokens.verify(app_id, headers["access_token"])
        return self._apps[app_id]

    def __contains__(self, app_id: object) -> bool:
        return app_id in self._apps

    def apps(self) -> list[Tenant]:
        """Every tenant, in the order provisioned."""
        return list(self._apps.values())

    def reset(self) -> None:
        """Back to the start: only the default app, no tokens, empty stores."""
        self.tokens.revoke()
        self._apps.clear()
        self.default = self._provision_default()


def same_secret(given: str, expected: str) -> bool:
    """Whether a credential matches, compared in constant time (as UTF-8: any text compares)."""
    return hmac.compare_digest(given.encode(), expected.encode())
