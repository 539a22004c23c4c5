"""What the plugin does around each test: strict-mode verdicts and the session's coverage."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from contract_tests.exercised import Exercised, events_index
from contract_tests.handle import EmulatorHandle
from contract_tests.plugin import COVERAGE_FLAG, LENIENT
from contract_tests.report import LENIENT_HINT, violation_report

EXERCISED = pytest.StashKey[Exercised]()


@contextmanager
def live_server(
    request: pytest.FixtureRequest, overrides: dict[str, Any]
) -> Iterator[EmulatorHandle]:
    """The session's shared live server, reset; or, for other settings, a server of its own."""
    if not overrides:
        shared: EmulatorHandle = request.getfixturevalue("jing_emulator_shared_server")
        shared.reset()
        yield shared
        return
    # Other settings need their own server: the shared one cannot change its settings.
    from contract_tests.handle import fixture_settings
    from contract_tests.live import serve_live

    with serve_live(fixture_settings(overrides)) as handle:
        yield handle


@contextmanager
def checked(request: pytest.FixtureRequest, handle: EmulatorHandle) -> Iterator[None]:
    """Around a test: its calls counted (coverage flag), then its requests judged (strict)."""
    watch(request, handle)
    yield
    settle(request, handle)


def watch(request: pytest.FixtureRequest, handle: EmulatorHandle) -> None:
    """With the coverage flag, count the handle's calls in the session's tally."""
    config = request.config
    if not config.getoption(COVERAGE_FLAG):
        return
    if EXERCISED not in config.stash:
        config.stash[EXERCISED] = Exercised(handle.emulator.catalogue, events_index())
    see = config.stash[EXERCISED].see
    if see not in handle.traffic.observers:
        handle.traffic.observers.append(see)


def settle(request: pytest.FixtureRequest, handle: EmulatorHandle) -> None:
    """Fail the test (at teardown) if its client broke the contract, unless it is lenient."""
    handle.unfuzz()
    found = handle.violations
    if not found or request.node.get_closest_marker(LENIENT) is not None:
        return
    pytest.fail(f"{violation_report(found, 'this test')}\n\n{LENIENT_HINT}", pytrace=False)


def summary(config: pytest.Config) -> list[str]:
    """The coverage report, if the flag asked for it and any emulator was used."""
    exercised = config.stash.get(EXERCISED, None)
    return exercised.report() if exercised is not None else []
