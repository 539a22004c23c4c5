"""Pages: one page of rows, as the list and query operations answer it."""

from __future__ import annotations

from emulator.spec import Json

DEFAULT_PAGE_SIZE = 20  # schemas/conventions.json page.default_size, as the engine pages
PAGE_FIELDS = ("page", "page_size")  # of a list body; its other fields filter


def page_of(rows: list[Json], body: Json) -> Json:
    """The rows of the page the body asks for (page from 1), with the exact total."""
    page, size = body.get("page", 1), body.get("page_size", DEFAULT_PAGE_SIZE)
    chunk = rows[(page - 1) * size : page * size]
    return {"total": len(rows), "page": page, "page_size": size, "list": chunk}
