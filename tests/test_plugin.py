"""The pytest plugin, used as a project would use it: test files run by pytester."""

from __future__ import annotations

import subprocess
import sys
import threading

import httpx
import pytest
import uvicorn

from contract_tests.handle import BASE_URL, CLOCK_START, fixture_settings
from contract_tests.inprocess import serve_inprocess
from contract_tests.live import serve_live, wait_until_started

# Shared by the generated test files: one user written, then read back.
PREAMBLE = """
import asyncio
import json
import urllib.request
from urllib.error import HTTPError

import httpx
import pytest

MOBILE = "13800000000"
USER = {"identities": [{"type": "mobile", "value": MOBILE}], "fields": {"city": "上海"}}
QUERY = {"identities": [{"type": "mobile", "value": MOBILE}]}


def client(handle):
    return httpx.Client(base_url=handle.base_url, headers=handle.headers)


def post(handle, path, body):
    data = json.dumps(body).encode()
    headers = {**handle.headers, "content-type": "application/json"}
    request = urllib.request.Request(handle.base_url + path, data, headers, method="POST")
    with urllib.request.urlopen(request) as response:
        return response.status, json.load(response)
"""


def run(pytester: pytest.Pytester, source: str) -> pytest.RunResult:
    """Run one generated test file the way a project's CI would: warnings are errors."""
    pytester.makepyfile(PREAMBLE + source)
    # Hypothesis's plugin would import hypothesis afresh in every run: a second each.
    plugins = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
    return pytester.runpytest("-W", "error", "--strict-markers", *plugins)


def emulator_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("jing-emulator")]


def test_inprocess_fixture_serves_sync_and_async_clients(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_written_by_a_sync_client_is_read_by_an_async_one(jing_emulator):
    assert jing_emulator.base_url == "https://jingopenapi.jingsocial.com"
    assert jing_emulator.headers == {
        "app_id": jing_emulator.app_id, "access_token": jing_emulator.access_token}
    with client(jing_emulator) as sync_client:
        written = sync_client.post("/v1/user/update", json=[USER])
    assert written.status_code == 200
    assert written.json()["data"]["failure"] == []

    async def read():
        async with httpx.AsyncClient(
            base_url=jing_emulator.base_url, headers=jing_emulator.headers
        ) as async_client:
            return await async_client.post("/v1/user/query", json=QUERY)

    found = asyncio.run(read())
    assert found.status_code == 200
    assert found.json()["data"]["list"][0]["fields"] == {"city": "上海"}


def test_each_test_gets_a_fresh_emulator(jing_emulator):
    with client(jing_emulator) as sync_client:
        found = sync_client.post("/v1/user/query", json=QUERY).json()
    assert found["data"]["not_found"] == ["mobile:13800000000"]
""",
    )
    result.assert_outcomes(passed=2)


def test_advance_expires_the_access_token_after_its_lifetime(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_token_lives_7200_seconds(jing_emulator):
    with client(jing_emulator) as sync_client:
        jing_emulator.advance(7199)
        assert sync_client.post("/v1/user/query", json=QUERY).status_code == 200
        jing_emulator.advance(1)
        expired = sync_client.post("/v1/user/query", json=QUERY)
    assert expired.status_code == 401
    assert int(expired.json()["code"]) == 20004
""",
    )
    result.assert_outcomes(passed=1)


def test_reset_clears_data_and_the_handle_token_still_works(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_reset(jing_emulator):
    with client(jing_emulator) as sync_client:
        sync_client.post("/v1/user/update", json=[USER])
    jing_emulator.advance(7200)
    jing_emulator.reset()
    assert jing_emulator.journal == []
    with client(jing_emulator) as sync_client:
        found = sync_client.post("/v1/user/query", json=QUERY)
    assert found.status_code == 200
    assert found.json()["data"]["list"] == []
""",
    )
    result.assert_outcomes(passed=1)


def test_journal_records_the_calls_and_admin_api_answers(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_journal(jing_emulator):
    with client(jing_emulator) as sync_client:
        sync_client.post("/v1/user/update", json=[USER])
        sync_client.post("/v1/user/query", json=QUERY, params={"trace": "1"})
        admin = sync_client.get("/_admin/journal").json()["data"]["entries"]
    calls = [(e["method"], e["path"], e["status"]) for e in jing_emulator.journal]
    assert calls == [("POST", "/v1/user/update", 200), ("POST", "/v1/user/query", 200)]
    assert admin == jing_emulator.journal
    assert jing_emulator.journal[0]["app_id"] == jing_emulator.app_id
""",
    )
    result.assert_outcomes(passed=1)


