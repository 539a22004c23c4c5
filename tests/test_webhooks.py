"""Webhooks: publishing, signed delivery through the sender, the worker, reset, verification."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import orjson
import pytest
import respx

from emulator.clock import Clock
from emulator.envelope import ApiError
from emulator.outbox import Attempt
from emulator.settings import Settings
from emulator.webhooks import (
    SIGNATURE_HEADER,
    HttpSender,
    Outgoing,
    Sender,
    Webhooks,
    mid,
    sign,
    stamp,
    verify,
)
from tests.conftest import START

APP = "202601010000000000000000001"
EVENT = ("custom_field", {"event_type": "custom_field", "extra_data": {"n": 1}})
WAIT = 10.0  # seconds a test waits at most for the worker thread


class Receiver:
    """A fake sender: records each request and answers with the next status of a script."""

    def __init__(self, *statuses: int | None) -> None:
        self.statuses = list(statuses)
        self.sent: list[Outgoing] = []
        self.arrived = threading.Condition()

    def __call__(self, out: Outgoing) -> Attempt:
        with self.arrived:
            self.sent.append(out)
            self.arrived.notify_all()
        status = self.statuses.pop(0) if self.statuses else 200
        return Attempt(status, "thanks", None if status else "ConnectError: refused", 2.0)

    def wait_for(self, count: int) -> bool:
        """Wait (at most WAIT seconds) until count requests have arrived."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.sent) >= count, WAIT)

    def events(self) -> list[int]:
        return [orjson.loads(out.body)["extra_data"]["n"] for out in self.sent]


def hooks(
    sender: Sender, clock: Clock | None = None, autostart: bool = False, **settings: Any
) -> Webhooks:
    config = Settings(seed=5, **settings)
    return Webhooks(config, clock or Clock(START), sender, autostart=autostart)


def numbered(*numbers: int) -> list[tuple[str, dict[str, object]]]:
    return [
        ("custom_field", {"event_type": "custom_field", "extra_data": {"n": n}}) for n in numbers
    ]


Worker = Callable[..., Webhooks]


@pytest.fixture
def worker() -> Iterator[Worker]:
    """Makes webhooks (as hooks() does) with a worker, subscribed to APP at http://hook/; each is
    closed after the test."""
    made: list[Webhooks] = []

    def make(sender: Sender, clock: Clock | None = None, **settings: object) -> Webhooks:
        webhooks = hooks(sender, clock, autostart=True, **settings)
        made.append(webhooks)
        webhooks.subscribe(APP, "http://hook/")
        return webhooks

    yield make
    for webhooks in made:
        webhooks.close()


def test_nothing_is_queued_without_a_matching_subscription() -> None:
    receiver = Receiver()
    webhooks = hooks(receiver)
    webhooks.subscribe(APP, "http://hook/", ["object_*"])
    assert webhooks.publish(APP, [EVENT]) == []
    assert webhooks.publish(None, [EVENT]) == []
    assert webhooks.publish("another-app", [EVENT]) == []
    assert (webhooks.listening(APP), webhooks.listening("another-app")) == (True, False)
    assert webhooks.run_due() == 0


def test_each_event_is_posted_as_json_with_its_headers_and_tenant_id() -> None:
    receiver = Receiver()
    webhooks = hooks(receiver)
    subscription = webhooks.subscribe(APP, "http://hook/in")
    [delivery_id] = webhooks.publish(APP, [EVENT])
    assert webhooks.run_due() == 1
    [out] = receiver.sent
    assert (out.method, out.url, out.timeout) == ("POST", "http://hook/in", 5.0)
    assert orjson.loads(out.body) == {"mid": mid(APP), **EVENT[1]}
    assert out.headers["x-jing-emulator-event"] == "custom_field"
    assert out.headers["x-jing-emulator-delivery"] == delivery_id
    assert out.headers["x-jing-emulator-attempt"] == "1"
    assert out.headers["x-jing-emulator-timestamp"] == str(int(START))
    assert SIGNATURE_HEADER not in out.headers
    [logged] = webhooks.deliveries()
    assert (logged["status"], logged["subscription_id"]) == ("delivered", subscription.id)
    assert logged["attempts"][0]["response"] == "thanks"


def test_a_signed_delivery_verifies_with_the_secret_only() -> None:
    receiver = Receiver()
    webhooks = hooks(receiver)
    webhooks.subscribe(APP, "http://hook/", secret="s3cret")
    webhooks.publish(APP, [EVENT])
    webhooks.run_due()
    [out] = receiver.sent
    header = out.headers[SIGNATURE_HEADER]
    assert header.startswith(f"t={int(START)},v1=")
    assert verify("s3cret", out.body, header)
    assert verify("s3cret", out.body.decode(), header, now=START + 60, tolerance=300)
    assert not verify("s3cret", out.body, header, now=START + 301, tolerance=300)
    assert not verify("other", out.body, header)
    assert not verify("s3cret", out.body + b" ", header)
    assert not verify("s3cret", out.body, "v1=abc")
    assert not verify("s3cret", out.body, "t=²,v1=abc")  # a digit, but not an ASCII one
    assert not verify("s3cret", out.body, header[:-1] + "é")
    assert sign("s3cret", int(START), out.body) == header


