"""The example client, calling the emulator the jing_emulator fixture serves."""

from __future__ import annotations

import pytest
from jing_client import JingClient

from contract_tests.handle import EmulatorHandle


@pytest.fixture
def client(jing_emulator: EmulatorHandle) -> JingClient:
    return JingClient(jing_emulator.app_id, jing_emulator.app_secret)
