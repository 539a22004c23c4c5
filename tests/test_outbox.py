"""The outbox: per-subscription order, retries on the virtual clock, nothing dropped, chaos."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.clock import Clock
from emulator.envelope import ApiError
from emulator.outbox import Attempt, Delivery, Outbox, Subscription
from emulator.settings import Settings
from tests.conftest import START

OK = Attempt(200, "ok", None, 1.0)
DOWN = Attempt(503, "down", None, 1.0)
REFUSED = Attempt(None, "", "ConnectError: refused", 0.5)


def outbox(clock: Clock, **settings: Any) -> Outbox:
    return Outbox(Settings(seed=3, **settings), clock)


def subscribe(box: Outbox, sub_id: str = "s1", *patterns: str) -> Subscription:
    subscription = Subscription(sub_id, "app", "http://hook", patterns or ("*",), None, START)
    box.subscribe(subscription)
    return subscription


def queue(box: Outbox, subscription: Subscription, *ids: str) -> list[Delivery]:
    deliveries = [
        Delivery(i, "e-" + i, "custom_field", subscription, b"{}", START, START) for i in ids
    ]
    for delivery in deliveries:
        box.enqueue(delivery)
    return deliveries


def drain(box: Outbox, answer: Attempt = OK) -> list[str]:
    """Attempt everything due, as the worker would; the ids attempted, in order."""
    sent = []
    while due := box.take_due():
        for delivery in due:
            sent.append(delivery.id)
            box.finish(delivery, answer)
    return sent


def test_patterns_match_event_names() -> None:
    subscription = Subscription("s", "app", "u", ("object_*", "custom_field"), None, START)
    assert subscription.matches("object_create")
    assert subscription.matches("custom_field")
    assert not subscription.matches("pageView")


def test_each_subscription_gets_its_deliveries_in_order() -> None:
    box = outbox(Clock(START))
    first, second = subscribe(box, "s1"), subscribe(box, "s2")
    queue(box, first, "a", "b")
    queue(box, second, "c")
    assert box.take_due() == [box.get("a"), box.get("c")]  # one in flight per subscription
    assert box.take_due() == []


def test_matching_is_per_app_and_pattern() -> None:
    box = outbox(Clock(START))
    subscribe(box, "s1", "object_*")
    box.subscribe(Subscription("s2", "other", "u", ("*",), None, START))
    assert [s.id for s in box.matching("app", "object_create")] == ["s1"]
    assert box.matching("app", "pageView") == []


def test_a_failing_delivery_is_retried_on_the_schedule_and_holds_back_the_next() -> None:
    clock = Clock(START)
    box = outbox(clock, webhook_retries="1,2")
    subscription = subscribe(box)
    first, _ = queue(box, subscription, "a", "b")
    assert drain(box, DOWN) == ["a"]
    assert first.next_at == START + 1
    clock.advance(0.5)
    assert box.take_due() == []  # not due yet, and b waits behind a
    clock.advance(0.5)
    assert drain(box, REFUSED) == ["a"]
    assert box.next_due() == START + 3
    clock.advance(2)
    assert drain(box, OK) == ["a", "b"]
    assert [a["status"] for a in first.attempts] == [503, None, 200]
    assert first.attempts[1]["error"] == "ConnectError: refused"
    assert (first.status, box.get("b").status) == ("delivered", "delivered")


def test_after_the_last_retry_a_delivery_is_failed_and_kept() -> None:
    clock = Clock(START)
    box = outbox(clock, webhook_retries="5")
    first, _ = queue(box, subscribe(box), "a", "b")
    drain(box, DOWN)
    clock.advance(5)
    assert drain(box, DOWN) == ["a", "b"]  # a fails for good, so b goes next
    assert first.status == "failed"
    assert len(first.attempts) == 2
    assert box.get("a") is first
    clock.advance(5)
    assert drain(box, OK) == ["b"]


def test_the_log_keeps_every_pending_delivery_and_the_latest_finished() -> None:
    box = outbox(Clock(START), webhook_log_size=2)
    subscription = subscribe(box)
    queue(box, subscription, "a", "b", "c")
    assert [d.id for d in box.log()] == ["a", "b", "c"]  # over the cap: pending ones stay
    drain(box)
    assert [d.id for d in box.log()] == ["b", "c"]
    assert box.capacity == 2
    with pytest.raises(ApiError) as gone:
        box.get("a")
    assert gone.value.key == "delivery_not_found"


def test_unsubscribing_cancels_pending_deliveries() -> None:
    box = outbox(Clock(START))
    subscription = subscribe(box)
    [delivery] = queue(box, subscription, "a")
    assert box.unsubscribe("s1") is subscription
    assert delivery.status == "cancelled"
    assert box.take_due() == []
    with pytest.raises(ApiError) as missing:
        box.unsubscribe("s1")
    assert missing.value.key == "subscription_not_found"


def test_an_attempt_ending_after_a_cancel_or_reset_changes_nothing() -> None:
    box = outbox(Clock(START))
    [cancelled] = queue(box, subscribe(box), "a")
    assert box.take_due() == [cancelled]
    box.unsubscribe("s1")
    box.finish(cancelled, OK)
    assert cancelled.status == "cancelled"
    [forgotten] = queue(box, subscribe(box, "s2"), "b")
    box.take_due()
    box.reset()
    box.finish(forgotten, OK)
    assert (forgotten.status, box.log(), box.busy()) == ("pending", [], False)


def test_without_chaos_nothing_is_duplicated_or_reordered() -> None:
    box = outbox(Clock(START))
    queue(box, subscribe(box), *"abcdefgh")
    assert drain(box) == list("abcdefgh")
    assert all(d.chaos is None for d in box.log())


def test_duplicate_chaos_sends_some_deliveries_twice_and_every_one_once_at_least() -> None:
    box = outbox(Clock(START), webhook_chaos="duplicate")
    queue(box, subscribe(box), *"abcdefgh")
    sent = drain(box)
    assert {s.removesuffix("-dup") for s in sent} == set("abcdefgh")
    duplicates = [s for s in sent if s.endswith("-dup")]
    assert duplicates
    assert all(sent.index(d) == sent.index(d.removesuffix("-dup")) + 1 for d in duplicates)
    assert all(box.get(d).chaos == "duplicate" for d in duplicates)


def test_reorder_chaos_lets_some_deliveries_overtake() -> None:
    box = outbox(Clock(START), webhook_chaos="reorder")
    queue(box, subscribe(box), *"abcdefgh")
    sent = drain(box)
    assert sorted(sent) == list("abcdefgh")
    assert sent != list("abcdefgh")
    assert any(d.chaos == "reorder" for d in box.log())


def test_past_the_pending_cap_the_oldest_pending_delivery_fails_with_the_reason() -> None:
    box = outbox(Clock(START), webhook_pending_size=2)
    oldest, *_ = queue(box, subscribe(box), "a", "b", "c")
    assert [(d.id, d.status) for d in box.log()] == [
        ("a", "failed"),
        ("b", "pending"),
        ("c", "pending"),
    ]
    assert oldest.attempts == []
    assert oldest.reason == (
        "pending queue full: subscription s1 already had 2 pending deliveries "
        "(--webhook-pending-size)"
    )
    assert oldest.to_json()["reason"] == oldest.reason
    assert drain(box) == ["b", "c"]


def test_a_delivery_failed_for_a_full_queue_stays_in_the_log() -> None:
    box = outbox(Clock(START), webhook_pending_size=1, webhook_log_size=1000)
    queue(box, subscribe(box), *"abcde")
    assert [(d.id, d.status) for d in box.log()] == [
        ("a", "failed"),
        ("b", "failed"),
        ("c", "failed"),
        ("d", "failed"),
        ("e", "pending"),
    ]
    assert box.get("a").status == "failed"


def test_the_delivery_in_flight_never_fails_for_a_full_queue() -> None:
    box = outbox(Clock(START), webhook_pending_size=2)
    subscription = subscribe(box)
    [flying, _] = queue(box, subscription, "a", "b")
    assert box.take_due() == [flying]
    queue(box, subscription, "c")
    assert [(d.id, d.status) for d in box.log()] == [
        ("a", "pending"),
        ("b", "failed"),
        ("c", "pending"),
    ]
    box.finish(flying, OK)
    assert (flying.status, drain(box)) == ("delivered", ["c"])


def test_the_pending_cap_holds_per_subscription() -> None:
    box = outbox(Clock(START), webhook_pending_size=1)
    queue(box, subscribe(box, "s1"), "a", "b")
    queue(box, subscribe(box, "s2"), "c")
    assert {d.id: d.status for d in box.log()} == {"a": "failed", "b": "pending", "c": "pending"}


def test_the_log_keeps_the_latest_finished_however_many_are_pending() -> None:
    box = outbox(Clock(START), webhook_log_size=2, webhook_retries="")
    down, up = subscribe(box, "s1"), subscribe(box, "s2")
    queue(box, down, *"abcde")
    queue(box, up, "f", "g", "h")
    assert drain_one(box, "s2") == drain_one(box, "s2") == ["delivered"]  # f, then g
    assert [d.id for d in box.log()] == [*"abcde", "f", "g", "h"]  # both kept: 2 finished
    assert drain_one(box, "s2") == ["delivered"]  # h
    assert [d.id for d in box.log()] == [*"abcde", "g", "h"]


def test_a_failed_delivery_stays_in_the_log_however_many_finish_after_it() -> None:
    box = outbox(Clock(START), webhook_log_size=2, webhook_retries="")
    down, up = subscribe(box, "s1"), subscribe(box, "s2")
    queue(box, down, "a")
    assert drain_one(box, "s1") == ["failed"]
    queue(box, up, *"fghij")
    drain(box)
    assert [d.id for d in box.log()] == ["a", "i", "j"]
    assert box.get("a").status == "failed"


def test_a_failed_delivery_leaves_the_log_once_redelivered_or_dropped() -> None:
    box = outbox(Clock(START), webhook_log_size=1, webhook_retries="")
    subscription = subscribe(box)
    first, second = queue(box, subscription, "a", "b")
    drain(box, DOWN)
    assert [d.status for d in box.log()] == ["failed", "failed"]
    box.redelivered(first)
    assert box.drop("b") is second
    assert (second.status, second.reason) == ("dropped", "dropped by request (was failed)")
    assert [d.id for d in box.log()] == ["b"]  # settled: a, then b; the log keeps one


def test_a_dropped_pending_delivery_is_never_sent_and_a_settled_one_cannot_be_dropped() -> None:
    box = outbox(Clock(START))
    queue(box, subscribe(box), "a", "b")
    box.drop("b")
    assert drain(box) == ["a"]
    assert box.get("b").status == "dropped"
    for settled in ("a", "b"):
        with pytest.raises(ApiError) as refused:
            box.drop(settled)
        assert refused.value.key == "invalid_admin_request"
        assert refused.value.params["path"] == "$.id"


def test_a_delivery_dropped_in_flight_stays_dropped() -> None:
    box = outbox(Clock(START))
    [flying] = queue(box, subscribe(box), "a")
    assert box.take_due() == [flying]
    box.drop("a")
    box.finish(flying, OK)
    assert (flying.status, box.busy()) == ("dropped", False)


def test_a_failed_delivery_says_why_its_last_attempt_failed() -> None:
    clock = Clock(START)
    box = outbox(clock, webhook_retries="1")
    first, second = queue(box, subscribe(box), "a", "b")
    drain(box, DOWN)
    clock.advance(1)
    drain(box, DOWN)
    assert first.reason == "no 2xx answer in 2 attempts; the last: HTTP 503"
    clock.advance(1)
    drain(box, REFUSED)
    assert second.reason == "no 2xx answer in 2 attempts; the last: ConnectError: refused"
    assert second.to_json()["reason"] == second.reason


def test_with_a_concurrency_of_three_three_deliveries_go_at_once_in_queue_order() -> None:
    box = outbox(Clock(START), webhook_concurrency=3)
    queue(box, subscribe(box), *"abcde")
    flying = box.take_due()
    assert [d.id for d in flying] == ["a", "b", "c"]
    assert box.take_due() == []
    box.finish(flying[1], OK)
    assert [d.id for d in box.take_due()] == ["d"]
    assert box.take_due() == []  # a, c and d in flight
    box.finish(flying[0], OK)
    assert drain(box) == ["e"]
    assert [d.status for d in box.log()] == [
        "delivered",
        "delivered",
        *["pending"] * 2,
        "delivered",
    ]


def test_a_retried_delivery_holds_back_those_its_window_places_behind_it() -> None:
    clock = Clock(START)
    box = outbox(clock, webhook_concurrency=2, webhook_retries="5")
    queue(box, subscribe(box), *"abcd")
    first, second = box.take_due()
    box.finish(first, DOWN)  # a waits for its retry: only b may go beside it
    box.finish(second, OK)
    assert box.take_due() == [box.get("c")]
    assert box.next_due() == START + 5
    box.finish(box.get("c"), OK)
    assert [d.id for d in box.take_due()] == ["d"]


def test_reorder_chaos_with_concurrency_still_sends_each_delivery() -> None:
    box = outbox(Clock(START), webhook_chaos="reorder", webhook_concurrency=3)
    queue(box, subscribe(box), *"abcdefgh")
    sent = drain(box)
    assert sorted(sent) == list("abcdefgh")
    assert sent != list("abcdefgh")


def drain_one(box: Outbox, only: str) -> list[str]:
    """Attempt the next delivery of one subscription (s1 fails, s2 succeeds); the statuses."""
    due = box.take_due(only)
    for delivery in due:
        box.finish(delivery, DOWN if only == "s1" else OK)
    return [delivery.status for delivery in due]
