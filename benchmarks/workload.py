"""The workloads: request bodies, the credentials and the checks that the work was done."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from emulator.settings import Settings

TOKEN_PATH = "/v1/oauth2/token"
UPDATE_PATH = "/v1/user/update"
QUERY_PATH = "/v1/user/query"
IMPORT_PATH = "/v2/crowd/static/importByUuids"
SEED_PATH = "/_admin/seed"
GROUP_ID = 20541  # the group id of the vendor's import sample
CUSTOM_FIELDS = 10
CREDENTIALS = Settings()  # the default app every fresh emulator starts with

Check = Callable[[int, bytes], None]


@dataclass(frozen=True, slots=True)
class Body:
    name: str
    users: int
    payload: bytes


@dataclass(frozen=True, slots=True)
class Workload:
    """One request, repeated under load: what it is, where it goes, and how to check it."""

    name: str
    path: str
    payload: bytes
    check: Check  # raises unless the emulator's answer shows the work was done


def user(index: int) -> dict[str, Any]:
    """One user: mobile first (the same identity type first in every item), email, 10 fields."""
    fields = {f"f{k}": f"value {k} of user {index:06d}, bench" for k in range(1, CUSTOM_FIELDS + 1)}
    identities = [
        {"type": "mobile", "value": mobile(index)},
        {"type": "email", "value": f"user{index:06d}@bench.example.com"},
    ]
    return {"identities": identities, "fields": fields}


def mobile(index: int) -> str:
    return f"139{index:08d}"


def bodies() -> list[Body]:
    """The two update bodies measured: a full 100-user batch (~50 KB) and a single user."""
    batch = [user(i) for i in range(100)]
    return [
        Body("100 users", 100, orjson.dumps(batch)),
        Body("1 user", 1, orjson.dumps([user(100_000)])),
    ]


def prepare(base_url: str, headers: dict[str, str]) -> list[Workload]:
    """Store the users and a group in a fresh emulator, and check one call of each workload."""
    seed_group(base_url)
    big, one = bodies()
    uuids = check_update(*post(base_url + UPDATE_PATH, big.payload, headers), big)
    group = import_workload(uuids)
    check_first_import(*post(base_url + IMPORT_PATH, group.payload, headers), len(uuids))
    work = [update_workload(big), update_workload(one), group, query_workload(big.users)]
    for workload in work:
        workload.check(*post(base_url + workload.path, workload.payload, headers))
    return work


def update_workload(body: Body) -> Workload:
    def check(status: int, raw: bytes) -> None:
        check_update(status, raw, body)

    return Workload(f"update {body.name}", UPDATE_PATH, body.payload, check)


def import_workload(uuids: list[str]) -> Workload:
    """Import the stored users into the group; once they are members, each counts as an error."""
    payload = orjson.dumps({"group_id": GROUP_ID, "omni_user_uuids": uuids})

    def check(status: int, raw: bytes) -> None:
        data = _data(status, raw, "10000", "group import")
        if data.get("success_number", 0) + data.get("error_number", 0) != len(uuids):
            _fail("group import", status, raw)

    return Workload(f"import {len(uuids)} users", IMPORT_PATH, payload, check)


def query_workload(count: int) -> Workload:
    """Query stored users by their mobile identity; every one must be found."""
    identities = [{"type": "mobile", "value": mobile(i)} for i in range(count)]
    payload = orjson.dumps({"identities": identities})

    def check(status: int, raw: bytes) -> None:
        data = _data(status, raw, 0, "user query")
        if len(data.get("list", [])) != count or data.get("not_found"):
            _fail("user query", status, raw)

    return Workload(f"query {count} users", QUERY_PATH, payload, check)


def seed_group(base_url: str) -> None:
    dataset = {"groups": [{"group_id": GROUP_ID, "name": "bench"}]}
    status, raw = post(base_url + SEED_PATH, orjson.dumps({"dataset": dataset}), {})
    _data(status, raw, 0, "group seed")


def check_first_import(status: int, raw: bytes, count: int) -> None:
    """The first import adds every user: all of them are stored, none is a member yet."""
    if _data(status, raw, "10000", "group import").get("success_number") != count:
        _fail("first group import", status, raw)


def token_request() -> bytes:
    return orjson.dumps({"app_id": CREDENTIALS.app_id, "app_secret": CREDENTIALS.app_secret})


def business_headers(token: str) -> dict[str, str]:
    """The headers of every business call (the peers get the same)."""
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


def check_update(status: int, raw: bytes, body: Body) -> list[str]:
    """Fail loudly unless the emulator accepted every user of the body; their ids."""
    accepted = _data(status, raw, "10000", f"user update ({body.name})").get("success", [])
    if len(accepted) != body.users:
        _fail(f"user update ({body.name})", status, raw)
    return [str(u["omni_user_uuid"]) for u in accepted]


def _data(status: int, raw: bytes, code: str | int, what: str) -> dict[str, Any]:
    answer = orjson.loads(raw) if raw else {}
    if status != 200 or not isinstance(answer, dict) or answer.get("code") != code:
        _fail(what, status, raw)
    data = answer.get("data")
    return data if isinstance(data, dict) else {}


def _fail(what: str, status: int, raw: bytes) -> None:
    raise RuntimeError(f"{what} answered {status}: {raw[:300]!r}")
