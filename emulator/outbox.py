"""The webhook outbox: subscriptions, one delivery queue per subscription, retries on the
virtual clock, chaos, and the bounded delivery log. No threads and no HTTP: webhooks.py drives it.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

import orjson

from emulator.clock import Clock
from emulator.envelope import ApiError
from emulator.settings import Settings, retry_schedule
from emulator.spec import Json

Receiver = Callable[[Json], None]  # an in-process receiver, called instead of an HTTP POST
PENDING, DELIVERED, FAILED, CANCELLED = "pending", "delivered", "failed", "cancelled"
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


@dataclass(slots=True)
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
    reason: str | None = None  # why it failed without its retries run out (a full queue)

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
    """Pending deliveries queued per subscription (delivered in order), and the delivery log."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self._clock = clock
        self._schedule = retry_schedule(settings.webhook_retries)
        self._cap = settings.webhook_log_size
        self._pending_cap = settings.webhook_pending_size
        self._chaos = settings.webhook_chaos
        self._seed = settings.seed
        self.reset()

    def reset(self) -> None:
        """No subscriptions, no deliveries."""
        self._subscriptions: dict[str, Subscription] = {}
        self._queues: dict[str, deque[Delivery]] = {}
        self._busy: dict[str, Delivery] = {}  # the delivery in flight, by subscription id
        self._log: dict[str, Delivery] = {}
        self._finished: deque[str] = deque()  # ids of the log's finished deliveries, oldest first
        self._random = random.Random(self._seed)

    def subscribe(self, subscription: Subscription) -> None:
        """Add a subscription, with an empty queue."""
        self._subscriptions[subscription.id] = subscription
        self._queues[subscription.id] = deque()

    def unsubscribe(self, subscription_id: str) -> Subscription:
        """Remove a subscription; its pending deliveries are cancelled (kept in the log)."""
        subscription = self.subscription(subscription_id)
        for delivery in self._queues.pop(subscription_id):
            delivery.status = CANCELLED
            self._finished.append(delivery.id)
        del self._subscriptions[subscription_id]
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
        self._trim()

    def _overflow(self, queue: deque[Delivery]) -> None:
        """Past the cap, the oldest pending delivery not in flight fails (kept in the log, and
        redeliverable): a receiver down for long cannot grow its queue without bound."""
        while len(queue) > self._pending_cap:
            busy = self._busy.get(queue[0].subscription.id)
            oldest = queue[0] if queue[0] is not busy else queue[1]
            queue.remove(oldest)
            oldest.status = FAILED
            oldest.reason = (
                f"pending queue full: subscription {oldest.subscription.id} already had "
                f"{self._pending_cap} pending deliveries (--webhook-pending-size)"
            )
            self._finished.append(oldest.id)

    def take_due(self, only: str | None = None) -> list[Delivery]:
        """The next due delivery of each subscription (or only one) not busy with one; they
        become busy."""
        now, taken = self._clock.now(), []
        for subscription_id, queue in self._queues.items():
            idle = subscription_id not in self._busy and only in (None, subscription_id)
            delivery = self._next(queue, now) if idle else None
            if delivery is not None:
                self._busy[subscription_id] = delivery
                taken.append(delivery)
        return taken

    def _next(self, queue: deque[Delivery], now: float) -> Delivery | None:
        if not queue:
            return None
        if len(queue) > 1 and queue[1].next_at <= now and self._chance("reorder"):
            queue[1].chaos = "reorder"  # overtakes the delivery queued before it
            return queue[1]
        return queue[0] if queue[0].next_at <= now else None

    def _chance(self, mode: str) -> bool:
        return self._chaos in (mode, "both") and self._random.random() < CHAOS_RATE

    def finish(self, delivery: Delivery, attempt: Attempt) -> None:
        """Record an attempt: delivered (duplicate chaos may queue it again), failed after the
        last retry, or due again later."""
        now = self._clock.now()
        delivery.attempts.append(_attempt_json(len(delivery.attempts) + 1, now, attempt))
        if self._log.get(delivery.id) is not delivery:
            return  # forgotten by a reset while in flight
        self._busy.pop(delivery.subscription.id, None)
        if delivery.status != PENDING:
            return  # cancelled while in flight
        if attempt.ok or len(delivery.attempts) > len(self._schedule):
            delivery.status = DELIVERED if attempt.ok else FAILED
            self._queues[delivery.subscription.id].remove(delivery)
            self._finished.append(delivery.id)
            self._trim()
            self._duplicate(delivery, now)
            return
        delivery.next_at = now + self._schedule[len(delivery.attempts) - 1]

    def _duplicate(self, delivery: Delivery, now: float) -> None:
        """Duplicate chaos: a delivered delivery (not itself a duplicate) may be queued again."""
        duplicable = delivery.status == DELIVERED and delivery.chaos != "duplicate"
        if duplicable and self._chance("duplicate"):
            copy = delivery.copy(f"{delivery.id}-dup", now, chaos="duplicate")
            self.enqueue(copy, first=True)

    def busy(self, only: str | None = None) -> bool:
        """Whether some delivery (of one subscription, if named) is in flight."""
        return only in self._busy if only else bool(self._busy)

    def next_due(self) -> float | None:
        """When the earliest queued delivery is due (None: nothing queued)."""
        heads = [queue[0].next_at for queue in self._queues.values() if queue]
        return min(heads, default=None)

    def get(self, delivery_id: str) -> Delivery:
        """A delivery of the log."""
        found = self._log.get(delivery_id)
        if found is None:
            raise ApiError("delivery_not_found", delivery_id=delivery_id, path="$.id")
        return found

    def log(self) -> list[Delivery]:
        """The delivery log, oldest first: every pending delivery and the latest finished ones."""
        return list(self._log.values())

    @property
    def capacity(self) -> int:
        return self._cap

    def _trim(self) -> None:
        """Forget the deliveries that finished first while more than the cap finished; pending
        ones stay."""
        while len(self._finished) > self._cap:
            del self._log[self._finished.popleft()]


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
