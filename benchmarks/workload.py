"""The workload: the user-update bodies, the credentials and the checks of an answer."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import orjson

from emulator.settings import Settings

TOKEN_PATH = "/v1/oauth2/token"
UPDATE_PATH = "/v1/user/update"
CUSTOM_FIELDS = 10
CREDENTIALS = Settings()  # the default app every fresh emulator starts with


@dataclass(frozen=True, slots=True)
class Body:
    name: str
    users: int
    payload: bytes


def user(index: int) -> dict[str, Any]:
    """One user: mobile first (the same identity type first in every item), email, 10 fields."""
    fields = {f"f{k}": f"value {k} of user {index:06d}, bench" for k in range(1, CUSTOM_FIELDS + 1)}
    identities = [
        {"type": "mobile", "value": f"139{index:08d}"},
        {"type": "email", "value": f"user{index:06d}@bench.example.com"},
    ]
    return {"identities": identities, "fields": fields}


def bodies() -> list[Body]:
    """The two bodies measured: a full 100-user batch (~50 KB) and a single user."""
    batch = [user(i) for i in range(100)]
    return [
        Body("100 users", 100, orjson.dumps(batch)),
        Body("1 user", 1, orjson.dumps([user(100_000)])),
    ]


def token_request() -> bytes:
    return orjson.dumps({"app_id": CREDENTIALS.app_id, "app_secret": CREDENTIALS.app_secret})


def business_headers(token: str) -> dict[str, str]:
    """The headers of every business call (the bare app gets the same, and ignores them)."""
    return {
        "Content-Type": "application/json",
        "app_id": CREDENTIALS.app_id,
        "access_token": token,
    }


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST over plain HTTP; an error status is an answer too, not an exception."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def fetch_token(base_url: str) -> str:
    status, raw = post(base_url + TOKEN_PATH, token_request(), {"Content-Type": "application/json"})
    if status != 200:
        raise RuntimeError(f"token call answered {status}: {raw[:300]!r}")
    return str(orjson.loads(raw)["data"]["access_token"])


def check_update(status: int, raw: bytes, body: Body) -> None:
    """Fail loudly unless the emulator accepted every user of the body."""
    answer = orjson.loads(raw) if raw else {}
    data = answer.get("data") or {}
    accepted = len(data.get("success", []))
    if status != 200 or answer.get("code") != "10000" or accepted != body.users:
        raise RuntimeError(f"user update ({body.name}) answered {status}: {raw[:300]!r}")
