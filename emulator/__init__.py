"""jing-emulator: a local, stateful emulator of the JINGdigital Open Platform API."""

from emulator.app import create_app

__all__ = ["create_app"]
