"""Webhooks: events published to subscriptions and delivered by a background worker over HTTP
(the emulator's only outbound HTTP, through one injectable sender), signed, and verified."""

from __future__ import annotations

import hashlib
import hmac
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import orjson

from emulator import spec
from emulator.clock import Clock, Ids, stopwatch
from emulator.envelope import ApiError
from emulator.outbox import Attempt, Delivery, Outbox, Receiver, Subscription
from emulator.settings import MAX_WEBHOOK_CONCURRENCY, Settings
from emulator.spec import Json

HEADER = "x-jing-emulator-"
SIGNATURE_HEADER = HEADER + "signature"
USER_AGENT = "jing-emulator-webhooks"
MAX_IDLE = 1.0  # real seconds the worker sleeps at most before looking for due retries
ALL_EVENTS = ("*",)
ID_SEED_OFFSET = 0x9E3779B9
RAISED = Attempt(None, "", "the receiver raised an exception", 0.0)
POOL_SIZE = MAX_WEBHOOK_CONCURRENCY  # attempts in flight at once, across subscriptions


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One HTTP request to send."""

    method: str
    url: str
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 5.0


Sender = Callable[[Outgoing], Attempt]


class HttpSender:
    """The default sender (httpx): an answer, or a timeout or refused connection as an error."""

    def __init__(self) -> None:
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()  # the worker's threads share one client

    def __call__(self, out: Outgoing) -> Attempt:
        elapsed = stopwatch()
        with self._lock:
            client = self._client = self._client or httpx.Client()
        try:
            response = client.request(
                out.method,
                out.url,
                content=out.body,
                headers=dict(out.headers),
                timeout=out.timeout,
            )
        except httpx.TimeoutException:
            return Attempt(None, "", f"no answer within {out.timeout} s", elapsed())
        except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:  # (an over-long host)
            return Attempt(None, "", f"{type(exc).__name__}: {exc}", elapsed())
        return Attempt(response.status_code, response.text, None, elapsed())

    def close(self) -> None:
        """Close the connections (a later request opens new ones)."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()


def url_problem(url: str) -> str | None:
    """Why a URL cannot take deliveries (not http or https, no host, malformed), or None."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        return str(exc)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return f"{url!r} is not an http:// or https:// URL with a host"
    return None


def mid(app_id: str) -> str:
    """The tenant id (mid) an app's events carry: a number derived from its app_id."""
    return str(zlib.crc32(app_id.encode()) % 9999 + 1)


