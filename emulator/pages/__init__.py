"""The pages beside the API, open to anyone: the front page (/), the API reference (/docs) and
the admin API's OpenAPI document (/_admin/openapi.json)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import orjson

from emulator import admin_openapi
from emulator.admin import ADMIN
from emulator.core import Emulator, Request, Response, no_route
from emulator.envelope import DEFAULT_STYLE
from emulator.pages import front, reference
from emulator.spec import Catalogue

HTML = "text/html; charset=utf-8"
# Everything a page shows comes from the emulator itself: no script, no request elsewhere.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
PageFn = Callable[[Emulator], Response]


def front_page(emu: Emulator) -> Response:
    inspector = ("GET", front.INSPECTOR) in ADMIN
    return html(front.render(emu.catalogue, inspector))


def reference_page(emu: Emulator) -> Response:
    return html(reference_bytes(emu.catalogue))


def admin_document(emu: Emulator) -> Response:
    return Response(200, admin_bytes(emu.catalogue))


PAGES: dict[str, PageFn] = {
    "/": front_page,
    "/docs": reference_page,
    admin_openapi.PATH: admin_document,
}


def serve_page(emu: Emulator, request: Request) -> Response | None:
    """The page at the request's path (a wrong method is refused), or None: not a page."""
    page = PAGES.get(request.path)
    if page is None:
        return None
    if request.method != "GET":
        envelope = emu.catalogue.envelopes[DEFAULT_STYLE]
        return Response(*emu.renderer.error(envelope, no_route(request, ["GET"])))
    return page(emu)


def html(body: bytes) -> Response:
    return Response(200, body, [("content-type", HTML), ("content-security-policy", POLICY)])


@lru_cache(maxsize=8)
def reference_bytes(catalogue: Catalogue) -> bytes:
    """The API reference, rendered once per catalogue."""
    return reference.render(catalogue).encode()


@lru_cache(maxsize=8)
def admin_bytes(catalogue: Catalogue) -> bytes:
    """The admin API's OpenAPI document, rendered once per catalogue."""
    return orjson.dumps(admin_openapi.document(catalogue))
