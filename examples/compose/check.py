"""A client of the emulator service: get a token, create a user, query it back; exit 0 or 1.

Standard library only, so that it runs in any image with python3.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from typing import Any

URL = os.environ.get("JING_EMULATOR_URL", "http://127.0.0.1:8080")
APP_ID = os.environ["JING_EMULATOR_APP_ID"]
APP_SECRET = os.environ["JING_EMULATOR_APP_SECRET"]
ADMIN_TOKEN = os.environ["JING_EMULATOR_ADMIN_TOKEN"]
WAIT_SECONDS = 60.0
MOBILE = "13800000042"


def call(path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    """One JSON request; the decoded answer, whatever its HTTP status."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(URL + path, data=data, headers=headers or {})
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:
        return json.load(error)


def wait_for_health() -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            if call("/_admin/health")["data"]["status"] == "ok":
                return
        except (OSError, ValueError):  # not listening yet
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def check() -> list[str]:
    """What went wrong; empty when the emulator behaved."""
    wait_for_health()
    reset = call("/_admin/reset", {}, {"X-Admin-Token": ADMIN_TOKEN})
    if reset.get("code") != 0:
        return [f"the admin API refused the token: {reset}"]
    token = call("/v1/oauth2/token", {"app_id": APP_ID, "app_secret": APP_SECRET})
    headers = {"app_id": APP_ID, "access_token": token["data"]["access_token"]}
    user = {"identities": [{"type": "mobile", "value": MOBILE}]}
    created = call("/v1/user/update", [user], headers)
    if not created["data"].get("success"):
        return [f"user update failed: {created}"]
    uuid = created["data"]["success"][0]["omni_user_uuid"]
    found = call("/v1/user/query", {"omni_user_uuids": [uuid]}, headers)
    problems = []
    if [u.get("omni_user_uuid") for u in found["data"].get("list", [])] != [uuid]:
        problems.append(f"user {uuid} not found back: {found}")
    refused = call("/v1/user/query", {"omni_user_uuids": [uuid]}, {"app_id": APP_ID})
    if refused["data"].get("error") != "missing_credentials":
        problems.append(f"a call without an access token was not refused: {refused}")
    return problems


def main() -> int:
    problems = check()
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    print("compose check: ok" if not problems else "compose check: failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