def test_marker_overrides_settings_closest_marker_first(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def users(handle):
    with client(handle) as sync_client:
        return sync_client.get("/_admin/apps").json()["data"]["apps"][0]["users"]


def test_defaults_are_seeded_demo_data_and_enforced_limits(jing_emulator):
    assert users(jing_emulator) == 24
    assert jing_emulator.emulator.settings.rate_limits == "enforce"


@pytest.mark.jing_emulator(seed_data="none", rate_limits="warn")
class TestOverridden:
    @pytest.mark.jing_emulator(rate_limits="off")
    def test_method_marker_wins_over_class_marker(self, jing_emulator):
        assert users(jing_emulator) == 0
        with client(jing_emulator) as sync_client:
            limits = sync_client.get("/_admin/ratelimits").json()["data"]
        assert limits["mode"] == "off"
""",
    )
    result.assert_outcomes(passed=2)


def test_marker_with_bad_arguments_errors_the_test(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@pytest.mark.jing_emulator("off")
def test_positional(jing_emulator):
    assert False  # never runs: setup errors, the marker takes keywords only


@pytest.mark.jing_emulator(colour="blue")
def test_unknown_field(jing_emulator):
    assert False  # never runs: setup errors, Settings has no field colour
""",
    )
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*takes keyword arguments only*", "*unexpected keyword*colour*"])


def test_calls_to_other_hosts_pass_through_unchanged(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_live_server_reached_while_inprocess_route_is_active(jing_emulator, jing_emulator_server):
    status, _ = post(jing_emulator_server, "/v1/user/update", [USER])
    with httpx.Client(headers=jing_emulator_server.headers) as sync_client:
        found = sync_client.post(jing_emulator_server.base_url + "/v1/user/query", json=QUERY)
    assert (status, found.status_code) == (200, 200)
    assert len(jing_emulator_server.journal) == 2
    assert jing_emulator.journal == []
""",
    )
    result.assert_outcomes(passed=1)


def test_another_respx_mock_decides_for_other_hosts(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
import respx


ORDERS = [("jing_emulator", "respx_mock"), ("respx_mock", "jing_emulator")]


@pytest.mark.parametrize("order", ORDERS)
def test_both_mocks_answer_whichever_starts_first(request, order):
    fixtures = {name: request.getfixturevalue(name) for name in order}
    jing, respx_mock = fixtures["jing_emulator"], fixtures["respx_mock"]
    respx_mock.get("https://example.org/ping").respond(204)
    assert httpx.get("https://example.org/ping").status_code == 204
    found = httpx.post(jing.base_url + "/v1/user/query", json=QUERY, headers=jing.headers)
    assert found.status_code == 200
    with pytest.raises(respx.models.AllMockedAssertionError):
        httpx.get("https://example.net/")
""",
    )
    result.assert_outcomes(passed=2)


