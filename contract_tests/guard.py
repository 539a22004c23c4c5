"""The in-process fixture's guard: a call to the vendor's host that no route answers fails at once.

httpx, requests and aiohttp calls to the base URLs are answered by the emulator; any other way
out (urllib, http.client, a socket) would reach the real API, so resolving those hosts' names and
connecting to them raise RealApiCallError instead."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

FIX = (
    "the jing_emulator fixture answers httpx, requests and aiohttp only; for other clients "
    "(urllib, http.client, sockets) use jing_emulator_server and its base_url"
)
RESOLVERS = ("getaddrinfo", "gethostbyname", "gethostbyname_ex")
CONNECTS = ("connect", "connect_ex")


class RealApiCallError(RuntimeError):
    """A call under the in-process fixture would have left for the real API."""

    def __init__(self, host: str) -> None:
        super().__init__(f"a call to {host} would leave for the real API: {FIX}")


@contextmanager
def guarded(hosts: frozenset[str]) -> Iterator[None]:
    """While the block runs, resolving or connecting to one of the hosts raises."""
    names = frozenset(_name(host) for host in hosts)
    with ExitStack() as stack:
        for resolver in RESOLVERS:
            original = getattr(socket, resolver)
            stack.enter_context(mock.patch.object(socket, resolver, _refuse(names, original)))
        for connect in CONNECTS:
            original = getattr(socket.socket, connect)
            stack.enter_context(
                mock.patch.object(socket.socket, connect, _refuse_at(names, original))
            )
        yield


def _refuse(names: frozenset[str], original: Callable[..., Any]) -> Callable[..., Any]:
    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        _check(names, host)
        return original(host, *args, **kwargs)

    return resolve


def _refuse_at(names: frozenset[str], original: Callable[..., Any]) -> Callable[..., Any]:
    def connect(sock: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and address:
            _check(names, address[0])
        return original(sock, address)

    return connect


def _check(names: frozenset[str], host: object) -> None:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if isinstance(host, str) and _name(host) in names:
        raise RealApiCallError(host)


def _name(host: str) -> str:
    return host.lower().rstrip(".")
