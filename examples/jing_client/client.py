"""JingClient: a few operations of the API over httpx, with the token handled for the caller."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from jing_client.models import (
    ApiError,
    Identity,
    ImportResult,
    Json,
    QueryResult,
    UpsertResult,
    UserInput,
)

BASE_URL = "https://jingopenapi.jingsocial.com"
EXPIRED = "20004"  # the access token's lifetime is over: get a new one, send again


class JingClient:
    """Calls the API as one app; gets (and renews) the access token itself."""

    def __init__(self, app_id: str, app_secret: str, http: httpx.Client | None = None) -> None:
        self.app_id, self.app_secret = app_id, app_secret
        self.http = http or httpx.Client(base_url=BASE_URL, timeout=30)
        self._token: str | None = None

    def upsert_users(self, users: Sequence[UserInput]) -> UpsertResult:
        """Create or update users by identity (at most 100 per call)."""
        data = self._call("/v1/user/update", [u.to_json() for u in users])
        return UpsertResult.from_json(data)

    def query_users(self, identities: Sequence[Identity]) -> QueryResult:
        """The stored users some identities name."""
        data = self._call("/v1/user/query", {"identities": [i.to_json() for i in identities]})
        return QueryResult.from_json(data)

    def import_to_group(self, group_id: int, user_ids: Sequence[str]) -> ImportResult:
        """Add users to a static group."""
        body = {"group_id": group_id, "omni_user_uuids": list(user_ids)}
        return ImportResult.from_json(self._call("/v2/crowd/static/importByUuids", body))

    def create_account(self, name: str, business_type: str) -> str:
        """A new account's jing_uuid."""
        body = {"name": name, "business_type": business_type}
        return str(self._call("/v1/customer/create", body)["jing_uuid"])

    def token(self) -> str:
        """A fresh access token for the app."""
        body = {"app_id": self.app_id, "app_secret": self.app_secret}
        data = _data(self.http.post("/v1/oauth2/token", json=body))
        self._token = str(data["access_token"])
        return self._token

    def _call(self, path: str, body: Any) -> Json:
        try:
            return _data(self.http.post(path, json=body, headers=self._headers()))
        except ApiError as error:
            if error.code != EXPIRED:
                raise
            self.token()
            return _data(self.http.post(path, json=body, headers=self._headers()))

    def _headers(self) -> dict[str, str]:
        return {"app_id": self.app_id, "access_token": self._token or self.token()}


def _data(response: httpx.Response) -> Json:
    """The data of a success; any other answer raises ApiError. Success is code 0 or "10000"."""
    body = response.json()
    code = str(body.get("code"))
    if code not in ("0", "10000"):
        message = body.get("msg") or body.get("message") or ""
        raise ApiError(code, str(message), response.status_code)
    data: Json = body["data"]
    return data