def test_server_fixture_serves_http_and_resets_between_tests(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
PORTS = set()


def test_writes_and_reads_back(jing_emulator_server):
    PORTS.add(jing_emulator_server.base_url)
    assert jing_emulator_server.base_url.startswith("http://127.0.0.1:")
    assert post(jing_emulator_server, "/v1/user/update", [USER])[0] == 200
    status, found = post(jing_emulator_server, "/v1/user/query", QUERY)
    assert found["data"]["list"][0]["fields"] == {"city": "上海"}
    jing_emulator_server.advance(7200)
    with pytest.raises(HTTPError) as expired:
        post(jing_emulator_server, "/v1/user/query", QUERY)
    with expired.value as error:
        assert (error.code, int(json.load(error)["code"])) == (401, 20004)


def test_next_test_starts_fresh_on_the_same_server(jing_emulator_server):
    PORTS.add(jing_emulator_server.base_url)
    assert len(PORTS) == 1
    status, found = post(jing_emulator_server, "/v1/user/query", QUERY)
    assert (status, found["data"]["list"]) == (200, [])
    assert len(jing_emulator_server.journal) == 1


@pytest.mark.jing_emulator(seed_data="none")
def test_marker_gets_a_server_of_its_own(jing_emulator_server):
    assert jing_emulator_server.base_url not in PORTS
    with client(jing_emulator_server) as sync_client:
        apps = sync_client.get("/_admin/apps").json()["data"]["apps"]
    assert apps[0]["users"] == 0
""",
    )
    result.assert_outcomes(passed=3)
    assert emulator_threads() == []


def test_events_fixture_collects_delivered_events_in_order(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
import jsonschema
import pytest

from emulator import spec

MOVED = {**USER, "fields": {"city": "北京"}}


@pytest.mark.jing_emulator_lenient  # the refused batch below is on purpose
def test_a_user_created_then_changed(jing_emulator, jing_emulator_events):
    with client(jing_emulator) as api:
        api.post("/v1/user/update", json=[USER])
        api.post("/v1/user/update", json=[MOVED])
        api.post("/v1/user/update", json=[USER, USER])  # refused whole: nothing is sent
    assert jing_emulator_events.names == ["add_omni_user_success", "custom_field"]
    [changed] = jing_emulator_events.payloads("custom_field")
    assert changed["extra_data"]["mapping_data"] == {"city": ["上海", "北京"]}
    for delivered in jing_emulator_events.delivered:
        jsonschema.validate(delivered.payload, spec.event_schema(delivered.event))
        assert delivered.headers["x-jing-emulator-event"] == delivered.event
    assert len(jing_emulator_events) == 2


def test_triggers_reset_and_clear(jing_emulator, jing_emulator_events):
    with client(jing_emulator) as api:
        api.post("/_admin/webhooks/trigger", json={"event": "pageView"})
    assert repr(jing_emulator_events) == "EventCollector(['pageView'])"
    jing_emulator.reset()
    assert jing_emulator_events.delivered == []
    with client(jing_emulator) as api:
        api.post("/v1/user/update", json=[USER])
    assert jing_emulator_events.payloads()[0]["event_type"] == "add_omni_user_success"
    jing_emulator_events.clear()
    assert jing_emulator_events.names == []
""",
    )
    result.assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("plugin", "heavy"),
    [
        ("contract_tests.plugin", ("emulator", "uvicorn", "starlette")),
        ("contract_tests.container", ("emulator", "testcontainers", "httpx", "docker")),
    ],
)
def test_importing_the_plugin_loads_neither_emulator_nor_server(
    plugin: str, heavy: tuple[str, ...]
) -> None:
    code = f"import sys, {plugin}; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_serve_inprocess_answers_outside_the_fixtures() -> None:
    with serve_inprocess() as handle:
        response = httpx.post(
            f"{BASE_URL}/v1/user/query", json={"identities": []}, headers=handle.headers
        )
        assert handle.emulator.clock.now() == CLOCK_START
        assert repr(handle) == f"EmulatorHandle(base_url={BASE_URL!r}, app_id={handle.app_id!r})"
    assert response.status_code == 200


def test_serve_live_takes_explicit_settings() -> None:
    with serve_live(fixture_settings({"rate_limits": "off"})) as handle:
        health = httpx.get(f"{handle.base_url}/_admin/health")
        assert handle.emulator.settings.rate_limits == "off"
    assert health.status_code == 200
    assert emulator_threads() == []


def test_server_that_dies_during_startup_is_reported() -> None:
    server = uvicorn.Server(uvicorn.Config(app="unused:app", log_config=None))
    never_started = threading.Thread(target=lambda: None)
    with pytest.raises(RuntimeError, match="stopped during startup"):
        wait_until_started(server, never_started)


def test_server_that_starts_too_slowly_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("contract_tests.live.START_TIMEOUT", -1.0)
    server = uvicorn.Server(uvicorn.Config(app="unused:app", log_config=None))
    with pytest.raises(RuntimeError, match="did not start"):
        wait_until_started(server, threading.current_thread())
