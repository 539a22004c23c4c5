"""--error-status: every envelope error at HTTP 200, as the vendor's failure tabs show (vendor),
or at the HTTP status of its kind (http, the default); fuzzed answers draw both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from contract_tests.strategies import Answer, answers_from_operation
from emulator import spec
from emulator.settings import Settings, from_env
from tests.conftest import credentials, serving


def serve(mode: str) -> Iterator[TestClient]:
    yield from serving(error_status=mode)


@pytest.fixture
def vendor() -> Iterator[TestClient]:
    yield from serve("vendor")


@pytest.fixture
def http() -> Iterator[TestClient]:
    yield from serve("http")


def over_the_rate_limit(client: TestClient) -> object:
    """Account create takes 10 calls a second (its page): the 11th is over."""
    headers, body = credentials(client), {"name": "x", "business_type": "none"}
    answers = [client.post("/v1/customer/create", json=body, headers=headers) for _ in range(11)]
    return answers[-1]


def test_vendor_answers_every_envelope_error_with_http_200(vendor: TestClient) -> None:
    missing = vendor.post("/v1/user/update", json=[])
    assert (missing.status_code, missing.json()["code"]) == (200, "20001")
    unknown = vendor.get("/v1/nowhere")
    assert (unknown.status_code, unknown.json()["code"]) == (200, 30001)
    limited = over_the_rate_limit(vendor)
    assert (limited.status_code, limited.json()["code"]) == (200, 42901)  # type: ignore[attr-defined]


def test_http_keeps_the_status_of_each_kind_of_error(http: TestClient) -> None:
    assert http.post("/v1/user/update", json=[]).status_code == 401
    assert http.get("/v1/nowhere").status_code == 404
    assert over_the_rate_limit(http).status_code == 429  # type: ignore[attr-defined]


def test_admin_errors_keep_their_http_status_under_vendor(vendor: TestClient) -> None:
    assert vendor.post("/_admin/reset", json={"app_id": "nope"}).status_code == 404


def test_error_status_comes_from_the_environment() -> None:
    assert Settings().error_status == "http"
    assert from_env({"JING_EMULATOR_ERROR_STATUS": "vendor"}).error_status == "vendor"
    with pytest.raises(ValueError, match="error_status"):
        Settings(error_status="teapot")


def test_fuzzed_answers_draw_failures_in_both_conventions() -> None:
    seen: set[tuple[str, bool]] = set()
    op = spec.load().by_id["user.update"]

    @settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(answers_from_operation("user.update"))
    def draw(answer: Answer) -> None:
        failed = answer.body["code"] != op.envelope.success_code
        assert answer.status == 200 or (failed and answer.convention == "http")
        if failed and answer.convention == "vendor":
            assert answer.status == 200
        seen.add((answer.convention, failed))
        if failed and answer.convention == "http" and answer.status != 200:
            seen.add(("http status", True))

    draw()
    assert {("vendor", True), ("http", True), ("http status", True), ("http", False)} <= seen


def test_drawn_failures_are_envelopes_of_the_operations_style() -> None:
    @settings(max_examples=30, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        answer = data.draw(answers_from_operation("user.update"))
        assert isinstance(answer.body["code"], str)  # code_string_msg types codes as text
        assert set(answer.body) >= {"code", "msg", "data"}

    draw()
