"""Envelopes: each style's keys and code type; every error raised is in the error table."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

import emulator
from emulator import spec
from emulator.clock import Clock, Ids
from emulator.envelope import ApiError, Renderer

CATALOGUE = spec.load()
SOURCE = Path(emulator.__file__).parent


def renderer() -> Renderer:
    return Renderer(CATALOGUE.errors, Clock(1.5), Ids(1))


def test_every_error_the_code_raises_is_in_the_table() -> None:
    raised = set()
    for path in SOURCE.rglob("*.py"):
        raised |= set(re.findall(r'ApiError\(\s*"(\w+)"', path.read_text()))
    assert raised
    assert raised <= set(CATALOGUE.errors), raised - set(CATALOGUE.errors)


@pytest.mark.parametrize(("style", "code"), [("code_string_msg", "30006"), ("code_int_msg", 30006)])
def test_error_code_is_typed_as_the_style_types_it(style: str, code: str | int) -> None:
    error = ApiError("invalid_request", path="$[0]", reason="bad")
    status, body = renderer().error(CATALOGUE.envelopes[style], error)
    answer = orjson.loads(body)
    assert (status, answer["code"]) == (200, code)
    assert answer["msg"] == "Invalid request body at $[0]: bad"
    assert answer["data"] == {
        "error": "invalid_request",
        "details": [{"path": "$[0]", "message": answer["msg"]}],
    }


def test_success_keeps_the_documented_key_order() -> None:
    body = orjson.loads(renderer().success(CATALOGUE.envelopes["code_string_message"], {"a": 1}))
    assert list(body) == ["code", "message", "data", "request_id", "timestamp"]
    assert body["timestamp"] == 1500


def test_a_missing_template_value_shows_its_name() -> None:
    assert renderer().message(ApiError("unknown_app")) == "Unknown app_id {app_id}"
