"""Clock and Ids: virtual time and deterministic identifiers."""

from __future__ import annotations

import re
from pathlib import Path

import emulator
from emulator.clock import SHORTUUID_ALPHABET, TEXT_FORMAT, Clock, Ids, epoch


def test_frozen_clock_moves_only_when_advanced() -> None:
    clock = Clock(1000.0)
    assert (clock.now(), clock.now_ms(), clock.frozen) == (1000.0, 1_000_000, True)
    clock.advance(5)
    assert clock.now() == 1005.0
    clock.reset()
    assert clock.now() == 1000.0


def test_running_clock_keeps_its_offset() -> None:
    clock = Clock()
    before = clock.now()
    clock.advance(3600)
    assert clock.now() >= before + 3600
    clock.freeze(True)
    frozen = clock.now()
    clock.advance(10)
    clock.freeze(False)
    assert clock.now() >= frozen + 10
    assert not clock.describe()["frozen"]


def test_text_is_shanghai_time() -> None:
    assert Clock(1767225600.0).text() == "2026-01-01 08:00:00"


def test_epoch_reads_back_the_text_the_clock_writes() -> None:
    clock = Clock(1767225600.0)
    assert epoch(clock.text()) == 1767225600
    assert clock.text(epoch("2026-02-01 00:00:00") + 59.9) == "2026-02-01 00:00:59"


def test_the_date_time_format_is_written_in_the_clock_only() -> None:
    package = Path(emulator.__file__).parent
    holders = [p.name for p in package.rglob("*.py") if TEXT_FORMAT in p.read_text()]
    assert holders == ["clock.py"]


def test_ids_are_deterministic_and_well_formed() -> None:
    a, b = Ids(5), Ids(5)
    assert [a.short(), a.hex32(), a.token()] == [b.short(), b.hex32(), b.token()]
    short, token = a.short(), a.token()
    assert len(short) == 22
    assert set(short) <= set(SHORTUUID_ALPHABET)
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", token
    )
    first = a.digits(4)
    a.reset()
    a.short(), a.hex32(), a.token(), a.short(), a.token()
    assert a.digits(4) == first
