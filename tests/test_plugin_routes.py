"""The in-process fixture's routes: requests served in-process, other ways out refused, base URLs
set by marker and ini option."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
import pytest
import requests

from contract_tests.baseurls import BaseUrls
from contract_tests.extras import needs_testing
from contract_tests.guard import RealApiCallError
from contract_tests.handle import BASE_URL
from contract_tests.inprocess import serve_inprocess
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


def test_aiohttp(jing_emulator):
    import aiohttp

    async def call():
        async with aiohttp.ClientSession() as session:
            await session.post(jing_emulator.base_url + "/v1/user/query", json=QUERY)

    with pytest.raises(RealApiCallError, match="aiohttp"):
        asyncio.run(call())


def test_other_hosts_still_resolve(jing_emulator):
    assert socket.getaddrinfo("127.0.0.1", 80)
""",
    )
    result.assert_outcomes(passed=5)


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