def test_a_receiver_that_fails_first_gets_everything_in_order_once() -> None:
    clock = Clock(START)
    receiver = Receiver(500, None, 502)
    webhooks = hooks(receiver, clock)
    webhooks.subscribe(APP, "http://hook/")
    webhooks.publish(APP, numbered(1, 2))
    webhooks.publish(APP, numbered(3))
    for _ in range(3):
        webhooks.run_due()
        clock.advance(60)
    webhooks.run_due()
    assert receiver.events() == [1, 1, 1, 1, 2, 3]  # three failed tries of 1, then each once
    delivered = webhooks.deliveries()
    assert [d["status"] for d in delivered] == ["delivered"] * 3
    assert [a["status"] for a in delivered[0]["attempts"]] == [500, None, 502, 200]


def test_redelivery_sends_the_event_again_as_a_new_delivery() -> None:
    receiver = Receiver()
    webhooks = hooks(receiver)
    subscription = webhooks.subscribe(APP, "http://hook/")
    [first] = webhooks.publish(APP, [EVENT])
    webhooks.run_due()
    again = webhooks.redeliver(first)
    webhooks.run_due()
    assert (again["redelivery_of"], again["event_id"]) == (
        first,
        webhooks.delivery(first)["event_id"],
    )
    assert webhooks.delivery(again["id"])["status"] == "delivered"
    assert receiver.sent[0].body == receiver.sent[1].body
    webhooks.unsubscribe(subscription.id)
    with pytest.raises(ApiError) as gone:
        webhooks.redeliver(first)
    assert gone.value.key == "subscription_not_found"


def test_a_delivery_failed_for_a_full_queue_is_redelivered_by_id() -> None:
    receiver = Receiver()
    webhooks = hooks(receiver, webhook_pending_size=2)
    webhooks.subscribe(APP, "http://hook/")
    first, *_ = webhooks.publish(APP, numbered(1, 2, 3))
    assert webhooks.delivery(first)["status"] == "failed"
    assert webhooks.delivery(first)["reason"].startswith("pending queue full")
    webhooks.run_due()
    again = webhooks.redeliver(first)
    webhooks.run_due()
    assert receiver.events() == [2, 3, 1]
    assert webhooks.delivery(again["id"])["status"] == "delivered"


def test_reset_keeps_the_start_subscription_and_in_process_receivers() -> None:
    receiver = Receiver()
    webhooks = hooks(receiver, webhook_url="http://start/hook", webhook_secret="k")
    collected: list[dict[str, object]] = []
    webhooks.subscribe(APP, "inprocess:test", receiver=collected.append)
    webhooks.subscribe(APP, "http://added/")
    webhooks.publish(APP, [EVENT])
    resets: list[bool] = []
    webhooks.reset_hooks.append(lambda: resets.append(True))
    webhooks.reset()
    urls = [(s["url"], s["signed"]) for s in webhooks.subscriptions()]
    assert urls == [("http://start/hook", True), ("inprocess:test", False)]
    assert (webhooks.deliveries(), resets) == ([], [True])
    webhooks.publish(APP, [EVENT])
    webhooks.run_due()
    assert len(receiver.sent) == 1
    assert [c["event"] for c in collected] == ["custom_field"]


def test_tenant_id_is_a_number_per_app_and_comes_first() -> None:
    assert mid(APP).isdigit()
    assert mid(APP) == mid(APP) != mid("another-app")
    assert list(stamp(APP, {"event_type": "x"})) == ["mid", "event_type"]
    assert stamp(APP, {"mid": "941"})["mid"] == "941"


def test_the_worker_delivers_in_the_background_and_stops_on_close(worker: Worker) -> None:
    receiver = Receiver()
    webhooks = worker(receiver)
    webhooks.publish(APP, [EVENT])
    assert receiver.wait_for(1)
    webhooks.close()
    assert not [t for t in threading.enumerate() if t.name == "jing-emulator-webhooks"]


def test_the_worker_fires_a_due_retry_when_woken_after_the_clock_moved(worker: Worker) -> None:
    clock = Clock(START)  # frozen: a retry is due only once the clock is moved
    receiver = Receiver(503)
    webhooks = worker(receiver, clock, webhook_retries="30")
    [delivery_id] = webhooks.publish(APP, [EVENT])
    assert receiver.wait_for(1)
    webhooks.run_due()  # returns once the worker has recorded the failure (and its retry time)
    clock.advance(30)
    webhooks.wake()
    assert receiver.wait_for(2)
    webhooks.close()
    assert webhooks.delivery(delivery_id)["status"] == "delivered"


