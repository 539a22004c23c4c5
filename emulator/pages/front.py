"""The front page (/): what this server is, and links to everything it describes itself with."""

from __future__ import annotations

from collections import Counter
from html import escape

from emulator.spec import Catalogue

INSPECTOR = "/_admin/ui"
LINKS = (
    ("/docs", "API reference", "every operation with its schemas and fidelity, readable here"),
    ("/openapi.json", "OpenAPI document", "the emulated API, OpenAPI 3.1, for code generators"),
    ("/_admin/openapi.json", "Admin API", "reset, apps, clock, seed, journal, webhooks (OpenAPI)"),
    ("/_admin/health", "Health", "whether the emulator is up, and how many operations it serves"),
)
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem;
       line-height: 1.45; color: #1b1b1b; }
a { color: #0b4f9c; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .2rem .5rem; border-bottom: 1px solid #ddd;
         vertical-align: top; }
code { font-size: .9em; }
"""


def render(catalogue: Catalogue, inspector: bool) -> bytes:
    """The front page; the inspector is linked only where this server has one."""
    links = list(LINKS)
    if inspector:
        links.append((INSPECTOR, "Inspector", "requests, state and webhooks, on a page"))
    items = "".join(
        f'<li><a href="{href}">{escape(title)}</a>: {escape(what)}</li>'
        for href, title, what in links
    )
    counts = Counter(op.fidelity for op in catalogue.operations)
    served = ", ".join(f"{n} {fidelity}" for fidelity, n in sorted(counts.items()))
    body = (
        "<h1>jing-emulator</h1><p>A local, stateful, credential-free emulator of the JINGdigital "
        f"(Jing Social) Open Platform API: {len(catalogue.operations)} operations ({served}).</p>"
        f"<ul>{items}</ul>"
    )
    return page("jing-emulator", body, STYLE).encode()


def page(title: str, body: str, style: str) -> str:
    """A complete HTML document: its style inline, nothing loaded from elsewhere."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{style}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
