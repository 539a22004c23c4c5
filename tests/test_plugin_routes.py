"""The in-process fixture's routes: requests and aiohttp served, other ways out refused, base URLs
set by marker and ini option."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import httpx
import pytest
import requests

from contract_tests.baseurls import BaseUrls
from contract_tests.extras import needs_testing
from contract_tests.guard import RealApiCallError
from contract_tests.handle import BASE_URL, EmulatorHandle
from contract_tests.inprocess import serve_inprocess
from contract_tests.traffic import Seen
from tests.test_plugin import run

GATEWAY = "https://gateway.example.com/jing"


def test_requests_calls_are_served_in_process(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
import io

import requests

JSON = {"content-type": "application/json"}


def test_written_by_requests_is_read_by_httpx(jing_emulator):
    url = jing_emulator.base_url + "/v1/user/update"
    written = requests.post(url, json=[USER], headers=jing_emulator.headers)
    assert written.status_code == 200
    assert written.json()["data"]["failure"] == []
    assert written.headers["content-type"].startswith("application/json")
    with client(jing_emulator) as sync_client:
        found = sync_client.post("/v1/user/query", json=QUERY)
    assert found.json()["data"]["list"][0]["fields"] == {"city": "上海"}
    assert [entry["path"] for entry in jing_emulator.journal] == [
        "/v1/user/update", "/v1/user/query"]


def test_a_session_streams_bodies_and_sees_errors(jing_emulator):
    with requests.Session() as session:
        session.headers.update(jing_emulator.headers)
        body = io.BytesIO(json.dumps(QUERY).encode())
        url = jing_emulator.base_url + "/v1/user/query"
        streamed = session.post(url, data=body, headers=JSON)
        text = json.dumps(QUERY).encode()
        pieces = iter([text[:5], text[5:]])
        chunks = session.post(url, data=pieces, headers=JSON, stream=True)
        assert json.loads(b"".join(chunks.iter_content(4)))["data"]["list"] == []
        jing_emulator.advance(7200)
        expired = session.post(url, json=QUERY)
    assert streamed.json()["data"]["list"] == []
    assert (expired.status_code, int(expired.json()["code"])) == (401, 20004)
""",
    )
    result.assert_outcomes(passed=2)


def test_other_ways_to_the_vendor_host_fail_at_once_naming_the_fix(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
import http.client
import socket

from contract_tests.guard import RealApiCallError

HOST = "jingopenapi.jingsocial.com"


def test_urllib(jing_emulator):
    with pytest.raises(RealApiCallError, match="use jing_emulator_server"):
        post(jing_emulator, "/v1/user/query", QUERY)


def test_http_client(jing_emulator):
    connection = http.client.HTTPSConnection(HOST, timeout=5)
    with pytest.raises(RealApiCallError, match=HOST):
        connection.request("POST", "/v1/user/query", body=b"{}")


def test_sockets(jing_emulator):
    with pytest.raises(RealApiCallError):
        socket.create_connection((HOST, 443), timeout=5)
    with socket.socket() as raw, pytest.raises(RealApiCallError):
        raw.connect((HOST.upper() + ".", 443))
    with socket.socket() as raw, pytest.raises(RealApiCallError):
        raw.connect_ex((HOST.encode(), 443))
    with pytest.raises(RealApiCallError):
        socket.gethostbyname(HOST)


def test_other_hosts_still_resolve(jing_emulator):
    assert socket.getaddrinfo("127.0.0.1", 80)
""",
    )
    result.assert_outcomes(passed=4)


def test_aiohttp_calls_are_served_in_process(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
import aiohttp

async def token_then_user(handle):
    async with aiohttp.ClientSession() as session:
        credentials = {"app_id": handle.app_id, "app_secret": handle.app_secret}
        async with session.post(handle.base_url + "/v1/oauth2/token", json=credentials) as got:
            token = (await got.json())["data"]["access_token"]
        headers = {"app_id": handle.app_id, "access_token": token}
        url = handle.base_url + "/v1/user/update"
        async with session.post(url, json=[USER], headers=headers) as written:
            assert (written.status, (await written.json())["data"]["failure"]) == (200, [])
        read = url.replace("update", "query")
        async with session.post(read, json=QUERY, headers=headers) as found:
            return (await found.json())["data"]["list"][0]["fields"]


def test_written_and_read_back_by_aiohttp(jing_emulator):
    assert asyncio.run(token_then_user(jing_emulator)) == {"city": "上海"}
    assert [entry["path"] for entry in jing_emulator.journal][-2:] == [
        "/v1/user/update", "/v1/user/query"]


async def query(handle, url):
    async with aiohttp.ClientSession(headers=handle.headers) as session:
        async with session.post(url, json=QUERY, params={"x": "1"}) as answer:
            return answer.status, await answer.json()


def test_an_expired_token_fails_as_for_httpx(jing_emulator):
    jing_emulator.advance(7200)
    url = jing_emulator.base_url + "/v1/user/query"
    with client(jing_emulator) as sync_client:
        by_httpx = sync_client.post("/v1/user/query", json=QUERY)
    status, body = asyncio.run(query(jing_emulator, url))
    expected = by_httpx.json()
    assert (body.pop("request_id"), expected.pop("request_id")) != (None, None)
    assert (status, body) == (by_httpx.status_code, expected)
    assert (status, body["code"]) == (401, 20004)


@pytest.mark.jing_emulator(base_urls=["https://gateway.example.com/jing"])
def test_a_marker_base_url(jing_emulator):
    url = "https://gateway.example.com/jing/v1/user/query"
    assert asyncio.run(query(jing_emulator, url))[0] == 200
    assert jing_emulator.journal[-1]["path"] == "/v1/user/query"
""",
    )
    result.assert_outcomes(passed=3)


