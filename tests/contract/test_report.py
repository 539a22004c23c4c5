"""Reports: run outcomes and violations as text and as JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from contract_tests import junit
from contract_tests.cases import Case
from contract_tests.judge import Answer
from contract_tests.provider import Failure, Outcome
from contract_tests.report import (
    outcome_cases,
    outcome_report,
    violation_cases,
    violation_report,
)
from emulator import spec

CASE = Case(
    "user.query", "POST", "/v1/user/query", {"x": 1}, True, rule="additionalProperties", where="$.x"
)


def violation(request: int, operation: str | None, path: str, rule: str) -> dict[str, Any]:
    return {
        "request": request,
        "app_id": "a",
        "operation": operation,
        "method": "POST",
        "route": "/v1/user/query" if operation else "/v1/nothing",
        "error": "invalid_request",
        "source": "Vendor page" if operation else None,
        "path": path,
        "rule": rule,
        "message": f"{rule} broken",
    }


def outcomes() -> list[Outcome]:
    failing = Outcome("user.query", "invalid: additionalProperties", sent=3)
    failing.note(Failure(CASE, Answer(200, "application/json", '{"code": 0}'), "accepted"))
    shorter = Case(CASE.operation, CASE.method, CASE.path, {}, True, rule="required", where="$")
    failing.note(Failure(shorter, None, "no answer"))
    failing.note(Failure(CASE, None, "later"))
    skipped = Outcome("user.query", "invalid: minItems", skipped="nothing to draw")
    return [Outcome("user.query", "valid requests", sent=3, seconds=0.5), failing, skipped]


def test_outcome_report_shows_each_failing_group_with_its_shortest_request() -> None:
    text = outcome_report(outcomes(), 2.0)
    assert "FAIL user.query: invalid: additionalProperties: 3 of 3 requests failed" in text
    assert "  request:  user.query (breaks required at $): POST /v1/user/query {}" in text
    assert "  answer:   (none)\n  check:    no answer" in text
    assert "SKIP user.query: invalid: minItems: nothing to draw" in text
    assert text.endswith(
        "contract-test: 1 operations, 3 groups, 6 requests: 1 failing group(s) in 2.0 s"
    )
    passing = outcome_report(outcomes()[:1], 0.5)
    assert passing.endswith("every answer passed in 0.5 s")


def test_failures_show_the_answer_they_got() -> None:
    described = Failure(CASE, Answer(500, "text/plain", "boom"), "HTTP 500").describe()
    assert "  answer:   HTTP 500 boom" in described


def test_outcomes_become_junit_cases_and_a_document(tmp_path: Path) -> None:
    cases = outcome_cases(outcomes())
    assert [(c.name, c.failure, c.skipped) for c in cases] == [
        ("valid requests", None, None),
        ("invalid: additionalProperties", "no answer", None),
        ("invalid: minItems", None, "nothing to draw"),
    ]
    junit.write(tmp_path / "a" / "out.xml", "suite", cases)
    root = ET.parse(tmp_path / "a" / "out.xml").getroot()
    suite = root[0]
    assert (root.tag, suite.get("name"), suite.get("tests")) == ("testsuites", "suite", "3")
    assert (suite.get("failures"), suite.get("skipped"), suite.get("time")) == ("1", "1", "0.5")
    failure = suite[1].find("failure")
    assert failure is not None
    assert "FAIL user.query" in str(failure.text)
    assert suite[2].find("skipped") is not None


def test_violation_report_groups_rules_by_request_with_the_source() -> None:
    found = [
        violation(1, "user.query", "$", "maxProperties"),
        violation(1, "user.query", "$.x", "additionalProperties"),
        violation(2, None, "$", "path_not_found"),
    ]
    text = violation_report(found, "this test")
    assert text.splitlines()[0] == (
        "jing-emulator strict mode: this test sent 2 request(s) that break the API contract"
    )
    assert (
        "  POST /v1/user/query (user.query)\n    $  [maxProperties]  maxProperties broken" in text
    )
    assert "    reference: Vendor page" in text
    assert "  POST /v1/nothing ((no operation))\n    $  [path_not_found]" in text


def test_violation_cases_fail_the_operations_violated_and_no_other() -> None:
    catalogue = spec.load()
    found = [violation(1, "user.query", "$.x", "type"), violation(2, "overlay.op", "$", "type")]
    cases = {c.name: c for c in violation_cases(catalogue, found)}
    assert set(cases) == {*catalogue.by_id, "overlay.op", "(no operation)"}
    assert cases["user.query"].failure == "1 violation(s): $.x [type]"
    assert cases["overlay.op"].failure is not None
    assert cases["user.update"].failure is None


def test_the_report_counts_successes_and_error_envelopes_per_operation_and_in_all() -> None:
    found = [
        Outcome("user.query", "valid requests", sent=10, succeeded=7, refused=3),
        Outcome("user.query", "invalid: required", sent=10, refused=10),
        Outcome("lead.create", "valid requests", sent=10, refused=9),  # and one HTTP 500
    ]
    text = outcome_report(found, 1.0)
    lines = text.splitlines()
    assert lines[0] == "answers per operation  successes  errors  valid requests succeeded"
    assert lines[1] == "user.query                     7      13  7 of 10"
    assert lines[2].split() == ["lead.create", "0", "9", "0", "of", "10"]
    assert "answers: 7 successes, 22 error envelopes, of 30\n" in text
    assert "valid requests: 7 of 20 succeeded (35.0%); 1 of 2 operations met a success" in text
    assert "\nnever a success: lead.create\n" in text
    assert text.endswith(
        "contract-test: 2 operations, 3 groups, 30 requests: every answer passed in 1.0 s"
    )


def test_a_run_that_sent_nothing_says_so() -> None:
    text = outcome_report([], 0.0)
    assert text.startswith("answers: 0 successes, 0 error envelopes, of 0\n")
    assert "valid requests: 0 of 0 succeeded (none sent); 0 of 0 operations met a success" in text
