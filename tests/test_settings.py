"""Settings from environment variables."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.settings import Settings, env_name, from_env, retry_schedule


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


def test_webhook_settings_are_typed_and_checked() -> None:
    env = {"JING_EMULATOR_WEBHOOK_TIMEOUT": "2.5", "JING_EMULATOR_WEBHOOK_LOG_SIZE": "10"}
    settings = from_env(env)
    assert (settings.webhook_timeout, settings.webhook_log_size) == (2.5, 10)
    assert (settings.webhook_retries, settings.webhook_chaos) == ("1,2,4,8,16", "none")
    assert retry_schedule(" 1, 2.5 ,30") == (1.0, 2.5, 30.0)
    assert retry_schedule("") == ()  # one attempt, no retry


def test_the_pending_cap_is_ten_thousand_unless_set() -> None:
    assert Settings().webhook_pending_size == 10_000
    assert from_env({"JING_EMULATOR_WEBHOOK_PENDING_SIZE": "50"}).webhook_pending_size == 50


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"webhook_chaos": "sometimes"}, "webhook_chaos must be one of none, duplicate"),
        ({"webhook_retries": "1,x"}, "webhook_retries '1,x': comma-separated seconds"),
        ({"webhook_retries": "-1"}, "webhook_retries '-1'"),
        ({"webhook_retries": "nan"}, "webhook_retries 'nan'"),
        ({"webhook_pending_size": 0}, "webhook_pending_size 0 must be >= 1"),
        ({"webhook_concurrency": 0}, "webhook_concurrency 0 must be 1 to 32"),
        ({"webhook_concurrency": 33}, "webhook_concurrency 33 must be 1 to 32"),
    ],
)
def test_bad_webhook_settings_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings(**changes)


def test_the_start_webhook_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="webhook_url 'localhost:3000' must start with http"):
        Settings(webhook_url="localhost:3000")


def test_on_off_variables_take_true_false_words_and_refuse_others() -> None:
    assert from_env({"JING_EMULATOR_STRICT": "true"}).strict is True
    assert from_env({"JING_EMULATOR_STRICT": "0"}).strict is False
    with pytest.raises(ValueError, match="JING_EMULATOR_STRICT='maybe' is not one of true/false"):
        from_env({"JING_EMULATOR_STRICT": "maybe"})
