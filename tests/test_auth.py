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
