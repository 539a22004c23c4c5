"""The live route: an emulator served by uvicorn in a background thread on a loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from contract_tests.handle import EmulatorHandle, fixture_settings
from contract_tests.traffic import Traffic
from emulator.app import create_app
from emulator.settings import Settings

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 10.0
POLL_INTERVAL = 0.005


@contextmanager
def serve_live(settings: Settings | None = None) -> Iterator[EmulatorHandle]:
    """A fresh emulator listening on a free loopback port while the block runs."""
    app = create_app(settings or fixture_settings())
    traffic = Traffic(app.state.emulator.catalogue)
    with listening(traffic.asgi(app)) as url:
        yield EmulatorHandle(app, url, traffic)


@contextmanager
def listening(app: ASGIApp) -> Iterator[str]:
    """An ASGI app served on a free loopback port while the block runs; yields its URL."""
    server = uvicorn.Server(_config(app))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        thread = start_thread(server, sock)
        try:
            wait_until_started(server, thread)
            yield f"http://{LOOPBACK}:{sock.getsockname()[1]}"
        finally:
            server.should_exit = True
            thread.join()


def _config(app: ASGIApp) -> uvicorn.Config:
    # log_config=None leaves the test process's logging configuration alone.
    return uvicorn.Config(app, log_config=None, log_level="warning", access_log=False)


def start_thread(server: uvicorn.Server, sock: socket.socket) -> threading.Thread:
    """Serve on the bound socket in a thread named after its port."""
    port = sock.getsockname()[1]
    # A daemon thread cannot hold up interpreter exit if a run dies before its teardown.
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"jing-emulator:{port}", daemon=True
    )
    thread.start()
    return thread


def wait_until_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    """Block until the server accepts connections; fail if its thread died or it took too long."""
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the emulator's server stopped during startup")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the emulator's server did not start in {START_TIMEOUT} s")
        time.sleep(POLL_INTERVAL)
