"""The pytest plugin's entry point: contract_tests/plugin.py and contract_tests/container.py, loaded
from their files so that starting pytest imports no package named contract_tests, and a project's
own package of that name stays its own (the fixtures then say what shadows what)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

NAME = "jing_emulator_plugin"
PLUGIN = Path(__file__).resolve().with_name("contract_tests") / "plugin.py"
CONTAINER_NAME = "jing_emulator_container_plugin"
CONTAINER = PLUGIN.with_name("container.py")


def load(name: str = NAME, path: Path = PLUGIN) -> ModuleType:
    """A plugin module, loaded once from its file."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"jing-emulator's pytest plugin is missing: {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


# This module is the plugin pytest registers: the hooks and fixtures are the loaded module's.
globals().update(
    {k: v for k, v in vars(load()).items() if k.startswith(("pytest_", "jing_emulator"))}
)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """The container fixture is a plugin of its own (it has its own ini option), loaded alike."""
    pluginmanager.register(load(CONTAINER_NAME, CONTAINER), CONTAINER_NAME)
