"""Settings from environment variables."""

from __future__ import annotations

import pytest

from emulator.settings import Settings, env_name, from_env


def test_environment_sets_typed_fields() -> None:
    env = {
        "JING_EMULATOR_PORT": "81",
        "JING_EMULATOR_SEED": "3",
        "JING_EMULATOR_CLOCK_START": "5.5",
        "JING_EMULATOR_ADMIN_TOKEN": "t",
        "JING_EMULATOR_HOST": "",
    }
    settings = from_env(env)
    assert (settings.port, settings.seed, settings.clock_start) == (81, 3, 5.5)
    assert (settings.admin_token, settings.host) == ("t", "127.0.0.1")


def test_overrides_ignore_missing_values() -> None:
    assert Settings().with_overrides({"port": None, "seed": 2}) == Settings(seed=2)
    assert env_name("app_secret") == "JING_EMULATOR_APP_SECRET"


def test_on_off_variables_take_true_false_words_and_refuse_others() -> None:
    assert from_env({"JING_EMULATOR_STRICT": "true"}).strict is True
    assert from_env({"JING_EMULATOR_STRICT": "0"}).strict is False
    with pytest.raises(ValueError, match="JING_EMULATOR_STRICT='maybe' is not one of true/false"):
        from_env({"JING_EMULATOR_STRICT": "maybe"})
