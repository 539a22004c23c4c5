"""Seed data: the demo dataset is deterministic and loaded through the stores."""

from __future__ import annotations

from emulator import create_app
from emulator.core import Emulator
from emulator.seed import demo
from emulator.settings import Settings


def test_demo_dataset_is_deterministic_per_seed() -> None:
    assert demo(1) == demo(1)
    assert demo(1) != demo(2)


def test_demo_users_look_real() -> None:
    users = demo(3)["users"]
    mobiles = [u["identities"][0]["value"] for u in users]
    assert all(len(m) == 11 and m[0] == "1" for m in mobiles)
    assert all(len(u["fields"]["name"]) == 2 for u in users)
    assert len(set(mobiles)) == len(users)


def test_demo_state_is_loaded_into_the_default_tenant(emulator: Emulator) -> None:
    tenant = emulator.tenants.default
    assert len(tenant.users) == 24
    assert tenant.crowds.detail(20541)["user_count"] == 10
    assert len(tenant.accounts.business_types()) == 3


def test_seed_data_none_starts_empty() -> None:
    emulator: Emulator = create_app(Settings(seed_data="none")).state.emulator
    assert len(emulator.tenants.default.users) == 0