def test_the_aiohttp_route_ends_with_the_fixture() -> None:
    import aiohttp

    original = aiohttp.ClientSession._request
    with serve_inprocess():
        assert aiohttp.ClientSession._request is not original
    assert aiohttp.ClientSession._request is original


async def aiohttp_query(handle: EmulatorHandle, url: str) -> int:
    import aiohttp

    async with (
        aiohttp.ClientSession(headers=handle.headers) as session,
        session.post(url, json={"identities": []}) as answer,
    ):
        return answer.status


def test_aiohttp_calls_pass_through_the_traffic_observers() -> None:
    seen: list[Seen] = []
    with serve_inprocess() as handle:
        handle.traffic.observers.append(seen.append)
        asyncio.run(aiohttp_query(handle, BASE_URL + "/v1/user/query"))
    assert [(call.operation, call.status) for call in seen] == [("user.query", 200)]


def test_an_aiohttp_session_with_a_base_url_is_served() -> None:
    import aiohttp

    async def query(handle: EmulatorHandle) -> int:
        async with (
            aiohttp.ClientSession(GATEWAY + "/", headers=handle.headers) as session,
            session.post("v1/user/query", json={"identities": []}) as answer,
        ):
            return answer.status

    with serve_inprocess(base_urls=[GATEWAY]) as handle:
        assert asyncio.run(query(handle)) == 200
        assert handle.journal[-1]["path"] == "/v1/user/query"


def test_aiohttp_elsewhere_on_a_guarded_host_is_still_refused() -> None:
    import aiohttp

    with serve_inprocess(base_urls=[GATEWAY]) as handle:
        with pytest.raises(RealApiCallError, match=r"gateway\.example\.com"):
            asyncio.run(aiohttp_query(handle, "https://gateway.example.com/other"))
        with pytest.raises((ValueError, aiohttp.InvalidURL)):
            asyncio.run(aiohttp_query(handle, "http://[::1"))


def test_the_guard_ends_with_the_fixture() -> None:
    resolve, connect = socket.getaddrinfo, socket.socket.connect
    with serve_inprocess():
        assert socket.getaddrinfo is not resolve
        assert socket.socket.connect is not connect
    assert (socket.getaddrinfo, socket.socket.connect) == (resolve, connect)


