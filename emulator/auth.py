"""Tokens: issue, refresh, rotation and expiry of access and refresh tokens, per app."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from emulator.clock import Clock, Ids
from emulator.envelope import ApiError
from emulator.spec import Json

BURIED = 10_000  # expired tokens remembered, the latest: they answer "expired", not "unknown"


@dataclass(slots=True)
class _Token:
    app_id: str
    expires_at: float


class _Tokens:
    """Tokens until they expire; then a record of the latest BURIED expired ones. Expired tokens
    go as new ones come, amortised O(1) each (tokens are issued in expiry order)."""

    def __init__(self) -> None:
        self._live: dict[str, _Token] = {}
        self._order: deque[str] = deque()  # live tokens oldest first (and some retired since)
        self._buried: dict[str, _Token] = {}
        self._burial: deque[str] = deque()

    def add(self, token: str, record: _Token) -> None:
        self._live[token] = record
        self._order.append(token)
        if len(self._order) > 2 * len(self._live) + 64:  # retired ones piled up: drop them
            self._order = deque(t for t in self._order if t in self._live)

    def get(self, token: str) -> _Token | None:
        """A live or recently expired token's record; None if unknown, retired or long gone."""
        return self._live.get(token) or self._buried.get(token)

    def retire(self, token: str) -> None:
        """Forget a live token at once: unknown from now on."""
        self._live.pop(token, None)

    def purge(self, now: float) -> None:
        """Bury the tokens expired by now (forgetting the oldest buried past BURIED)."""
        while self._order:
            record = self._live.get(self._order[0])
            if record is not None and record.expires_at > now:
                return
            token = self._order.popleft()
            if record is not None:
                del self._live[token]
                self._bury(token, record)

    def _bury(self, token: str, record: _Token) -> None:
        self._buried[token] = record
        self._burial.append(token)
        if len(self._burial) > BURIED:
            self._buried.pop(self._burial.popleft(), None)

    def keep(self, wanted: Callable[[_Token], bool]) -> None:
        """Forget every token (live or buried) whose record is not wanted."""
        self._live = {k: t for k, t in self._live.items() if wanted(t)}
        self._order = deque(t for t in self._order if t in self._live)
        self._buried = {k: t for k, t in self._buried.items() if wanted(t)}
        self._burial = deque(t for t in self._burial if t in self._buried)

    def __len__(self) -> int:
        return len(self._live) + len(self._buried)


class TokenStore:
    """Access tokens live token_ttl seconds, refresh tokens refresh_ttl; a new pair retires
    the app's previous refresh token (vendor page 刷新 Token)."""

    def __init__(self, clock: Clock, ids: Ids, token_ttl: int, refresh_ttl: int) -> None:
        self._clock, self._ids = clock, ids
        self._ttl, self._refresh_ttl = token_ttl, refresh_ttl
        self._access, self._refresh = _Tokens(), _Tokens()
        self._current_refresh: dict[str, str] = {}

    def issue(self, app_id: str) -> Json:
        """A new access/refresh pair for an app; its previous refresh token stops working."""
        now = self._clock.now()
        self._access.purge(now)
        self._refresh.purge(now)
        access, refresh = self._ids.token(), self._ids.token()
        self._access.add(access, _Token(app_id, now + self._ttl))
        self._refresh.retire(self._current_refresh.get(app_id, ""))
        self._refresh.add(refresh, _Token(app_id, now + self._refresh_ttl))
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

        self._access.keep(keep)
        self._refresh.keep(keep)
        self._current_refresh = {
            a: r for a, r in self._current_refresh.items() if self._refresh.get(r) is not None
        }

    def __len__(self) -> int:
        """Tokens remembered, live or recently expired (access and refresh)."""
        return len(self._access) + len(self._refresh)
