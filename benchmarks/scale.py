"""Scale figures: seeding many users, finding one of them, and the memory each one takes.

Users are the workload's (2 identities, 10 custom fields), parsed from JSON and loaded through
`Emulator.seed`, the path of `--seed-data` and `POST /_admin/seed`, in chunks.
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


@dataclass(frozen=True, slots=True)
class LookupFigure:
    users: int  # users stored when measured
    find_ns: float  # UserStore.find by a mobile identity, random users, per lookup
    query_us: float  # a whole user.query call (auth, validation, envelope) by one identity


@dataclass(frozen=True, slots=True)
class ScaleResult:
    lookups: list[LookupFigure]
    seeded_users: int
    seed_s: float  # time in Emulator.seed calls to reach seeded_users (generating them excluded)
    rss_bytes_per_user: float | None  # growth of the resident set while seeding, per user
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
    """Seed up to the largest size, timing lookups at every size on the way; then memory."""
    emulator = fresh_emulator()
    headers = business_headers(
        emulator.tenants.tokens.issue(emulator.settings.app_id)["access_token"]
    )
    figures, spent, stored = [], 0.0, 0
    rss_before = _rss_bytes()
    bar = ProgressBar(max(sizes), "seeding users")
    for size in sorted(sizes):
        spent += seed_users(emulator, stored, size, bar.update)
        stored = size
        figures.append(_lookups(emulator, size, rounds, headers))
    bar.close()
    rss_after = _rss_bytes()
    grown = None if rss_before is None or rss_after is None else (rss_after - rss_before) / stored
    del emulator
    gc.collect()
    per_user = memory_per_user(memory_users)
    return ScaleResult(figures, stored, spent, grown, memory_users, per_user)


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


def _lookups(emulator: Emulator, size: int, rounds: int, headers: dict[str, str]) -> LookupFigure:
    rng = random.Random(size)
    identities = [{"type": "mobile", "value": mobile(rng.randrange(size))} for _ in range(LOOKUPS)]
    store = emulator.tenants.default.users

    def find_all() -> None:
        for identity in identities:
            if store.find(identity) is None:
                raise RuntimeError(f"{identity} not found among {size} users")

    requests = [_query(headers, identity) for identity in identities[:QUERIES]]

    def query_all() -> None:
        for request in requests:
            emulator.handle(request)

    _check_queries(emulator, requests)
    find_ns = statistics.median(per_call_us(find_all) for _ in range(rounds)) * 1000 / LOOKUPS
    query_us = statistics.median(per_call_us(query_all) for _ in range(rounds)) / QUERIES
    return LookupFigure(size, find_ns, query_us)


def _query(headers: dict[str, str], identity: dict[str, str]) -> Request:
    lower = {k.lower(): v for k, v in headers.items()}
    body = orjson.dumps({"identities": [identity]})
    return Request("POST", QUERY_PATH, "", lower, body, "127.0.0.1")


def _check_queries(emulator: Emulator, requests: list[Request]) -> None:
    for request in requests:
        answer = emulator.handle(request).json()
        if answer["code"] != 0 or len(answer["data"]["list"]) != 1:
            raise RuntimeError(f"user query answered {answer}")


def _rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
