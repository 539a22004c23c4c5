"""Secrets kept out of the journal: masked values, the rest of the body kept as sent."""

from __future__ import annotations

import pytest

from emulator.redact import SECRET_FIELDS, journal_body

SECRET = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


def test_a_body_naming_no_secret_is_kept_as_sent() -> None:
    body = b'{"omni_user_uuids": ["x"], "note": "\xe4\xb8\xad"}'
    assert journal_body(body, 512) == body.decode()


@pytest.mark.parametrize("name", SECRET_FIELDS)
def test_every_declared_secret_field_is_masked_and_the_rest_kept(name: str) -> None:
    body = f'{{"app_id": "202601", "{name}" :  "{SECRET}", "n": 1}}'.encode()
    assert journal_body(body, 512) == f'{{"app_id": "202601", "{name}" :  "***", "n": 1}}'


def test_a_secret_cut_short_by_the_limit_is_masked() -> None:
    body = f'{{"app_id": "202601", "app_secret": "{SECRET}"}}'.encode()
    cut = body.index(SECRET.encode()) + 10
    assert journal_body(body, cut) == '{"app_id": "202601", "app_secret": "***"'


def test_a_cut_ending_in_a_backslash_keeps_nothing_of_the_secret() -> None:
    body = b'{"app_secret": "ab\\"cd\\'
    assert journal_body(body, 512) == '{"app_secret": "***"'


def test_a_body_that_is_not_json_is_masked_all_the_same() -> None:
    body = f'app_id=1, "app_secret":"{SECRET}", {{oops'.encode()
    assert journal_body(body, 512) == 'app_id=1, "app_secret":"***", {oops'


def test_a_secret_with_escaped_quotes_is_masked_whole() -> None:
    body = b'{"refresh_token": "a\\"b\\\\", "app_id": "1"}'
    assert journal_body(body, 512) == '{"refresh_token": "***", "app_id": "1"}'


def test_an_escaped_field_name_is_masked() -> None:
    body = f'{{"app\\u005Fsecret": "{SECRET}"}}'.encode()
    assert journal_body(body, 512) == '{"app\\u005Fsecret": "***"}'


def test_a_secret_sent_as_a_number_is_masked() -> None:
    assert journal_body(b'{"app_secret": -12.5e3}', 512) == '{"app_secret": "***"}'


def test_a_field_whose_name_only_ends_like_a_secret_is_kept() -> None:
    body = b'{"my_app_secret": "shown", "app_secret_hint": "shown"}'
    assert journal_body(body, 512) == body.decode()


@pytest.mark.parametrize(
    "value",
    [
        f'["{SECRET}"]',
        f'{{"v": "{SECRET}", "w": [1, {{"x": "]}}"}}]}}',
        f'[["{SECRET}"], "\\"]"]',
        f'{{"access_token": "{SECRET}"}}',
        "null",
        "true",
        "false",
    ],
)
def test_a_secret_of_any_type_is_masked_whole(value: str) -> None:
    body = f'{{"app_secret": {value}, "app_id": "1"}}'.encode()
    assert journal_body(body, 512) == '{"app_secret": "***", "app_id": "1"}'


def test_a_list_secret_cut_short_by_the_limit_is_masked_to_the_end() -> None:
    body = f'{{"app_id": "1", "access_token": [{{"a": "{SECRET}"}}, "{SECRET}"]}}'.encode()
    cut = body.index(SECRET.encode()) + 5
    assert journal_body(body, cut) == '{"app_id": "1", "access_token": "***"'


def test_a_secret_list_in_a_body_that_is_not_json_is_masked() -> None:
    body = f'oops "refresh_token": [{SECRET}, 1] tail'.encode()
    assert journal_body(body, 512) == 'oops "refresh_token": "***" tail'


def test_a_bare_word_secret_in_a_body_that_is_not_json_is_masked() -> None:
    body = f'"app_secret": {SECRET}, "n": 1'.encode()
    assert journal_body(body, 512) == '"app_secret": "***", "n": 1'


def test_a_secret_name_with_no_value_after_it_is_kept_as_sent() -> None:
    body = b'{"app_secret": , "n": 1}'
    assert journal_body(body, 512) == body.decode()
