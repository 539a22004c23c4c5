"""Tokens: issue, refresh, rotation and expiry of access and refresh tokens, per app."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.clock import Clock, Ids
from emulator.envelope import ApiError
from emulator.spec import Json


@dataclass(slots=True)
class _Token:
    app_id: str
    expires_at: float


class TokenStore:
    """Access tokens live token_ttl seconds, refresh tokens refresh_ttl; a new pair retires
    the app's previous refresh token (vendor page 刷新 Token)."""

    def __init__(self, clock: Clock, ids: Ids, token_ttl: int, refresh_ttl: int) -> None:
        self._clock, self._ids = clock, ids
        self._ttl, self._refresh_ttl = token_ttl, refresh_ttl
        self._access: dict[str, _Token] = {}
        self._refresh: dict[str, _Token] = {}
        self._current_refresh: dict[str, str] = {}

    def issue(self, app_id: str) -> Json:
        """A new access/refresh pair for an app; its previous refresh token stops working."""
        now = self._clock.now()
        access, refresh = self._ids.token(), self._ids.token()
        self._access[access] = _Token(app_id, now + self._ttl)
        self._refresh.pop(self._current_refresh.get(app_id, ""), None)
        self._refresh[refresh] = _Token(app_id, now + self._refresh_ttl)
        self._current_refresh[app_id] = refresh
        return {
            "access_token": access,
            "refresh_token": refresh,
            "scope": "all",
            "token_type": "bearer",
            "expires_in": self._ttl,
        }

    def refresh(self, app_id: str, refresh_token: str) -> Json:
        """Trade a live refresh token of this app for a new pair (the old one is retired)."""
        record = self._refresh.get(refresh_token)
        if record is None or record.app_id != app_id:
            raise ApiError("invalid_refresh_token", token=refresh_token, path="$.refresh_token")
        if record.expires_at <= self._clock.now():
            expired_at = self._clock.text(record.expires_at)
            raise ApiError("refresh_token_expired", expired_at=expired_at, path="$.refresh_token")
        return self.issue(app_id)

    def verify(self, app_id: str, access_token: str) -> None:
        """Raise the matching error unless the token is live and was issued to this app."""
        record = self._access.get(access_token)
        if record is None:
            raise ApiError("invalid_access_token", token=access_token, path="headers.access_token")
        if record.app_id != app_id:
            raise ApiError("token_app_mismatch", app_id=app_id, path="headers.access_token")
        if record.expires_at <= self._clock.now():
            expired_at = self._clock.text(record.expires_at)
            raise ApiError(
                "access_token_expired", expired_at=expired_at, path="headers.access_token"
            )

    def revoke(self, app_id: str | None = None) -> None:
        """Drop every token of one app, or all tokens."""

        def keep(t: _Token) -> bool:
            return app_id is not None and t.app_id != app_id

        self._access = {k: t for k, t in self._access.items() if keep(t)}
        self._refresh = {k: t for k, t in self._refresh.items() if keep(t)}
        self._current_refresh = {
            a: r for a, r in self._current_refresh.items() if r in self._refresh
        }
