"""Contract tests of the example client: run against the emulator by the jing-emulator plugin.

Strict mode is on: a test whose client sends a request that breaks the API contract fails."""

from __future__ import annotations

import httpx
import pytest
from jing_client import ApiError, Identity, JingClient, UserInput

from contract_tests.handle import EmulatorHandle

MOBILE = Identity("mobile", "13800000000")
BUSINESS_TYPE = "bt-standard"


def test_upserted_user_is_found_by_its_identity(client: JingClient) -> None:
    written = client.upsert_users([UserInput((MOBILE,), {"city": "上海"})])
    found = client.query_users([MOBILE])
    assert found.users[0].omni_user_uuid == written.user_ids[0]
    assert found.users[0].fields == {"city": "上海"}
    assert found.not_found == ()


def test_client_renews_an_expired_access_token(
    client: JingClient, jing_emulator: EmulatorHandle
) -> None:
    client.upsert_users([UserInput((MOBILE,))])
    jing_emulator.advance(7200)  # the access token's lifetime
    assert len(client.query_users([MOBILE]).users) == 1


def test_imported_users_are_counted(client: JingClient) -> None:
    written = client.upsert_users([UserInput((MOBILE,))])
    result = client.import_to_group(20541, [*written.user_ids, "no-such-user"])
    assert (result.imported, result.failed) == (1, 1)


def test_account_creation_stops_at_the_rate_limit(
    client: JingClient, jing_emulator: EmulatorHandle
) -> None:
    dataset = {"business_types": [{"id": BUSINESS_TYPE, "name": "示例客户"}]}  # demo has 标准客户
    httpx.post(f"{jing_emulator.base_url}/_admin/seed", json={"dataset": dataset})
    created = [client.create_account(f"Account {n}", BUSINESS_TYPE) for n in range(10)]
    with pytest.raises(ApiError) as refused:
        client.create_account("One too many", BUSINESS_TYPE)
    assert len(set(created)) == 10
    assert (refused.value.code, refused.value.status) == ("42901", 429)


@pytest.mark.jing_emulator_lenient  # this test breaks a batch rule on purpose
def test_mixed_identity_types_are_refused_and_recorded(
    client: JingClient, jing_emulator: EmulatorHandle
) -> None:
    users = [UserInput((MOBILE,)), UserInput((Identity("email", "a@example.com"),))]
    with pytest.raises(ApiError) as refused:
        client.upsert_users(users)
    assert refused.value.code == "31003"
    assert [(v["path"], v["rule"]) for v in jing_emulator.violations] == [
        ("$[1].identities[0].type", "mixed_identity_types")
    ]
