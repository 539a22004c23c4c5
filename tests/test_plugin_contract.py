"""The plugin's client checks, as a project would meet them (pytester): strict mode fails a
test whose client breaks the contract, fuzzed answers catch parsing bugs, coverage is reported."""

from __future__ import annotations

import pytest

from contract_tests.exercised import ADMIN_CODES
from emulator import spec

CATALOGUE = spec.load()
CLIENT_ERRORS = sum(1 for e in CATALOGUE.errors.values() if int(e["code"]) not in ADMIN_CODES)

PREAMBLE = """
import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

QUERY = {"identities": [{"type": "mobile", "value": "13800000000"}]}
FUZZ = [HealthCheck.function_scoped_fixture]
QUICK = [p for p in Phase if p is not Phase.explain]  # as the plugin's profiles have it


def api(handle):
    return httpx.Client(base_url=handle.base_url, headers=handle.headers)


def update_with_a_misspelt_field(handle):
    user = {"identities": [{"type": "mobile", "value": "13800000000"}], "feilds": {"city": "x"}}
    with api(handle) as client:
        return client.post("/v1/user/update", json=[user])


def first_user_id(handle):
    with api(handle) as client:
        return client.post("/v1/user/query", json=QUERY).json()["data"]["list"][0]["omni_user_uuid"]
"""


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(PREAMBLE + source)
    return pytester.runpytest("-W", "error", "--strict-markers", "-p", "no:cacheprovider", *args)


def test_a_client_sending_one_wrong_field_fails_at_teardown_naming_it(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
def test_client_syncs_a_user(jing_emulator):
    assert update_with_a_misspelt_field(jing_emulator).status_code == 200  # the test itself passes
""",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_client_syncs_a_user*",
            "*this test sent 1 request(s) that break the API contract*",
            "*POST /v1/user/update (user.update)*",
            "*$[[]0]  [[]additionalProperties, assumed: no vendor page states it]  "
            "Additional properties are not allowed ('feilds'*",
            "*rules of the emulator's own, not stated by: Vendor page 用户批量更新*",
            "*@pytest.mark.jing_emulator_lenient*",
        ]
    )


def test_lenient_tests_keep_the_violations_for_assertions(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@pytest.mark.jing_emulator_lenient
def test_misspelt_field_is_refused(jing_emulator):
    refused = update_with_a_misspelt_field(jing_emulator).json()
    assert refused["data"]["error"] == "assumed_rule"
    assert [v["rule"] for v in jing_emulator.violations] == ["additionalProperties"]
    assert [v["origin"] for v in jing_emulator.violations] == ["assumption"]


@pytest.mark.jing_emulator(assumed_rules="off")
def test_assumed_rules_can_be_relaxed_by_the_marker(jing_emulator):
    served = update_with_a_misspelt_field(jing_emulator).json()
    assert served["code"] == "10000"
    assert jing_emulator.violations == []


@pytest.mark.jing_emulator(strict=False)
def test_strict_mode_can_be_turned_off(jing_emulator):
    update_with_a_misspelt_field(jing_emulator)
    assert jing_emulator.violations == []
""",
    )
    result.assert_outcomes(passed=3)


def test_the_live_server_fixture_is_strict_too(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_breaks_the_contract(jing_emulator_server):
    update_with_a_misspelt_field(jing_emulator_server)


def test_next_test_starts_without_the_previous_violations(jing_emulator_server):
    assert jing_emulator_server.violations == []
""",
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_breaks_the_contract*"])


def test_fuzzed_answers_catch_a_client_that_mishandles_an_empty_list(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
@settings(max_examples=50, deadline=None, suppress_health_check=FUZZ, phases=QUICK)
@given(data=st.data())
def test_reads_any_query_answer(jing_emulator, data):
    data.draw(jing_emulator.fuzz("user.query"))
    assert isinstance(first_user_id(jing_emulator), str)
""",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*IndexError: list index out of range*",
            "*Draw 1: {'code': 0, 'data': {'list': [[]], 'not_found': [[]]}}*",
        ]
    )


def test_a_client_that_reads_answers_carefully_passes_the_fuzzing(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
@settings(max_examples=5, deadline=None, suppress_health_check=FUZZ)
@given(data=st.data())
def test_reads_any_query_answer(jing_emulator, data):
    answer = data.draw(jing_emulator.fuzz("user.query"))
    with api(jing_emulator) as client:
        users = client.post("/v1/user/query", json=QUERY).json()["data"]["list"]
    drawn = answer["data"]["list"]
    assert [u["omni_user_uuid"] for u in users] == [u["omni_user_uuid"] for u in drawn]
""",
    )
    result.assert_outcomes(passed=1)


def test_coverage_flag_reports_what_the_suite_exercised(pytester: pytest.Pytester) -> None:
    source = """
def test_reads_a_user(jing_emulator):
    with api(jing_emulator) as client:
        client.post("/v1/user/query", json=QUERY)
        client.post("/v1/user/query", json=QUERY, headers={"access_token": "stale"})


def test_on_a_live_server(jing_emulator_server):
    with api(jing_emulator_server) as client:
        client.post("/v1/user/update", json=[QUERY])
"""
    result = run(pytester, source, "--jing-emulator-coverage")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "jing-emulator: what the tests exercised of the API",
            f"operations called: 2 of {len(CATALOGUE.operations)}: user.query (2), user.update (1)",
            "answers: 2 successes, 1 error envelopes, of 3 calls",
            f"error codes met: 1 of {CLIENT_ERRORS}: 20003 invalid_access_token (user.query)",
            "rate limits reached: 0 of 3 rate-limited operations: none",
        ]
    )
    quiet = run(pytester, source)
    assert "what the tests exercised" not in quiet.stdout.str()


def test_hypothesis_profile_comes_from_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HYPOTHESIS_PROFILE", "ci")
    result = run(
        pytester,
        """
def test_ci_profile_is_loaded():
    assert settings().derandomize is True
    assert settings().deadline is None
""",
    )
    result.assert_outcomes(passed=1)
    settings_module = pytest.importorskip("hypothesis").settings
    settings_module.load_profile("default")


def test_the_marker_sets_the_error_status_and_fuzzed_failures_keep_theirs(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
@pytest.mark.jing_emulator(error_status="vendor")
def test_vendor_errors_are_http_200(jing_emulator):
    with httpx.Client(base_url=jing_emulator.base_url) as client:
        answer = client.post("/v1/user/update", json=[])
    assert (answer.status_code, answer.json()["code"]) == (200, "20001")


@settings(max_examples=20, deadline=None, suppress_health_check=FUZZ, phases=QUICK)
@given(data=st.data())
def test_fuzzed_answers_are_served_at_their_drawn_status(jing_emulator, data):
    drawn = data.draw(jing_emulator.fuzz_answers("user.query"))
    with api(jing_emulator) as client:
        answer = client.post("/v1/user/query", json=QUERY)
    assert (answer.status_code, answer.json()) == (drawn.status, drawn.body)
""",
    )
    result.assert_outcomes(passed=2)
