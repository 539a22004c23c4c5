"""The webhook outbox: subscriptions, one delivery queue per subscription, retries on the
virtual clock, chaos, and the delivery log. No threads and no HTTP: webhooks.py drives it."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from itertools import islice

import orjson

from emulator.clock import Clock
from emulator.envelope import ApiError
from emulator.settings import Settings, retry_schedule
from emulator.spec import Json

Receiver = Callable[[Json], None]  # an in-process receiver, called instead of an HTTP POST
PENDING, DELIVERED, FAILED, CANCELLED = "pending", "delivered", "failed", "cancelled"
DROPPED = "dropped"
CHAOS_RATE = 0.5  # the share of deliveries chaos duplicates or lets overtake the one before
SNIPPET = 256  # characters of a receiver's answer the log keeps per attempt


@dataclass(slots=True)
class Subscription:
    id: str
    app_id: str
    url: str
    events: tuple[str, ...]
    secret: str | None
    created_at: float
    receiver: Receiver | None = None

    def matches(self, event: str) -> bool:
        """Whether an event name matches one of the patterns ("*" matches every event)."""
        return any(fnmatchcase(event, pattern) for pattern in self.events)

    def to_json(self) -> Json:
        """As the admin API lists it: the secret is never shown, only whether there is one."""
        return {
            "id": self.id,
            "app_id": self.app_id,
            "url": self.url,
            "events": list(self.events),
            "signed": self.secret is not None,
            "created_at": self.created_at,
        }


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one try gave: the HTTP status (None: no answer), the answer, the error, the latency."""

    status: int | None
    response: str
    error: str | None
    latency_ms: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(slots=True, eq=False)  # compared by identity: a queue finds its own delivery fast
class Delivery:
    id: str
    event_id: str
    event: str
    subscription: Subscription
    body: bytes
    created_at: float
    next_at: float
    status: str = PENDING
    attempts: list[Json] = field(default_factory=list)
    redelivery_of: str | None = None
    chaos: str | None = None
    reason: str | None = None  # why it failed: the last attempt's answer, or a full queue
    in_flight: bool = False
    settled: bool = False  # finished and, if failed, redelivered or dropped: the log may forget it

    def to_json(self) -> Json:
        """As the admin API lists it: every attempt, the event payload."""
        return {
            "id": self.id,
            "event_id": self.event_id,
            "event": self.event,
            "app_id": self.subscription.app_id,
            "subscription_id": self.subscription.id,
            "url": self.subscription.url,
            "status": self.status,
            "attempts": list(self.attempts),
            "created_at": self.created_at,
            "next_attempt_at": self.next_at if self.status == PENDING else None,
            "redelivery_of": self.redelivery_of,
            "chaos": self.chaos,
            "reason": self.reason,
            "payload": orjson.loads(self.body),
        }

    def copy(
        self,
        delivery_id: str,
        now: float,
        redelivery_of: str | None = None,
        chaos: str | None = None,
    ) -> Delivery:
        """A new delivery of the same event to the same subscription, due now."""
        return Delivery(
            delivery_id,
            self.event_id,
            self.event,
            self.subscription,
            self.body,
            now,
            now,
            redelivery_of=redelivery_of,
            chaos=chaos,
        )


