"""Benchmarks: the emulator against a bare Starlette app, over HTTP and in-process."""
