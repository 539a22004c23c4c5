"""The session's tally: operations, error codes, rate limits and webhook events exercised."""

from __future__ import annotations

from contract_tests.exercised import Exercised, events_index
from contract_tests.traffic import Seen
from emulator import spec

CATALOGUE = spec.load()
EVENTS = {"add_omni_user_success": ["user.update", "user.create"], "page_view": ["on_demand"]}


def test_report_counts_what_was_met_and_names_what_was_not() -> None:
    tally = Exercised(CATALOGUE, EVENTS)
    for seen in (
        Seen("user.update", 200, True, None, False),
        Seen("user.update", 200, False, "duplicate_user", False),
        Seen("account.create", 429, False, "rate_limited", False),
        Seen("user.create", 200, True, None, True),
        Seen(None, 404, False, "path_not_found", False),
    ):
        tally.see(seen)
    lines = tally.report()
    assert max(map(len, lines)) <= 100
    report = " ".join(line.strip() for line in lines)
    called = "user.create (1), user.update (2), account.create (1)"
    assert f"operations called: 3 of {len(CATALOGUE.operations)}: {called}" in report
    assert "never called: oauth.get_token, oauth.refresh_token, user.query" in report
    assert "answers: 2 successes, 3 error envelopes, of 5 calls" in report
    assert "successes/errors per operation: user.create (1/0), user.update (1/1)," in report
    assert "called, never a success: account.create" in report
    assert "31004 duplicate_user (user.update)" in report
    assert "30001 path_not_found ((no operation))" in report
    assert "documented failures never met: 20001 missing_credentials" in report
    assert "admin" not in report  # the admin API's errors are no client's failures
    assert (
        "rate limits reached: 2 of 3 rate-limited operations: user.create, account.create" in report
    )
    assert "never over a limit: user.update" in report
    assert "webhook events triggered: 1 of 2: add_omni_user_success" in report
    assert "never triggered: page_view" in report


def test_an_empty_tally_says_none_and_notes_a_missing_event_index() -> None:
    report = Exercised(CATALOGUE, {}).report()
    assert f"operations called: 0 of {len(CATALOGUE.operations)}: none" in report[1]
    assert report[-1] == "webhook events: no event index (webhooks/events.json) in the catalogue"


def test_event_index_gives_each_event_the_operations_that_emit_it() -> None:
    index = events_index()
    assert list(index) == list(spec.events().by_name)
    assert {"user.create", "user.update"} <= set(index["add_omni_user_success"])
    assert index["pageView"] == []  # sent on demand, by no operation
