"""Judging one answer of a server: the checks a valid or an invalid request's answer must pass."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jsonschema

from contract_tests.cases import Case, within
from emulator.spec import Catalogue, Json, Operation

# errors.json groups the errors of a request that breaks the contract as 3xxxx.
CONTRACT_CODES = range(30000, 40000)


@dataclass(frozen=True, slots=True)
class Answer:
    """What came back: HTTP status, content type and body text."""

    status: int
    content_type: str
    text: str

    def json(self) -> Any:
        """The body as JSON (ValueError if it is not)."""
        return json.loads(self.text)


def judge(catalogue: Catalogue, case: Case, answer: Answer) -> str | None:
    """What is wrong with the answer to a case, or None if it passes every check."""
    op = catalogue.by_id[case.operation]
    if answer.status >= 500:
        return f"HTTP {answer.status}: a server error, never a right answer"
    if "json" not in answer.content_type.lower():
        return f"Content-Type is {answer.content_type or 'missing'}, not JSON"
    try:
        body = answer.json()
    except ValueError as exc:
        return f"the body is not JSON ({exc})"
    code = body.get("code") if isinstance(body, dict) else None
    if code == op.envelope.success_code and isinstance(code, type(op.envelope.success_code)):
        return _success(op, case, answer, body)
    return _error(catalogue, op, case, body)


def answered(op: Operation, answer: Answer) -> str | None:
    """What kind of answer it is: "success" (the success code, typed right), "error" (an
    envelope with any other code), or None (no JSON object with a code)."""
    try:
        body = answer.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or "code" not in body:
        return None
    code, expected = body["code"], op.envelope.success_code
    return "success" if code == expected and type(code) is type(expected) else "error"


def _success(op: Operation, case: Case, answer: Answer, body: Json) -> str | None:
    if not case.valid:
        return f"an invalid request was accepted: it breaks {case.rule} at {case.where}"
    if answer.status != 200:
        return f"a success answered with HTTP {answer.status}, not 200"
    problem = mismatch(op.response_schema, body)
    return f"the success answer does not match the response schema: {problem}" if problem else None


def _error(catalogue: Catalogue, op: Operation, case: Case, body: Any) -> str | None:
    code = body.get("code") if isinstance(body, dict) else None
    problem = _typed_wrong(op, code) or mismatch(catalogue.error_schema(op.envelope), body)
    if problem:
        return problem if problem.startswith("the success") else _no_envelope(op, problem)
    if case.valid and _number(code) in CONTRACT_CODES:
        return f"a valid request was refused as breaking the contract: {_said(body)}"
    if not case.valid:
        return _names_the_field(case, body)
    return None


def _typed_wrong(op: Operation, code: Any) -> str | None:
    expected = op.envelope.success_code
    if code is None or str(code) != str(expected):
        return None
    style = f"{op.envelope.name} has {type(expected).__name__} {expected!r}"
    return f"the success code is typed wrong: {code!r} where {style}"


def _no_envelope(op: Operation, problem: str) -> str:
    expected, style = op.envelope.success_code, op.envelope.name
    return f"neither the success code {expected!r} nor a valid {style} error envelope: {problem}"


def _names_the_field(case: Case, body: Json) -> str | None:
    details = body["data"]["details"]
    paths = [str(d["path"]) for d in details]
    if any(within(p, case.where or "$") for p in paths):
        return None
    named = ", ".join(paths) or "no field"
    return f"the error names {named}, not the broken {case.where} ({case.rule})"


def _number(code: Any) -> int | None:
    try:
        return int(code)
    except (TypeError, ValueError):
        return None


def _said(body: Json) -> str:
    message = body.get("msg", body.get("message", ""))
    return f"code {body.get('code')!r} {message}".strip()


def mismatch(schema: Json, instance: Any) -> str | None:
    """The first way an instance fails a schema, as 'path: message', or None if it is valid."""
    error = jsonschema.exceptions.best_match(_validator(json.dumps(schema)).iter_errors(instance))
    return None if error is None else f"{error.json_path}: {error.message}"


@lru_cache(maxsize=512)
def _validator(schema_text: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(schema_text))
