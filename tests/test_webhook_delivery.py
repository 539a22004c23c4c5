"""Delivery to a real HTTP receiver: retries falling due while the clock is moved, back-pressure
on publishers while a receiver answers, and several deliveries in flight at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator.clock import Clock
from emulator.outbox import Attempt
from emulator.settings import Settings
from emulator.webhooks import Outgoing, Webhooks
from tests.conftest import START

APP = "202601010000000000000000001"
WAIT = 10.0  # seconds a test waits at most for the worker's threads

Answer = Callable[[], int]  # the status a request gets, run in the receiver's thread


class Receiver:
    """A real HTTP server on loopback: counts the event ids it receives, answers with answer()."""

    def __init__(self, answer: Answer) -> None:
        self.answer, self.events = answer, list[str]()
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["content-length"]))
                status = receiver.answer()
                with receiver.arrived:
                    receiver.events.append(self.headers["x-jing-emulator-event-id"])
                    receiver.arrived.notify_all()
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                """Quiet: the tests read what arrived, not the server's log."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def wait_for(self, count: int) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.events) >= count, WAIT)


@pytest.fixture
def serving() -> Iterator[Callable[[Answer], Receiver]]:
    started: list[Receiver] = []

    def start(answer: Answer) -> Receiver:
        receiver = Receiver(answer)
        threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.server.shutdown()
        receiver.server.server_close()


@pytest.fixture
def made() -> Iterator[Callable[..., Webhooks]]:
    """Webhooks with a worker and the real HTTP sender; each is closed after the test."""
    built: list[Webhooks] = []

    def make(**settings: Any) -> Webhooks:
        webhooks = Webhooks(Settings(seed=5, **settings), Clock(START))
        built.append(webhooks)
        return webhooks

    yield make
    for webhooks in built:
        webhooks.close()


def numbered(count: int) -> list[list[tuple[str, dict[str, Any]]]]:
    return [[("custom_field", {"event_type": "custom_field", "n": n})] for n in range(count)]


def test_moving_the_clock_runs_every_retry_falling_due_in_order(
    client: TestClient, serving: Callable[[Answer], Receiver]
) -> None:
    receiver = serving(lambda: 503)
    client.post("/_admin/webhooks/subscriptions", json={"url": receiver.url})
    client.post("/_admin/webhooks/trigger", json={"event": "template_click"})
    clock = client.post("/_admin/clock", json={"advance_seconds": 60}).json()["data"]
    [failed] = client.get("/_admin/webhooks/deliveries").json()["data"]["deliveries"]
    assert failed["status"] == "failed"
    assert [a["at"] - START for a in failed["attempts"]] == [0, 1, 3, 7, 15, 31]
    assert failed["reason"] == "no 2xx answer in 6 attempts; the last: HTTP 503"
    assert clock["now"] == START + 60


def test_a_refused_connection_is_the_reason_a_delivery_failed(client: TestClient) -> None:
    client.post("/_admin/webhooks/subscriptions", json={"url": "http://127.0.0.1:9/down"})
    client.post("/_admin/webhooks/trigger", json={"event": "template_click"})
    client.post("/_admin/clock", json={"advance_seconds": 31})
    [failed] = client.get("/_admin/webhooks/deliveries").json()["data"]["deliveries"]
    assert failed["status"] == "failed"
    assert failed["reason"].startswith("no 2xx answer in 6 attempts; the last: ConnectError")


def test_a_sustained_publisher_loses_nothing_to_a_healthy_receiver_behind_a_small_queue(
    serving: Callable[[Answer], Receiver], made: Callable[..., Webhooks]
) -> None:
    receiver = serving(lambda: 200)
    webhooks = made(webhook_pending_size=3)
    webhooks.subscribe(APP, receiver.url)
    for events in numbered(200):
        webhooks.publish(APP, events)  # waits for room while the queue is full
    assert receiver.wait_for(200)
    webhooks.run_due()
    log = webhooks.deliveries()
    assert [d["status"] for d in log] == ["delivered"] * 200
    assert len(set(receiver.events)) == 200


def test_deliveries_go_several_at_once_up_to_the_concurrency(
    serving: Callable[[Answer], Receiver], made: Callable[..., Webhooks]
) -> None:
    together = threading.Barrier(3, timeout=WAIT)  # each request waits for the other two

    def answer() -> int:
        together.wait()
        return 200

    receiver = serving(answer)
    webhooks = made(webhook_concurrency=3)
    webhooks.subscribe(APP, receiver.url)
    for events in numbered(3):
        webhooks.publish(APP, events)
    assert receiver.wait_for(3)
    webhooks.run_due()
    assert [d["status"] for d in webhooks.deliveries()] == ["delivered"] * 3


def test_a_publisher_stops_waiting_when_no_attempt_ends_within_the_timeout() -> None:
    gate = threading.Event()

    def stuck(out: Outgoing) -> Attempt:
        gate.wait(WAIT)
        return Attempt(200, "", None, 1.0)

    webhooks = Webhooks(Settings(webhook_pending_size=1, webhook_timeout=0.05), Clock(START), stuck)
    webhooks.subscribe(APP, "http://hook/")
    try:
        first, second = (webhooks.publish(APP, events)[0] for events in numbered(2))
        assert webhooks.delivery(second)["reason"].startswith("pending queue full")
        gate.set()
        webhooks.run_due()
        assert webhooks.delivery(first)["status"] == "delivered"
    finally:
        gate.set()
        webhooks.close()


def test_the_event_ids_a_receiver_gets_are_the_logged_ones(
    serving: Callable[[Answer], Receiver], made: Callable[..., Webhooks]
) -> None:
    receiver = serving(lambda: 200)
    webhooks = made(webhook_concurrency=4)
    webhooks.subscribe(APP, receiver.url)
    for events in numbered(20):
        webhooks.publish(APP, events)
    assert receiver.wait_for(20)
    webhooks.run_due()
    logged = [d["event_id"] for d in webhooks.deliveries()]
    assert sorted(receiver.events) == sorted(logged)
    assert len(set(logged)) == 20
