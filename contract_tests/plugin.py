"""The pytest plugin: fixtures serving a fresh emulator in-process or on a live loopback server."""

from __future__ import annotations

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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)


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

    with serve_inprocess(fixture_settings(marker_overrides(request))) as handle:
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
    overrides = marker_overrides(request)
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
