"""The token store: issue, verify, refresh and revoke, on the virtual clock."""

from __future__ import annotations

import pytest

from emulator.auth import TokenStore
from emulator.clock import Clock, Ids
from emulator.envelope import ApiError


def store() -> TokenStore:
    return TokenStore(Clock(0.0), Ids(1), token_ttl=60, refresh_ttl=600)


def test_revoking_one_app_keeps_the_others_tokens() -> None:
    tokens = store()
    mine, theirs = tokens.issue("a"), tokens.issue("b")
    tokens.revoke("a")
    with pytest.raises(ApiError, match="invalid_access_token"):
        tokens.verify("a", mine["access_token"])
    tokens.verify("b", theirs["access_token"])
    assert tokens.refresh("b", theirs["refresh_token"])["expires_in"] == 60


def test_refresh_token_of_another_app_is_refused() -> None:
    tokens = store()
    pair = tokens.issue("a")
    with pytest.raises(ApiError, match="invalid_refresh_token"):
        tokens.refresh("b", pair["refresh_token"])


def test_expired_tokens_are_forgotten_as_new_ones_come(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("emulator.auth.BURIED", 5)
    clock = Clock(0.0)
    tokens = TokenStore(clock, Ids(1), token_ttl=60, refresh_ttl=600)
    first = tokens.issue("a")
    for _ in range(1000):
        clock.advance(61)
        tokens.issue("a")
    assert len(tokens) <= 2 * 5 + 2  # the live pair, and the latest expired ones of each kind
    with pytest.raises(ApiError, match="invalid_access_token"):
        tokens.verify("a", first["access_token"])  # long gone: unknown


def test_an_expired_token_answers_expired_after_it_is_purged() -> None:
    clock = Clock(0.0)
    tokens = TokenStore(clock, Ids(1), token_ttl=60, refresh_ttl=600)
    old = tokens.issue("a")
    clock.advance(601)
    tokens.issue("b")  # purges both of a's
    with pytest.raises(ApiError, match="access_token_expired"):
        tokens.verify("a", old["access_token"])
    with pytest.raises(ApiError, match="token_app_mismatch"):
        tokens.verify("b", old["access_token"])
    with pytest.raises(ApiError, match="refresh_token_expired"):
        tokens.refresh("a", old["refresh_token"])


def test_rotated_refresh_tokens_do_not_pile_up_and_live_ones_stay() -> None:
    tokens = TokenStore(Clock(0.0), Ids(1), token_ttl=60, refresh_ttl=600)
    tokens.issue("z")  # its live refresh token comes first: a's retired ones pile up behind it
    pairs = [tokens.issue("a") for _ in range(500)]
    assert len(tokens) == 2 + 500 + 1  # every access token is live; one refresh token per app
    for pair in pairs:
        tokens.verify("a", pair["access_token"])
    with pytest.raises(ApiError, match="invalid_refresh_token"):
        tokens.refresh("a", pairs[0]["refresh_token"])
    tokens.revoke("a")
    assert len(tokens) == 2