def stamp(app_id: str, payload: Json) -> Json:
    """A payload with its tenant id first, as the vendor's samples show it."""
    return {"mid": mid(app_id), **payload}


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header: t=TIMESTAMP,v1=hex HMAC-SHA256(secret, "TIMESTAMP." + body)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(
    secret: str,
    body: bytes | str,
    header: str,
    now: float | None = None,
    tolerance: float | None = None,
) -> bool:
    """Whether a signature header is the secret's over this exact body; given now and a
    tolerance (seconds), also whether its timestamp is that recent."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    timestamp, given = parts.get("t", ""), parts.get("v1", "")
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    raw = body.encode() if isinstance(body, str) else body
    expected = sign(secret, int(timestamp), raw).rsplit("v1=", 1)[1]
    fresh = now is None or tolerance is None or abs(now - int(timestamp)) <= tolerance
    return fresh and hmac.compare_digest(expected.encode(), given.encode())


class Webhooks:
    """An emulator's subscriptions and deliveries. A daemon worker, started when an HTTP
    subscription first has work, hands due deliveries to a pool of threads; run_due() delivers
    in the calling thread."""

    def __init__(
        self, settings: Settings, clock: Clock, sender: Sender | None = None, autostart: bool = True
    ) -> None:
        self._settings, self._clock, self._autostart = settings, clock, autostart
        self._sender = sender or HttpSender()
        # Its own sequence: webhook ids never shift the API's ids, nor repeat them.
        self._ids = Ids(None if settings.seed is None else settings.seed + ID_SEED_OFFSET)
        self.outbox = Outbox(settings, clock)
        index = spec.events_with(settings.schemas_overlay)
        self._codes = {name: index.code(name) for name in index.by_name if index.code(name) != name}
        self.reset_hooks: list[Callable[[], None]] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._stopping = self._dirty = False
        self._subscribe_default()

    def _subscribe_default(self) -> None:
        if self._settings.webhook_url:
            self.subscribe(
                self._settings.app_id,
                self._settings.webhook_url,
                secret=self._settings.webhook_secret,
            )

    def subscribe(
        self,
        app_id: str,
        url: str,
        events: Iterable[str] = ALL_EVENTS,
        secret: str | None = None,
        receiver: Receiver | None = None,
    ) -> Subscription:
        """A new subscription of an app's events matching the patterns, delivered to the URL
        (or, in-process, to the receiver)."""
        problem = url_problem(url) if receiver is None else None
        if problem:
            raise ApiError("invalid_admin_request", path="$.url", reason=problem)
        with self._cond:
            subscription = Subscription(
                self._ids.hex32(), app_id, url, tuple(events), secret, self._clock.now(), receiver
            )
            self.outbox.subscribe(subscription)
            return subscription

    def unsubscribe(self, subscription_id: str) -> Subscription:
        """Remove a subscription; its pending deliveries are cancelled."""
        with self._cond:
            return self.outbox.unsubscribe(subscription_id)

    def listening(self, app_id: str | None) -> bool:
        """Whether some subscription takes the app's events (if not, nothing need be built)."""
        # No lock on every call's path: the copy of the subscriptions is taken at once.
        return any(s.app_id == app_id for s in self.outbox.subscriptions())

    def publish(self, app_id: str | None, events: Sequence[tuple[str, Json]]) -> list[str]:
        """Queue each event for every subscription of the app it matches; the delivery ids."""
        if app_id is None or not events:  # most calls: no lock taken
            return []
        ids: list[str] = []
        with self._cond:
            for name, payload in events:
                subscriptions = self.outbox.matching(app_id, name)
                if subscriptions:
                    self._make_room(subscriptions)
                    ids += self._queue(name, self.as_sent(app_id, name, payload), subscriptions)
            if ids:
                self._notify()
        return ids

    def _make_room(self, subscriptions: list[Subscription]) -> None:
        """Back-pressure: while a subscription's queue is full and its receiver is answering,
        wait for room; after --webhook-timeout without an attempt finishing, stop waiting (the
        oldest pending delivery then fails for the full queue, kept in the log)."""
        for subscription in subscriptions:
            while self.outbox.full(subscription.id) and self._flowing(subscription):
                made = self.outbox.attempts
                self._cond.wait(self._settings.webhook_timeout)
                if self.outbox.attempts == made:
                    return

    def _flowing(self, subscription: Subscription) -> bool:
        worker = self._thread is not None and self._thread.is_alive()
        http = subscription.receiver is None  # an in-process one is served by the caller's thread
        return worker and http and self.outbox.flowing(subscription.id)

    def as_sent(self, app_id: str, name: str, payload: Json) -> Json:
        """An event's payload as it is sent: with its tenant id, and its code as event_type."""
        stamped = stamp(app_id, payload)
        if name in self._codes:  # an overlay renamed the code
            stamped["event_type"] = self._codes[name]
        return stamped

    def _queue(self, name: str, payload: Json, subscriptions: list[Subscription]) -> list[str]:
        body, event_id, now = orjson.dumps(payload), self._ids.hex32(), self._clock.now()
        deliveries = [
            Delivery(self._ids.hex32(), event_id, name, s, body, now, now) for s in subscriptions
        ]
        for delivery in deliveries:
            self.outbox.enqueue(delivery)
        return [delivery.id for delivery in deliveries]

    def redeliver(self, delivery_id: str) -> Json:
        """Queue the event of a logged delivery again, to the same subscription; the new one."""
        with self._cond:
            original = self.outbox.get(delivery_id)
            self.outbox.subscription(original.subscription.id)  # still subscribed
            copy = original.copy(self._ids.hex32(), self._clock.now(), redelivery_of=delivery_id)
            self.outbox.enqueue(copy)
            self.outbox.redelivered(original)
            self._notify()
            return copy.to_json()

    def drop(self, delivery_id: str) -> Json:
        """Give up a pending or failed delivery of the log (it says so: status dropped)."""
        with self._cond:
            return self.outbox.drop(delivery_id).to_json()

    def subscriptions(self) -> list[Json]:
        """Every subscription, as the admin API lists them."""
        with self._cond:
            return [subscription.to_json() for subscription in self.outbox.subscriptions()]

    def deliveries(self) -> list[Json]:
        """The delivery log, oldest first, every attempt of each delivery."""
        with self._cond:
            return [delivery.to_json() for delivery in self.outbox.log()]

    def delivery(self, delivery_id: str) -> Json:
        """One delivery of the log."""
        with self._cond:
            return self.outbox.get(delivery_id).to_json()

    def run_due(self, only: str | None = None) -> int:
        """Deliver everything due on the virtual clock (for one subscription, if named), each
        subscription in order, waiting for those in flight in another thread; the attempts."""
        made = 0
        while True:
            with self._cond:
                due = [] if self._stopping else self.outbox.take_due(only)
                while not due and self.outbox.busy(only):
                    self._cond.wait()
                    due = self.outbox.take_due(only)
            if not due:
                return made
            for delivery in due:
                self._attempt(delivery)
            made += len(due)

    def advance(self, seconds: float) -> int:
        """Move the clock forward, running in order every delivery and retry that falls due
        on the way, each at the instant it is due; the attempts made."""
        made, left = self.run_due(), max(seconds, 0.0)
        while (due := self.outbox.next_due()) is not None and due <= self._clock.now() + left:
            step = max(due - self._clock.now(), 0.0)
            self._clock.advance(step)
            left -= step
            ran = self.run_due()
            if not ran and not step:  # pragma: no cover - only while close() stops the worker
                break
            made += ran
        self._clock.advance(left)
        self.wake()
        return made

    def _attempt(self, delivery: Delivery) -> None:
        attempt = RAISED  # what is recorded if the sender or receiver raises
        try:
            attempt = self._send(delivery, self._headers(delivery))
        finally:
            with self._cond:
                self.outbox.finish(delivery, attempt)
                self._dirty = True  # a place in flight is free: the worker looks again
                self._cond.notify_all()

    def _send(self, delivery: Delivery, headers: dict[str, str]) -> Attempt:
        subscription = delivery.subscription
        if subscription.receiver is None:
            timeout = self._settings.webhook_timeout
            return self._sender(Outgoing("POST", subscription.url, delivery.body, headers, timeout))
        elapsed = stopwatch()
        payload = orjson.loads(delivery.body)
        subscription.receiver({"event": delivery.event, "payload": payload, "headers": headers})
        return Attempt(200, "", None, elapsed())

    def _headers(self, delivery: Delivery) -> dict[str, str]:
        now = int(self._clock.now())
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            HEADER + "event": delivery.event,
            HEADER + "event-id": delivery.event_id,
            HEADER + "delivery": delivery.id,
            HEADER + "attempt": str(len(delivery.attempts) + 1),
            HEADER + "timestamp": str(now),
        }
        if delivery.subscription.secret:
            headers[SIGNATURE_HEADER] = sign(delivery.subscription.secret, now, delivery.body)
        return headers

    def wake(self) -> None:
        """Look for due deliveries now (the clock moved, or work arrived)."""
        with self._cond:
            self._notify()

    def _notify(self) -> None:
        self._dirty = True
        self._cond.notify_all()
        idle = self._thread is None or not self._thread.is_alive()
        if self._autostart and idle and self._has_http():
            self._thread = threading.Thread(
                target=self._work, name="jing-emulator-webhooks", daemon=True
            )
            self._thread.start()

    def _has_http(self) -> bool:
        return any(s.receiver is None for s in self.outbox.subscriptions())

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._dirty and not self._stopping:
                    if not self._cond.wait(self._idle()):
                        break  # a retry may have come due on a running clock
                if self._stopping:
                    return
                self._dirty = False
                due = self.outbox.take_due()
            for delivery in due:
                self._pool_of_threads().submit(self._attempt, delivery)

    def _pool_of_threads(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(POOL_SIZE, thread_name_prefix="jing-emulator-webhook")
        return self._pool

    def _idle(self) -> float:
        due = self.outbox.next_due()
        if due is None or self._clock.frozen:
            return MAX_IDLE
        return min(max(due - self._clock.now(), 0.0), MAX_IDLE)

    def close(self) -> None:
        """Stop the worker (after the attempt in flight, if any) and close connections."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)  # the attempts in flight end and are recorded
        with self._cond:
            self._stopping = False
        if isinstance(self._sender, HttpSender):
            self._sender.close()

    def reset(self) -> None:
        """No deliveries and only the start's subscriptions: the --webhook-url one and the
        in-process receivers, which keep their ids (and whose reset hooks run)."""
        with self._cond:
            kept = [s for s in self.outbox.subscriptions() if s.receiver is not None]
            self.outbox.reset()  # ids go on: a new one never repeats a kept receiver's
            self._subscribe_default()
            for subscription in kept:
                self.outbox.subscribe(subscription)
        for hook in self.reset_hooks:
            hook()
