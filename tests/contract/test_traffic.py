"""Traffic: fuzzed answers replace successes only, observers see every call, on both transports."""

from __future__ import annotations

import json

import httpx
import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract_tests.handle import _dumps, fixture_settings
from contract_tests.inprocess import serve_inprocess
from contract_tests.live import serve_live
from contract_tests.traffic import Seen, Traffic
from emulator import spec

CATALOGUE = spec.load()
QUERY = {"identities": [{"type": "mobile", "value": "13800000000"}]}
FUZZED = orjson.dumps({"code": 0, "data": {"list": [], "not_found": ["fuzzed"]}})


def test_without_fuzz_or_observers_the_body_passes_untouched() -> None:
    traffic = Traffic(CATALOGUE)
    body = b"not even json"
    assert traffic.after("POST", "/v1/user/query", 200, body, False) is body


def test_fuzzed_answers_replace_successes_and_leave_errors() -> None:
    seen: list[Seen] = []
    traffic = Traffic(CATALOGUE, {"user.query": FUZZED}, [seen.append])
    success = json.dumps({"code": 0, "data": {}}).encode()
    error = json.dumps({"code": 30006, "data": {"error": "invalid_request"}}).encode()
    assert traffic.after("POST", "/v1/user/query", 200, success, False) == FUZZED
    assert traffic.after("POST", "/v1/user/query", 200, error, False) == error
    assert traffic.after("GET", "/elsewhere", 404, b"{", True) == b"{"
    assert seen == [
        Seen("user.query", 200, True, None, False),
        Seen("user.query", 200, False, "invalid_request", False),
        Seen(None, 404, False, None, True),
    ]


def test_fuzz_serves_drawn_answers_in_process_until_unfuzzed() -> None:
    with (
        serve_inprocess() as handle,
        httpx.Client(base_url=handle.base_url, headers=handle.headers) as api,
    ):
        drawn: list[dict[str, object]] = []

        @settings(
            max_examples=5, database=None, deadline=None, suppress_health_check=list(HealthCheck)
        )
        @given(st.data())
        def check(data: st.DataObject) -> None:
            drawn.append(data.draw(handle.fuzz("user.query")))
            assert api.post("/v1/user/query", json=QUERY).json() == drawn[-1]
            assert api.post("/v1/user/query", json={}).json()["data"]["error"] == "invalid_request"

        check()
        handle.unfuzz("user.query")
        assert api.post("/v1/user/query", json=QUERY).json()["data"]["not_found"] == [
            "mobile:13800000000"
        ]
    assert len(drawn) == 5


def test_fuzz_serves_drawn_answers_on_the_live_server_too() -> None:
    with serve_live(fixture_settings({"rate_limits": "warn"})) as handle:
        handle.traffic.fuzzed["user.query"] = FUZZED
        seen: list[Seen] = []
        handle.traffic.observers.append(seen.append)
        with httpx.Client(base_url=handle.base_url, headers=handle.headers) as api:
            answer = api.post("/v1/user/query", json=QUERY)
            health = api.get("/_admin/health")
        handle.unfuzz()
    assert (answer.content, answer.headers["content-length"]) == (FUZZED, str(len(FUZZED)))
    assert health.json()["data"]["status"] == "ok"
    assert [s.operation for s in seen] == ["user.query", None]
    assert handle.traffic.fuzzed == {}


def test_answers_with_integers_past_64_bits_are_served_exactly() -> None:
    with serve_inprocess() as handle:
        big = {"code": 0, "data": {"list": [], "not_found": []}, "n": 2**70}
        handle.traffic.fuzzed["user.query"] = _dumps(big)
        got = httpx.post(f"{handle.base_url}/v1/user/query", json=QUERY, headers=handle.headers)
    assert got.json()["n"] == 2**70
