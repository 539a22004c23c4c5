"""The pytest plugin: fixtures serving a fresh emulator in-process or on a live loopback server."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
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
BASE_URLS = "base_urls"
BASE_URLS_MARKER_HELP = (
    "jing_emulator(base_urls=[...]): the URLs the in-process jing_emulator fixture answers, "
    "e.g. a gateway's; a path in one is dropped before the emulator sees the call"
)
BASE_URLS_INI = "jing_emulator_base_urls"
BASE_URLS_INI_HELP = (
    "URLs the in-process jing_emulator fixture answers, one a line "
    "(default https://jingopenapi.jingsocial.com); the marker's base_urls wins"
)
OWN_PACKAGES = ("contract_tests", "emulator")
ROOT = Path(__file__).resolve().parent.parent
SHADOWED = (
    "jing-emulator's fixtures need its package {name} ({ours}), but the package {name} at "
    "{theirs} shadows it: it comes first on sys.path (python -m pytest puts the current "
    "directory there). Rename that package, or, if it holds only tests, delete its __init__.py."
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
    parser.addini(BASE_URLS_INI, BASE_URLS_INI_HELP, type="linelist", default=[])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    config.addinivalue_line("markers", BASE_URLS_MARKER_HELP)
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


def base_urls(request: pytest.FixtureRequest, overrides: dict[str, Any]) -> list[str] | None:
    """The in-process base URLs (taken out of the overrides): the marker's, the ini's, or None."""
    found: list[str] | None = overrides.pop(BASE_URLS, None)
    return found or request.config.getini(BASE_URLS_INI) or None


@contextmanager
def fixture_imports(fixture: str) -> Iterator[None]:
    """Around a fixture's imports: a shadowed package or a missing extra fails with what to do."""
    shadowed = shadowing()
    if shadowed is not None:
        pytest.fail(shadowed, pytrace=False)
    try:
        yield
    except ModuleNotFoundError as error:
        from contract_tests.extras import missing

        message = missing(error, fixture)
        if message is None:
            raise
        pytest.fail(message, pytrace=False)


def shadowing() -> str | None:
    """What to do if a package of the project hides one of ours of the same name, else None."""
    for name in OWN_PACKAGES:
        found = importlib.util.find_spec(name)
        origin = Path(found.origin).resolve().parent if found and found.origin else None
        if origin != ROOT / name:
            return SHADOWED.format(name=name, ours=ROOT / name, theirs=origin)
    return None


@pytest.fixture
def jing_emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorHandle]:
    """A fresh emulator answering httpx, requests and aiohttp calls to
    https://jingopenapi.jingsocial.com (or the base URLs the marker or ini name); any other call
    to those hosts fails at once."""
    # Imported here so that loading the plugin costs nothing to test runs that do not use it.
    with fixture_imports("the jing_emulator fixture"):
        from contract_tests.handle import fixture_settings
        from contract_tests.inprocess import serve_inprocess
        from contract_tests.session import checked

    overrides = marker_overrides(request)
    urls = base_urls(request, overrides)
    with serve_inprocess(fixture_settings(overrides), urls) as handle, checked(request, handle):
        yield handle


@pytest.fixture
def jing_emulator_events(jing_emulator: EmulatorHandle) -> Iterator[EventCollector]:
    """The webhook events jing_emulator's default app sends, collected in-process in delivery
    order (.delivered, .names, .payloads(event)); no network, no subscription to set up."""
    with fixture_imports("the jing_emulator_events fixture"):
        from contract_tests.collector import EventCollector

    collector = EventCollector(jing_emulator.emulator)
    yield collector
    collector.close()


@pytest.fixture(scope="session")
def jing_emulator_shared_server() -> Iterator[EmulatorHandle]:
    """One live server for the session; jing_emulator_server resets it for each test."""
    with fixture_imports("the jing_emulator_shared_server fixture"):
        from contract_tests.live import serve_live

    with serve_live() as handle:
        yield handle


@pytest.fixture
def jing_emulator_server(request: pytest.FixtureRequest) -> Iterator[EmulatorHandle]:
    """A fresh emulator over HTTP on a loopback port; its URL is the handle's base_url."""
    with fixture_imports("the jing_emulator_server fixture"):
        from contract_tests.session import checked, live_server

    overrides = marker_overrides(request)
    base_urls(request, overrides)  # the in-process fixture's only: a live server has its own URL
    with live_server(request, overrides) as handle, checked(request, handle):
        yield handle
