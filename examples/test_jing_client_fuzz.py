"""The example client's parsing, against every answer the response schemas allow.

jing_emulator.fuzz(op) draws an answer from the operation's response schema and serves it to
every call of that operation the emulator accepts. The fixtures are shared by the examples of
one test (the same emulator and client throughout), hence the suppressed health check."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from jing_client import Identity, JingClient, UserInput

from contract_tests.handle import EmulatorHandle

# No deadline: the first example also builds the strategy of the operation's answers. No explain
# phase: with answers of hundreds of draws it costs hundreds of calls (the plugin's profiles,
# HYPOTHESIS_PROFILE=dev or ci, leave it out too).
FUZZ = settings(
    max_examples=30,
    deadline=None,
    phases=[p for p in Phase if p is not Phase.explain],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MOBILE = Identity("mobile", "13800000000")


@FUZZ
@given(data=st.data())
def test_query_reads_every_answer_the_schema_allows(
    client: JingClient, jing_emulator: EmulatorHandle, data: st.DataObject
) -> None:
    answer = data.draw(jing_emulator.fuzz("user.query"))
    found = client.query_users([MOBILE])
    assert [u.omni_user_uuid for u in found.users] == [
        u["omni_user_uuid"] for u in answer["data"]["list"]
    ]
    assert list(found.not_found) == answer["data"]["not_found"]


@FUZZ
@given(data=st.data())
def test_upsert_reads_every_answer_the_schema_allows(
    client: JingClient, jing_emulator: EmulatorHandle, data: st.DataObject
) -> None:
    answer = data.draw(jing_emulator.fuzz("user.update"))
    result = client.upsert_users([UserInput((MOBILE,))])
    assert list(result.failures) == answer["data"]["failure"]
    assert len(result.user_ids) <= len(answer["data"]["success"])