def test_base_urls_from_ini_and_marker(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        f"[pytest]\njing_emulator_base_urls =\n    {GATEWAY}\n    http://jing.local:8000\n"
    )
    result = run(
        pytester,
        f"""
import requests

from contract_tests.guard import RealApiCallError

GATEWAY = "{GATEWAY}"


def test_the_ini_urls_are_served_and_the_vendor_host_is_guarded(jing_emulator):
    assert jing_emulator.base_url == GATEWAY
    written = requests.post(GATEWAY + "/v1/user/update", json=[USER], headers=jing_emulator.headers)
    found = httpx.post(
        "http://jing.local:8000/v1/user/query?x=1", json=QUERY, headers=jing_emulator.headers)
    assert (written.status_code, found.status_code) == (200, 200)
    assert found.json()["data"]["list"][0]["fields"] == {{"city": "上海"}}
    assert jing_emulator.journal[-1]["path"] == "/v1/user/query"
    with pytest.raises(RealApiCallError):
        httpx.post("https://jingopenapi.jingsocial.com/v1/user/query", json=QUERY)
    with pytest.raises(RealApiCallError):  # the gateway's other paths are not the emulator's
        requests.get("https://gateway.example.com/other")


@pytest.mark.jing_emulator(base_urls=["http://127.0.0.1:9/api/"], seed_data="none")
def test_the_marker_wins(jing_emulator):
    assert jing_emulator.base_url == "http://127.0.0.1:9/api"
    with client(jing_emulator) as sync_client:
        apps = sync_client.get("/_admin/apps").json()["data"]["apps"]
    assert apps[0]["users"] == 0


@pytest.mark.jing_emulator(base_urls=["http://127.0.0.1:9/api"])
def test_a_live_server_ignores_them(jing_emulator_server):
    assert jing_emulator_server.base_url.startswith("http://127.0.0.1:")
    assert post(jing_emulator_server, "/v1/user/query", QUERY)[0] == 200
""",
    )
    result.assert_outcomes(passed=3)


def test_bad_base_urls_error_the_test(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@pytest.mark.jing_emulator(base_urls="https://gateway.example.com")
def test_a_string(jing_emulator):
    assert False  # never runs


@pytest.mark.jing_emulator(base_urls=["ftp://gateway.example.com"])
def test_a_scheme(jing_emulator):
    assert False  # never runs


@pytest.mark.jing_emulator(base_urls=[8080])
def test_not_text(jing_emulator):
    assert False  # never runs
""",
    )
    result.assert_outcomes(errors=3)
    result.stdout.fnmatch_lines(
        ["*a list of URLs, not the string*", "*expected http:// or https://*", "*not 8080*"]
    )


def test_a_prefix_matches_whole_segments_only() -> None:
    bases = BaseUrls.parse([GATEWAY])
    assert bases.rewrite(httpx.URL(GATEWAY)) == httpx.URL(BASE_URL + "/")
    assert bases.rewrite(httpx.URL(GATEWAY + "x/v1/user/query")) is None
    assert bases.rewrite(httpx.URL("http://gateway.example.com/jing/v1")) is None
    assert bases.hosts == {"gateway.example.com", "jingopenapi.jingsocial.com"}


def test_requests_to_other_hosts_keep_their_adapter() -> None:
    with serve_inprocess(), requests.Session() as session:
        assert type(session.get_adapter("http://127.0.0.1:9/")) is requests.adapters.HTTPAdapter
        assert type(session.get_adapter("http://[::1")) is requests.adapters.HTTPAdapter
        assert type(session.get_adapter(BASE_URL)) is not requests.adapters.HTTPAdapter


def test_requests_bodies_of_every_kind_reach_the_emulator() -> None:
    query = {"identities": [{"type": "mobile", "value": "13800000000"}]}
    with serve_inprocess() as handle, requests.Session() as session:
        session.headers.update({**handle.headers, "content-type": "application/json"})
        health = session.get(BASE_URL + "/_admin/health")
        text = session.post(BASE_URL + "/v1/user/query", data=json.dumps(query))
        raw = session.post(BASE_URL + "/v1/user/query", data=bytearray(json.dumps(query), "utf-8"))
        paths = [entry["path"] for entry in handle.journal]
    assert (health.status_code, text.json()["data"]["list"], raw.status_code) == (200, [], 200)
    assert paths == ["/v1/user/query", "/v1/user/query"]  # admin calls are not journalled


def test_httpx_to_a_gateway_path_outside_the_base_url_is_refused() -> None:
    with (
        serve_inprocess(base_urls=[GATEWAY]),
        pytest.raises(RealApiCallError, match=r"call to gateway\.example\.com "),
    ):
        httpx.get("https://gateway.example.com/other")


def test_connections_to_other_kinds_of_address_pass_through(tmp_path: Path) -> None:
    with (
        serve_inprocess(),
        socket.socket(socket.AF_UNIX) as unix,
        pytest.raises(FileNotFoundError),
    ):
        unix.connect(str(tmp_path / "absent.sock"))


def test_a_command_missing_another_module_raises_it() -> None:
    def broken(_: object) -> int:
        import absent_module  # type: ignore[import-not-found]  # noqa: F401

        return 0

    with pytest.raises(ModuleNotFoundError, match="absent_module"):
        needs_testing(broken, "x")(None)
