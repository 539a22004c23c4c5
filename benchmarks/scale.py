"""Scale figures: seeding many users, finding one of them, and the memory each one takes.

Users are the workload's (2 identities, 10 custom fields), parsed from JSON and loaded through
`Emulator.seed`, the path of `--seed-data` and `POST /_admin/seed`, in chunks. Then one user in
ten is given two tags, so that the user tags grow with the store as the users do.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

import orjson

from benchmarks.inprocess import per_call_us
from benchmarks.workload import QUERY_PATH, business_headers, mobile, user
from emulator.core import Emulator, Request
from emulator.settings import Settings

CHUNK = 10_000
LOOKUPS = 2_000  # random users looked up per timing
QUERIES = 200  # whole user.query calls per timing
SIZES = (1_000, 100_000, 1_000_000)
MEMORY_USERS = 100_000
TAGS = 10  # tags in each store
TAGGED_EVERY = 10  # users 0, 10, 20, ... carry two tags each; the others none


@dataclass(frozen=True, slots=True)
class LookupFigure:
    users: int  # users stored when measured
    find_ns: float  # UserStore.find by a mobile identity, random users, per lookup
    query_us: float  # a whole user.query call (auth, validation, envelope) by one identity
    tagged_query_us: float  # the same call for a user carrying two tags (its answer shows them)


@dataclass(frozen=True, slots=True)
class ScaleResult:
    lookups: list[LookupFigure]
    seeded_users: int
    seed_s: float  # time in Emulator.seed calls to reach seeded_users (generating them excluded)
    rss_bytes_per_user: float | None  # growth of the resident set seeding the largest store
    memory_users: int
    bytes_per_user: float  # tracemalloc: memory still held after seeding, per user


class ProgressBar:
    """A progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.start = time.perf_counter()
        self._tty = self.stream.isatty()
        self._shown = 0  # tenths shown (off a terminal)

    def update(self, done: int) -> None:
        tenth = done * 10 // self.total
        if not self._tty and tenth == self._shown:
            return
        self._shown = tenth
        bar = "#" * (done * 30 // self.total)
        elapsed = time.perf_counter() - self.start
        line = f"  {self.label} [{bar:<30}] {done:>9,}/{self.total:,}  {elapsed:6.1f} s"
        self.stream.write(("\r" + line) if self._tty else line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()


def measure_scale(
    sizes: tuple[int, ...] = SIZES, memory_users: int = MEMORY_USERS, rounds: int = 5
) -> ScaleResult:
    """One store per size, seeded (the largest timed, with a progress bar); then rounds of
    lookups that visit every store in turn, so the machine's drift touches all sizes alike;
    then memory, on a fresh store."""
    stores, spent, grown = [], 0.0, None
    for size in sorted(sizes):
        emulator, before = fresh_emulator(), _rss_bytes()
        bar = ProgressBar(size, f"seeding {size:,} users")
        spent = seed_users(emulator, 0, size, bar.update)
        bar.close()
        after = _rss_bytes()
        grown = None if before is None or after is None else (after - before) / size
        tag_users(emulator, size)
        stores.append(Lookups(emulator, size))
    samples = [[s.sample() for s in stores] for _ in range(rounds)]
    figures = [_median(stores[i].size, [r[i] for r in samples]) for i in range(len(stores))]
    del stores
    gc.collect()
    per_user = memory_per_user(memory_users)
    return ScaleResult(figures, max(sizes), spent, grown, memory_users, per_user)


def fresh_emulator() -> Emulator:
    return Emulator(Settings(seed=1, seed_data="none", rate_limits="off"))


def seed_users(emulator: Emulator, start: int, stop: int, progress: Callable[[int], None]) -> float:
    """Seed users [start, stop) in chunks; the seconds spent inside Emulator.seed."""
    spent, app_id = 0.0, emulator.tenants.default.app_id
    for first in range(start, stop, CHUNK):
        last = min(stop, first + CHUNK)
        # As users arrive in JSON (API bodies, seed files, the admin API): field names shared.
        dataset = orjson.loads(orjson.dumps({"users": [user(i) for i in range(first, last)]}))
        began = time.perf_counter()
        loaded = emulator.seed(app_id, dataset)
        spent += time.perf_counter() - began
        if loaded["users"] != last - first:
            raise RuntimeError(f"seeding users {first}..{last} loaded {loaded}")
        progress(last)
    return spent


def tag_users(emulator: Emulator, size: int) -> None:
    """Two of the TAGS tags on each TAGGED_EVERY-th user, through the tag store (not timed)."""
    tenant = emulator.tenants.default
    id_field = tenant.records.resource("tag").id_field
    tags = [tenant.records.create("tag", {"name": f"tag {n}"})[id_field] for n in range(TAGS)]
    for number, index in enumerate(range(0, size, TAGGED_EVERY)):
        found = tenant.users.find({"type": "mobile", "value": mobile(index)})
        if found is None:
            raise RuntimeError(f"user {index} not found among {size} users")
        for tag in (tags[number % TAGS], tags[(number + 1) % TAGS]):
            tenant.tags.tag_user(found["omni_user_uuid"], tag)


def memory_per_user(count: int) -> float:
    """Bytes still allocated after seeding count users into an empty tenant, per user."""
    emulator = fresh_emulator()
    seed_users(emulator, count, count + 10, lambda _: None)  # first-call caches, not counted
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        seed_users(emulator, 0, count, lambda _: None)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return (after - before) / count


class Lookups:
    """Timed lookups of random stored users in one store: by UserStore.find, and by whole
    user.query calls (one identity each) of users without tags and of users with two."""

    def __init__(self, emulator: Emulator, size: int) -> None:
        rng = random.Random(size)
        self.emulator, self.size = emulator, size
        picks = [rng.randrange(size) for _ in range(LOOKUPS)]
        picks = [i if i % TAGGED_EVERY else max(i - 1, 1) for i in picks]  # users without tags
        self.identities = [{"type": "mobile", "value": mobile(i)} for i in picks]
        token = emulator.tenants.tokens.issue(emulator.settings.app_id)["access_token"]
        headers = business_headers(token)
        self.requests = [_query(headers, identity) for identity in self.identities[:QUERIES]]
        _check_queries(emulator, self.requests, 0)
        tagged = [mobile(rng.randrange(0, size, TAGGED_EVERY)) for _ in range(QUERIES)]
        self.tagged = [_query(headers, {"type": "mobile", "value": m}) for m in tagged]
        _check_queries(emulator, self.tagged, 2)

    def sample(self) -> tuple[float, float, float]:
        """ns per find, µs per query call, µs per query call of a tagged user."""
        finds = per_call_us(self._find_all) * 1000 / LOOKUPS
        return (
            finds,
            per_call_us(self._query_all) / QUERIES,
            per_call_us(self._tagged_all) / QUERIES,
        )

    def _find_all(self) -> None:
        store = self.emulator.tenants.default.users
        for identity in self.identities:
            if store.find(identity) is None:
                raise RuntimeError(f"{identity} not found among {self.size} users")

    def _query_all(self) -> None:
        for request in self.requests:
            self.emulator.handle(request)

    def _tagged_all(self) -> None:
        for request in self.tagged:
            self.emulator.handle(request)


def _median(size: int, samples: list[tuple[float, float, float]]) -> LookupFigure:
    finds, queries, tagged = zip(*samples, strict=True)
    medians = (statistics.median(finds), statistics.median(queries), statistics.median(tagged))
    return LookupFigure(size, *medians)


def _query(headers: dict[str, str], identity: dict[str, str]) -> Request:
    lower = {k.lower(): v for k, v in headers.items()}
    body = orjson.dumps({"identities": [identity]})
    return Request("POST", QUERY_PATH, "", lower, body, "127.0.0.1")


def _check_queries(emulator: Emulator, requests: list[Request], tags: int) -> None:
    """Each query finds its one user, showing that many tags."""
    for request in requests:
        answer = emulator.handle(request).json()
        found = answer["data"]["list"] if answer["code"] == 0 else []
        if len(found) != 1 or len(found[0]["tags"]) != tags:
            raise RuntimeError(f"user query answered {answer}")


def _rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