class Outbox:
    """Pending deliveries queued per subscription (delivered in order, up to
    --webhook-concurrency at a time), and the delivery log."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self._clock = clock
        self._schedule = retry_schedule(settings.webhook_retries)
        self._cap = settings.webhook_log_size
        self._pending_cap = settings.webhook_pending_size
        self._window = settings.webhook_concurrency
        self._chaos = settings.webhook_chaos
        self._seed = settings.seed
        self.reset()

    def reset(self) -> None:
        """No subscriptions, no deliveries."""
        self._subscriptions: dict[str, Subscription] = {}
        self._queues: dict[str, deque[Delivery]] = {}
        self._busy: dict[str, dict[str, Delivery]] = {}  # deliveries in flight, by subscription
        self._log: dict[str, Delivery] = {}
        self._finished: deque[str] = deque()  # ids of the log's settled deliveries, oldest first
        self._random = random.Random(self._seed)
        self.attempts = 0  # attempts finished so far: how waiting publishers see progress

    def subscribe(self, subscription: Subscription) -> None:
        """Add a subscription, with an empty queue."""
        self._subscriptions[subscription.id] = subscription
        self._queues[subscription.id] = deque()
        self._busy[subscription.id] = {}

    def unsubscribe(self, subscription_id: str) -> Subscription:
        """Remove a subscription; its pending deliveries are cancelled (kept in the log)."""
        subscription = self.subscription(subscription_id)
        for delivery in self._queues.pop(subscription_id):
            delivery.status = CANCELLED
            self._settle(delivery)
        del self._subscriptions[subscription_id], self._busy[subscription_id]
        return subscription

    def subscription(self, subscription_id: str) -> Subscription:
        """The subscription with this id."""
        found = self._subscriptions.get(subscription_id)
        if found is None:
            raise ApiError("subscription_not_found", subscription_id=subscription_id, path="$.id")
        return found

    def subscriptions(self) -> list[Subscription]:
        """Every subscription, oldest first."""
        return list(self._subscriptions.values())

    def matching(self, app_id: str, event: str) -> list[Subscription]:
        """The app's subscriptions an event goes to."""
        subs = self._subscriptions.values()
        return [s for s in subs if s.app_id == app_id and s.matches(event)]

    def enqueue(self, delivery: Delivery, first: bool = False) -> None:
        """Queue a delivery at the end of its subscription's queue (or first), and log it."""
        queue = self._queues[delivery.subscription.id]
        if first:
            queue.appendleft(delivery)
        else:
            queue.append(delivery)
        self._log[delivery.id] = delivery
        self._overflow(queue)

    def full(self, subscription_id: str) -> bool:
        """Whether one more delivery would overflow the subscription's queue."""
        return len(self._queues[subscription_id]) >= self._pending_cap

    def flowing(self, subscription_id: str) -> bool:
        """Whether the subscription's receiver is being sent to now (its first delivery is in
        flight or due), rather than waiting for a retry."""
        queue = self._queues[subscription_id]
        return bool(queue) and (queue[0].in_flight or queue[0].next_at <= self._clock.now())

    def _overflow(self, queue: deque[Delivery]) -> None:
        """Past the cap, the oldest pending delivery not in flight fails (kept in the log, and
        redeliverable): a receiver down for long cannot grow its queue without bound."""
        while len(queue) > self._pending_cap:
            oldest = next(d for d in queue if not d.in_flight)  # the newest one never is
            queue.remove(oldest)
            oldest.status = FAILED
            oldest.reason = (
                f"pending queue full: subscription {oldest.subscription.id} already had "
                f"{self._pending_cap} pending deliveries (--webhook-pending-size)"
            )

    def take_due(self, only: str | None = None) -> list[Delivery]:
        """The next due deliveries of each subscription (or only one), as many as its free
        places in flight; they become busy."""
        now, taken = self._clock.now(), []
        for subscription_id, queue in self._queues.items():
            flying = self._busy[subscription_id]
            while only in (None, subscription_id) and len(flying) < self._window:
                delivery = self._next(queue, now)
                if delivery is None:
                    break
                delivery.in_flight, flying[delivery.id] = True, delivery
                taken.append(delivery)
        return taken

    def _next(self, queue: deque[Delivery], now: float) -> Delivery | None:
        """The first due delivery among the first `window` of the queue not in flight; reorder
        chaos may take the one after it instead."""
        window = list(islice(queue, self._window + 1))
        free = [i for i, delivery in enumerate(window) if not delivery.in_flight]
        if len(free) > 1 and window[free[1]].next_at <= now and self._chance("reorder"):
            window[free[1]].chaos = "reorder"  # overtakes the delivery queued before it
            return window[free[1]]
        due = (window[i] for i in free if i < self._window and window[i].next_at <= now)
        return next(due, None)

    def _chance(self, mode: str) -> bool:
        return self._chaos in (mode, "both") and self._random.random() < CHAOS_RATE

    def finish(self, delivery: Delivery, attempt: Attempt) -> None:
        """Record an attempt: delivered (duplicate chaos may queue it again), failed after the
        last retry (kept in the log until redelivered or dropped), or due again later."""
        now = self._clock.now()
        delivery.attempts.append(_attempt_json(len(delivery.attempts) + 1, now, attempt))
        if self._log.get(delivery.id) is not delivery:
            return  # forgotten by a reset while in flight
        self.attempts += 1
        delivery.in_flight = False
        self._busy.get(delivery.subscription.id, {}).pop(delivery.id, None)
        if delivery.status != PENDING:
            return  # cancelled or dropped while in flight
        if attempt.ok or len(delivery.attempts) > len(self._schedule):
            self._queues[delivery.subscription.id].remove(delivery)
            delivery.status = DELIVERED if attempt.ok else FAILED
            if attempt.ok:
                self._settle(delivery)
                self._duplicate(delivery, now)
            else:
                delivery.reason = _failure(delivery.attempts)
            return
        delivery.next_at = now + self._schedule[len(delivery.attempts) - 1]

    def _duplicate(self, delivery: Delivery, now: float) -> None:
        """Duplicate chaos: a delivered delivery (not itself a duplicate) may be queued again."""
        if delivery.chaos != "duplicate" and self._chance("duplicate"):
            copy = delivery.copy(f"{delivery.id}-dup", now, chaos="duplicate")
            self.enqueue(copy, first=True)

    def redelivered(self, delivery: Delivery) -> None:
        """A failed delivery was queued again as a new one: the log may now forget it."""
        if delivery.status == FAILED and not delivery.settled:
            self._settle(delivery)

    def drop(self, delivery_id: str) -> Delivery:
        """Give up a pending or failed delivery: it is never attempted again and shows as
        dropped in the log (which may then forget it, like a delivered one)."""
        delivery = self.get(delivery_id)
        if delivery.status not in (PENDING, FAILED) or delivery.settled:
            reason = f"delivery {delivery_id} is {delivery.status}: only a pending or failed one"
            raise ApiError("invalid_admin_request", path="$.id", reason=reason + " can be dropped")
        if delivery.status == PENDING:
            self._queues[delivery.subscription.id].remove(delivery)
        delivery.status, delivery.reason = DROPPED, f"dropped by request (was {delivery.status})"
        self._settle(delivery)
        return delivery

    def busy(self, only: str | None = None) -> bool:
        """Whether some delivery (of one subscription, if named) is in flight."""
        if only:
            return bool(self._busy.get(only))
        return any(self._busy.values())

    def next_due(self) -> float | None:
        """When the earliest delivery that may go next is due (None: nothing queued)."""
        window = (islice(queue, self._window) for queue in self._queues.values())
        return min((d.next_at for w in window for d in w if not d.in_flight), default=None)

    def get(self, delivery_id: str) -> Delivery:
        """A delivery of the log."""
        found = self._log.get(delivery_id)
        if found is None:
            raise ApiError("delivery_not_found", delivery_id=delivery_id, path="$.id")
        return found

    def log(self) -> list[Delivery]:
        """The delivery log, oldest first: every pending delivery, every failed one not yet
        redelivered or dropped, and the latest settled ones."""
        return list(self._log.values())

    @property
    def capacity(self) -> int:
        return self._cap

    def _settle(self, delivery: Delivery) -> None:
        """A delivery nothing more is owed for: past the cap the log forgets the oldest such."""
        delivery.settled = True
        self._finished.append(delivery.id)
        while len(self._finished) > self._cap:
            del self._log[self._finished.popleft()]


def _failure(attempts: list[Json]) -> str:
    """Why a delivery failed: its last attempt's answer."""
    last = attempts[-1]
    answer = f"HTTP {last['status']}" if last["status"] is not None else last["error"]
    return f"no 2xx answer in {len(attempts)} attempts; the last: {answer}"


def _attempt_json(number: int, at: float, attempt: Attempt) -> Json:
    return {
        "attempt": number,
        "at": at,
        "status": attempt.status,
        "ok": attempt.ok,
        "latency_ms": round(attempt.latency_ms, 3),
        "response": attempt.response[:SNIPPET],
        "error": attempt.error,
    }
