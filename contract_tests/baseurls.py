"""The base URLs the in-process fixture answers: which calls are the emulator's, at which path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from contract_tests.handle import BASE_URL

VENDOR_HOST = httpx.URL(BASE_URL).host
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class BaseUrls:
    """The URLs whose calls the emulator answers; a path in one is a prefix the emulator drops."""

    urls: tuple[httpx.URL, ...]

    @classmethod
    def parse(cls, urls: Iterable[str] | str | None = None) -> BaseUrls:
        """Checked base URLs (http or https, with a host); none given means the vendor's."""
        if isinstance(urls, str):
            raise TypeError(f"base_urls takes a list of URLs, not the string {urls!r}")
        found = [_parsed(url) for url in urls or [BASE_URL]]
        return cls(tuple(found))

    @property
    def first(self) -> str:
        """The URL a handle shows as its base_url."""
        return str(self.urls[0]).rstrip("/")

    @property
    def hosts(self) -> frozenset[str]:
        """The hosts no call may reach for real: the vendor's and every base URL's."""
        return frozenset({VENDOR_HOST, *(url.host for url in self.urls)})

    def rewrite(self, url: httpx.URL) -> httpx.URL | None:
        """The emulator's URL for a call to one of the base URLs, or None for any other call."""
        for base in self.urls:
            prefix = base.path.rstrip("/")
            inside = url.path == prefix or url.path.startswith(prefix + "/")
            if _origin(url) == _origin(base) and inside:
                path = url.path[len(prefix) :] or "/"
                return httpx.URL(BASE_URL).copy_with(path=path, query=url.query or None)
        return None


def _parsed(url: object) -> httpx.URL:
    if not isinstance(url, str):
        raise TypeError(f"base_urls takes URLs as strings, not {url!r}")
    parsed = httpx.URL(url)
    if parsed.scheme not in DEFAULT_PORTS or not parsed.host:
        raise ValueError(f"base URL {url!r}: expected http:// or https:// and a host")
    return parsed


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    return url.scheme, url.host, url.port or DEFAULT_PORTS.get(url.scheme, 0)
