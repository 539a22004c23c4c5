"""Judging answers: what a valid and an invalid request's answer must be."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contract_tests.cases import Case
from contract_tests.judge import Answer, judge, mismatch
from emulator import spec

CATALOGUE = spec.load()
QUERY = CATALOGUE.by_id["user.query"]  # code_int_msg: success code 0
VALID = Case(QUERY.id, QUERY.method, QUERY.path, {"omni_user_uuids": ["a"]}, True)
INVALID = Case(
    QUERY.id, QUERY.method, QUERY.path, {"x": 1}, True, rule="additionalProperties", where="$.x"
)
FOUND = {"list": [], "not_found": ["a"]}


def answer(body: Any, status: int = 200, content_type: str = "application/json") -> Answer:
    return Answer(status, content_type, body if isinstance(body, str) else json.dumps(body))


def error(code: Any, path: str = "$", key: str = "invalid_request") -> dict[str, Any]:
    return {
        "code": code,
        "msg": "no",
        "data": {"error": key, "details": [{"path": path, "message": "x"}]},
    }


@pytest.mark.parametrize(
    ("case", "got", "expected"),
    [
        (VALID, answer({"code": 0, "data": FOUND}), None),
        (VALID, answer(error(40001, key="not_found")), None),
        (INVALID, answer(error(30006)), None),
        (INVALID, answer(error(30006, path="$.x")), None),
        (VALID, answer("oops", 500, "text/plain"), "HTTP 500: a server error"),
        (VALID, answer("<html>", 200, "text/html"), "Content-Type is text/html, not JSON"),
        (VALID, answer("{", 200), "the body is not JSON"),
        (
            INVALID,
            answer({"code": 0, "data": FOUND}),
            "an invalid request was accepted: it breaks additionalProperties at $.x",
        ),
        (VALID, answer({"code": 0, "data": FOUND}, 201), "a success answered with HTTP 201"),
        (
            VALID,
            answer({"code": 0, "data": {"list": []}}),
            "does not match the response schema: $.data: 'not_found' is a required property",
        ),
        (
            VALID,
            answer({"code": "0", "data": FOUND}),
            "the success code is typed wrong: '0' where code_int_msg has int 0",
        ),
        (
            VALID,
            answer({"error": "bad"}, 400),
            "nor a valid code_int_msg error envelope: $: 'code' is a required property",
        ),
        (
            VALID,
            answer(error(30006)),
            "a valid request was refused as breaking the contract: code 30006 no",
        ),
        (
            INVALID,
            answer(error(30006, path="$.y")),
            "the error names $.y, not the broken $.x (additionalProperties)",
        ),
        (
            INVALID,
            answer({**error(30006), "data": {"error": "e", "details": []}}),
            "the error names no field, not the broken $.x",
        ),
    ],
)
def test_each_answer_is_judged_by_the_checks_its_request_calls_for(
    case: Case, got: Answer, expected: str | None
) -> None:
    problem = judge(CATALOGUE, case, got)
    assert problem == expected if expected is None else problem is not None and expected in problem


def test_codes_that_are_no_numbers_are_not_read_as_contract_codes() -> None:
    string_coded = CATALOGUE.by_id["user.update"]  # code_string_msg
    case = Case(string_coded.id, "POST", string_coded.path, [], True)
    assert (
        judge(
            CATALOGUE,
            case,
            answer(
                {"request_id": "r", "code": "E1", "msg": "", "data": {"error": "e", "details": []}}
            ),
        )
        is None
    )


def test_mismatch_names_the_path_and_the_reason() -> None:
    assert mismatch({"type": "object", "required": ["a"]}, {}) == "$: 'a' is a required property"
    assert mismatch({"type": "integer"}, 1) is None
