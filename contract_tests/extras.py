"""The testing extra: what the fixtures and contract-test need that serving does not."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

TESTING_EXTRA = frozenset({"pytest", "respx", "hypothesis", "hypothesis_jsonschema"})
INSTALL = "pip install 'jing-emulator[testing]'"


def missing(error: ModuleNotFoundError, what: str) -> str | None:
    """What to install, if the error is a module of the testing extra missing; else None."""
    name = (error.name or "").partition(".")[0]
    if name not in TESTING_EXTRA:
        return None
    return f"{what} needs {name}, of jing-emulator's testing extra: {INSTALL}"


def needs_testing(command: Callable[[Any], int], name: str) -> Callable[[Any], int]:
    """A command that, without the testing extra, says what to install and exits with 2."""

    def run(args: Any) -> int:
        try:
            return command(args)
        except ModuleNotFoundError as error:
            message = missing(error, f"jing-emulator {name}")
            if message is None:
                raise
            print(message, file=sys.stderr)
            return 2

    return run
