"""The pytest plugin's entry point: contract_tests/plugin.py, loaded from its file so that starting
pytest imports no package named contract_tests, and a project's own package of that name stays its
own (the fixtures then say what shadows what)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

NAME = "jing_emulator_plugin"
PLUGIN = Path(__file__).resolve().with_name("contract_tests") / "plugin.py"


def load() -> ModuleType:
    """The plugin module, loaded once."""
    if NAME not in sys.modules:
        spec = importlib.util.spec_from_file_location(NAME, PLUGIN)
        if spec is None or spec.loader is None:
            raise ImportError(f"jing-emulator's pytest plugin is missing: {PLUGIN}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[NAME] = module
        spec.loader.exec_module(module)
    return sys.modules[NAME]


# This module is the plugin pytest registers: the hooks and fixtures are the loaded module's.
globals().update(
    {k: v for k, v in vars(load()).items() if k.startswith(("pytest_", "jing_emulator"))}
)
