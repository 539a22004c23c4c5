"""The pytest plugin: fixtures serving a fresh emulator in-process or on a live loopback server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from contract_tests.collector import EventCollector
    from contract_tests.handle import EmulatorHandle

MARKER = "jing_emulator"
MARKER_HELP = (
    "jing_emulator(**settings): settings of the emulator the jing_emulator fixtures serve, "
    "as fields of emulator.settings.Settings (rate_limits='off', seed_data='none', ...)"
)


LENIENT = "jing_emulator_lenient"
LENIENT_HELP = (
    f"{LENIENT}: the test sends requests that break the API contract on purpose; "
    "strict mode records them (handle.violations) without failing the test"
)
COVERAGE_FLAG = "--jing-emulator-coverage"
COVERAGE_HELP = (
    "print at the end which operations, error codes, rate limits and webhook events the tests "
    "exercised through the jing_emulator fixtures, and which documented failures they never met"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("jing-emulator").addoption(
        COVERAGE_FLAG, action="store_true", default=False, help=COVERAGE_HELP
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    config.addinivalue_line("markers", LENIENT_HELP)
    if os.environ.get("HYPOTHESIS_PROFILE"):
        # Only then: Hypothesis is not imported by test runs that do not ask for a profile.
        from contract_tests.strategies import load_profile

        load_profile()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if config.getoption(COVERAGE_FLAG):
        from contract_tests.session import summary

        for line in summary(config):
            terminalreporter.write_line(line)


def marker_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The settings the jing_emulator markers name; the closest marker wins a field."""
    overrides: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        if marker.args:
            raise TypeError(f"@pytest.mark.{MARKER} takes keyword arguments only: {marker.args}")
        overrides.update(marker.kwargs)
    return overrides


@pytest.fixture
def jing_emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorHandle]:
    """A fresh emulator answering httpx calls to https://jingopenapi.jingsocial.com."""
    # Imported here so that loading the plugin costs nothing to test runs that do not use it.
    from contract_tests.handle import fixture_settings
    from contract_tests.inprocess import serve_inprocess
    from contract_tests.session import checked

    settings = fixture_settings(marker_overrides(request))
    with serve_inprocess(settings) as handle, checked(request, handle):
        yield handle


@pytest.fixture
def jing_emulator_events(jing_emulator: EmulatorHandle) -> Iterator[EventCollector]:
    """The webhook events jing_emulator's default app sends, collected in-process in delivery
    order (.delivered, .names, .payloads(event)); no network, no subscription to set up."""
    from contract_tests.collector import EventCollector

    collector = EventCollector(jing_emulator.emulator)
    yield collector
    collector.close()


@pytest.fixture(scope="session")
def jing_emulator_shared_server() -> Iterator[EmulatorHandle]:
    """One live server for the session; jing_emulator_server resets it for each test."""
    from contract_tests.live import serve_live

    with serve_live() as handle:
        yield handle


@pytest.fixture
def jing_emulator_server(request: pytest.FixtureRequest) -> Iterator[EmulatorHandle]:
    """A fresh emulator over HTTP on a loopback port; its URL is the handle's base_url."""
    from contract_tests.session import checked, live_server

    with live_server(request, marker_overrides(request)) as handle, checked(request, handle):
        yield handle
