"""The API reference (/docs): the OpenAPI document as one HTML page, with each operation's
fidelity, the envelopes and the error codes; no script and nothing fetched from elsewhere."""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import Any

import orjson

from emulator import openapi
from emulator.pages.front import STYLE, page
from emulator.spec import Catalogue, Json

FIDELITY = {
    "documented": "exact: as the vendor's page documents it",
    "inferred": "path and shapes inferred from the API's own conventions",
    "assumption": "the emulator's own choice where the vendor is silent",
}
HOST = openapi.BASE_URL.split("://", 1)[1]


def render(catalogue: Catalogue) -> str:
    """The whole reference, derived from the same document as /openapi.json."""
    document = openapi.document(catalogue)
    operations = [op for methods in document["paths"].values() for op in methods.values()]
    body = [_intro(document, operations), _contents(document)]
    body += [_group(tag["name"], document) for tag in document["tags"]]
    body += [_envelopes(catalogue), _errors(catalogue)]
    return page("API reference - jing-emulator", "\n".join(body), STYLE + REFERENCE_STYLE)


def _intro(document: Json, operations: list[Json]) -> str:
    counts = Counter(op["x-fidelity"] for op in operations)
    legend = "".join(
        f"<li>{_badge(name)} {counts[name]}: {escape(meaning)}</li>"
        for name, meaning in FIDELITY.items()
        if counts[name]
    )
    return (
        f"<h1>{escape(document['info']['title'])}</h1>"
        f'<p><a href="/">Front page</a> · <a href="/openapi.json">/openapi.json</a> · '
        f'<a href="/_admin/openapi.json">admin API</a></p>'
        f"<p>{len(operations)} operations. Call them at this emulator's address, in place of "
        f"<code>{escape(HOST)}</code>. Business calls carry the <code>app_id</code> and "
        f"<code>access_token</code> headers.</p><ul>{legend}</ul>"
    )


def _contents(document: Json) -> str:
    rows = [
        f'<tr><td>{_method(method)}</td><td><a href="#{_anchor(op)}"><code>{escape(path)}</code>'
        f"</a></td><td>{escape(op['summary'])}</td><td>{_badge(op['x-fidelity'])}</td></tr>"
        for path, methods in document["paths"].items()
        for method, op in methods.items()
    ]
    head = "<tr><th>method</th><th>path</th><th>operation</th><th>fidelity</th></tr>"
    return f"<h2>Operations</h2><table>{head}{''.join(rows)}</table>"


def _group(tag: str, document: Json) -> str:
    sections = [
        _operation(path, method, op)
        for path, methods in document["paths"].items()
        for method, op in methods.items()
        if tag in op["tags"]
    ]
    return f"<h2>{escape(tag)}</h2>" + "".join(sections)


def _operation(path: str, method: str, op: Json) -> str:
    limits = ", ".join(f"{w['max']} per {w['per_seconds']} s" for w in op["x-rate-limit"]) or "-"
    facts = [
        ("operationId", f"<code>{escape(op['operationId'])}</code>"),
        ("fidelity", _badge(op["x-fidelity"])),
        ("envelope", f'<a href="#envelope-{op["x-envelope"]}">{escape(op["x-envelope"])}</a>'),
        ("rate limit", escape(limits)),
    ]
    if "x-batch" in op:
        facts.append(("batch", f"<code>{escape(_json(op['x-batch']))}</code>"))
    listed = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)
    return (
        f'<section id="{_anchor(op)}"><h3>{_method(method)} <code>{escape(path)}</code> '
        f"{escape(op['summary'])}</h3><p>{escape(op['description'])}</p><dl>{listed}</dl>"
        f"{_parameters(op['parameters'])}{_schemas(op)}</section>"
    )


def _parameters(parameters: list[Json]) -> str:
    if not parameters:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(p['name'])}</code></td><td>{p['in']}</td>"
        f"<td>{'yes' if p['required'] else 'no'}</td><td><code>{escape(_json(p['schema']))}"
        f"</code></td></tr>"
        for p in parameters
    )
    head = "<tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>"
    return f"<table>{head}{rows}</table>"


def _schemas(op: Json) -> str:
    shown = []
    if "requestBody" in op:
        shown.append(("Request body", op["requestBody"]["content"]["application/json"]["schema"]))
    answer = op["responses"]["200"]["content"]["application/json"]["schema"]["anyOf"][0]
    shown.append(("Success answer (errors: see the envelope)", answer))
    return "".join(_details(title, schema) for title, schema in shown)


def _envelopes(catalogue: Catalogue) -> str:
    parts = [
        f'<section id="envelope-{name}"><h3>{escape(name)}</h3>'
        f"<p>{escape(envelope.schema.get('description', ''))}</p>"
        f"{_details('Error answer', catalogue.error_schema(envelope))}</section>"
        for name, envelope in catalogue.envelopes.items()
    ]
    return "<h2>Envelopes</h2>" + "".join(parts)


def _errors(catalogue: Catalogue) -> str:
    rows = "".join(
        f"<tr><td>{entry['code']}</td><td>{entry['status']}</td><td><code>{escape(key)}</code>"
        f"</td><td>{escape(str(entry['message']))}</td></tr>"
        for key, entry in catalogue.errors.items()
    )
    head = "<tr><th>code</th><th>HTTP</th><th>key</th><th>message</th></tr>"
    return f'<h2 id="errors">Error codes</h2><table>{head}{rows}</table>'


def _details(title: str, schema: Json) -> str:
    text = orjson.dumps(_plain(schema), option=orjson.OPT_INDENT_2).decode()
    return f"<details><summary>{escape(title)}</summary><pre>{escape(text)}</pre></details>"


def _plain(schema: Any) -> Any:
    """A schema without its $schema keywords (the draft's URL, nothing to read here)."""
    if isinstance(schema, dict):
        return {k: _plain(v) for k, v in schema.items() if k != "$schema"}
    if isinstance(schema, list):
        return [_plain(item) for item in schema]
    return schema


def _badge(fidelity: str) -> str:
    return f'<span class="fidelity {escape(fidelity)}">{escape(fidelity)}</span>'


def _method(method: str) -> str:
    return f'<span class="method">{escape(method.upper())}</span>'


def _anchor(op: Json) -> str:
    return "op-" + escape(op["operationId"])


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


REFERENCE_STYLE = """
section { border-top: 1px solid #ccc; padding-top: .5rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: bold; } dd { margin: 0; }
pre { background: #f4f4f4; padding: .5rem; overflow-x: auto; font-size: .85rem; }
.fidelity { padding: 0 .4rem; border-radius: .3rem; font-size: .85rem; color: #fff; }
.documented { background: #1a6b2f; } .inferred { background: #8a5200; }
.assumption { background: #5b2a86; }
.method { font-family: monospace; font-weight: bold; }
"""
