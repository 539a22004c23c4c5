"""Schemathesis over every operation of a live `jing-emulator serve` (`make fuzz`)."""