def test_the_worker_retries_on_a_running_clock(worker: Worker) -> None:
    receiver = Receiver(503)
    webhooks = worker(receiver, Clock(), webhook_retries="0.01")
    webhooks.publish(APP, [EVENT])
    assert receiver.wait_for(2)  # the retry came due without a wake


def test_run_due_waits_for_a_delivery_in_flight_in_another_thread(worker: Worker) -> None:
    gate, entered = threading.Event(), threading.Event()

    def slow(out: Outgoing) -> Attempt:
        entered.set()
        gate.wait(WAIT)
        return Attempt(200, "", None, 1.0)

    webhooks = worker(slow)
    [delivery_id] = webhooks.publish(APP, [EVENT])
    assert entered.wait(WAIT)
    flushing = threading.Thread(target=webhooks.run_due)
    flushing.start()
    flushing.join(0.05)
    assert flushing.is_alive()  # waiting for the worker's attempt
    gate.set()
    flushing.join(WAIT)
    assert not flushing.is_alive()
    assert webhooks.delivery(delivery_id)["status"] == "delivered"


@pytest.fixture
def http() -> Iterator[HttpSender]:
    sender = HttpSender()
    yield sender
    sender.close()


def test_http_sender_reports_status_and_body(
    http: HttpSender, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post("https://hooks.example.cn/in").respond(418, text="teapot")
    answer = http(Outgoing("POST", "https://hooks.example.cn/in", b"{}", {"x-a": "1"}))
    assert (answer.status, answer.response, answer.error, answer.ok) == (418, "teapot", None, False)
    assert route.calls.last.request.headers["x-a"] == "1"
    assert answer.latency_ms >= 0


def test_http_sender_reports_timeouts_and_refused_connections(
    http: HttpSender, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post("https://slow.example.cn/").mock(side_effect=httpx.ReadTimeout("slow"))
    respx_mock.post("https://down.example.cn/").mock(side_effect=httpx.ConnectError("refused"))
    slow = http(Outgoing("POST", "https://slow.example.cn/", timeout=2.5))
    down = http(Outgoing("POST", "https://down.example.cn/"))
    assert (slow.status, slow.error) == (None, "no answer within 2.5 s")
    assert (down.status, down.error) == (None, "ConnectError: refused")


def test_a_receiver_that_raises_gets_a_failed_attempt_and_the_error_surfaces() -> None:
    def broken(delivery: dict[str, object]) -> None:
        raise RuntimeError("bug in the receiver")

    webhooks = hooks(Receiver(), webhook_retries="")
    webhooks.subscribe(APP, "inprocess:broken", receiver=broken)
    [delivery_id] = webhooks.publish(APP, [EVENT])
    with pytest.raises(RuntimeError, match="bug in the receiver"):
        webhooks.run_due()
    logged = webhooks.delivery(delivery_id)
    assert (logged["status"], logged["attempts"][0]["error"]) == (
        "failed",
        "the receiver raised an exception",
    )
    assert webhooks.run_due() == 0  # nothing left in flight


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1", "Invalid port"),
        ("mailto:someone@example.cn", "is not an http:// or https:// URL with a host"),
        ("http:///path", "is not an http:// or https:// URL with a host"),
    ],
)
def test_subscriptions_need_a_usable_url(url: str, reason: str) -> None:
    with pytest.raises(ApiError) as refused:
        hooks(Receiver()).subscribe(APP, url)
    assert refused.value.params["path"] == "$.url"
    assert reason in refused.value.params["reason"]


def test_a_closed_emulator_restarts_its_worker_when_work_comes(worker: Worker) -> None:
    receiver = Receiver()
    webhooks = worker(receiver)
    webhooks.close()
    webhooks.publish(APP, [EVENT])
    assert receiver.wait_for(1)


def test_http_sender_reports_an_over_long_host_and_reopens_after_close(http: HttpSender) -> None:
    answer = http(Outgoing("POST", "http://" + "a" * 70 + ".example.cn/"))
    assert (answer.status, answer.error is not None) == (None, True)
    http.close()
    with respx.mock() as router:
        router.post("https://hooks.example.cn/").respond(204)
        assert http(Outgoing("POST", "https://hooks.example.cn/")).status == 204


def test_run_due_for_one_subscription_leaves_the_others_queued() -> None:
    receiver = Receiver()
    webhooks = hooks(receiver)
    collected: list[dict[str, object]] = []
    webhooks.subscribe(APP, "http://hook/")
    mine = webhooks.subscribe(APP, "inprocess:mine", receiver=collected.append)
    webhooks.publish(APP, [EVENT])
    assert webhooks.run_due(mine.id) == 1
    assert (len(collected), receiver.sent) == (1, [])
    assert webhooks.run_due() == 1
    assert len(receiver.sent) == 1
