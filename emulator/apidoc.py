"""OpenAPI 3.0/3.1 documents (Apifox exports too) read into operations with draft-07 schemas."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator import draft7, spec
from emulator.conventions import Json, types
from emulator.spec import Catalogue

AUTH_HEADERS = frozenset({"app_id", "access_token"})
ANSWERS = ("200", "201", "2XX", "2xx", "default")


class ImportFailure(ValueError):
    """The document cannot be imported (unreadable, not OpenAPI 3, a schema it cannot use)."""


@dataclass(frozen=True, slots=True)
class Source:
    """One operation of the document, its schemas already draft-07."""

    method: str
    path: str
    summary: str
    operation_id: str
    tag: str
    auth: bool
    schemas: dict[str, Json]  # body, query, data: those the document gives
    envelope: str | None  # the style of ours that its answer's envelope matches
    wrapped: bool  # whether its answer is an envelope (code and data)


def read_document(path: Path) -> Json:
    """The OpenAPI 3 document in a file: JSON, or YAML when pyyaml is installed."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailure(f"{path}: cannot read it ({exc})") from None
    document = _parse(text, path)
    version = str(document.get("openapi", document.get("swagger", "")))
    if not re.match(r"^3\.[01](\.|$)", version):
        found = f"openapi {version!r}" if version else "no openapi field"
        raise ImportFailure(f"{path}: not an OpenAPI 3.0 or 3.1 document ({found})")
    if not isinstance(document.get("paths"), dict):
        raise ImportFailure(f"{path}: an OpenAPI document needs a paths object")
    return document


def _parse(text: str, path: Path) -> Json:
    try:
        data = json.loads(text)
    except ValueError:
        data = _parse_yaml(text, path)
    if not isinstance(data, dict):
        raise ImportFailure(f"{path}: not an OpenAPI document (its top level is not an object)")
    return data


def _parse_yaml(text: str, path: Path) -> Any:
    try:
        import yaml
    except ImportError:
        raise ImportFailure(
            f"{path}: not JSON; reading YAML needs pyyaml (pip install pyyaml)"
        ) from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        reason = str(exc).splitlines()[0]
        raise ImportFailure(f"{path}: neither JSON nor YAML ({reason})") from None
    return json.loads(json.dumps(loaded, default=str))  # YAML dates become text, as in JSON


class _Reader:
    """Reads a document's operations into sources."""

    def __init__(self, document: Json, catalogue: Catalogue) -> None:
        self.convert = draft7.Converter(document)
        self.envelopes = catalogue.envelopes
        self.base = _server_path(document)
        self.found: list[Source] = []
        self.notes: list[str] = []

    def path_item(self, path: str, item: Any) -> None:
        item = self._resolve(item, path)
        if not isinstance(item, dict) or not path.startswith("/"):
            self.notes.append(f"skipped {path}: not a path item")
            return
        shared = item.get("parameters") or []
        for method, operation in item.items():
            where = f"{method.upper()} {self.base}{path}"
            if method.upper() in spec.METHODS and isinstance(operation, dict):
                self.found.append(self._source(where, operation, shared))
            elif method in ("head", "options", "trace"):
                self.notes.append(f"skipped {where}: the emulator serves {', '.join(spec.METHODS)}")

    def _source(self, where: str, operation: Json, shared: Any) -> Source:
        method, path = where.split(" ", 1)
        params = self._params([*_listed(shared), *_listed(operation.get("parameters"))], where)
        data, envelope, wrapped = self._answer(operation.get("responses"), f"{where} answer")
        body = self._content(self._resolve(operation.get("requestBody"), where), f"{where} body")
        given = {"body": body, "query": self._query(params, where), "data": data}
        return Source(
            method=method,
            path=path,
            summary=_text(operation.get("summary")),
            operation_id=_text(operation.get("operationId")),
            tag=_text(next(iter(_listed(operation.get("tags"))), "")).split("/")[0].strip(),
            auth=any(
                _text(p.get("name")).lower() in AUTH_HEADERS for p in params if _in(p, "header")
            ),
            schemas={part: schema for part, schema in given.items() if schema is not None},
            envelope=envelope,
            wrapped=wrapped,
        )

    def _params(self, raw: list[Any], where: str) -> list[Json]:
        resolved = (self._resolve(p, where) for p in raw)
        return [p for p in resolved if isinstance(p, dict)]

    def _answer(self, responses: Any, where: str) -> tuple[Json | None, str | None, bool]:
        """The success answer's data schema, its envelope style, whether it has an envelope."""
        if not isinstance(responses, dict):
            return None, None, False
        codes = sorted(c for c in responses if re.match(r"^2[0-9][0-9]$", str(c)))
        found = next((c for c in (*ANSWERS[:2], *codes, *ANSWERS[2:]) if c in responses), None)
        answer = (
            None if found is None else self._content(self._resolve(responses[found], where), where)
        )
        props = _properties(answer or {})
        if "code" in props and "data" in props:
            return props["data"], _style(props, self.envelopes), True
        return answer, None, False

    def _content(self, holder: Any, where: str) -> Json | None:
        """The schema of a body or answer's JSON media type (or its first), draft-07."""
        content = holder.get("content") if isinstance(holder, dict) else None
        if not isinstance(content, dict) or not content:
            return None
        media = next(
            (v for k, v in content.items() if "json" in str(k)), next(iter(content.values()))
        )
        if not isinstance(media, dict) or "schema" not in media:
            return None
        return self._schema(media["schema"], where)

    def _query(self, params: list[Json], where: str) -> Json | None:
        named = [p for p in params if _in(p, "query") and isinstance(p.get("name"), str)]
        if not named:
            return None
        props = {
            p["name"]: _as_text(self._schema(p.get("schema", {}), f"{where} query {p['name']}"))
            for p in named
        }
        required = [p["name"] for p in named if p.get("required") is True]
        schema = {"type": "object", "properties": props}
        return {**schema, "required": required} if required else schema

    def _schema(self, node: Any, where: str) -> Json:
        try:
            return self.convert.schema(node)
        except draft7.SchemaError as exc:
            raise ImportFailure(f"{where}: {exc}") from None

    def _resolve(self, node: Any, where: str) -> Any:
        try:
            return self.convert.resolve(node)
        except draft7.SchemaError as exc:
            raise ImportFailure(f"{where}: {exc}") from None


def sources(document: Json, catalogue: Catalogue) -> tuple[list[Source], list[str]]:
    """Every operation of the document in its order, and notes on what was skipped."""
    reader = _Reader(document, catalogue)
    for path, item in document["paths"].items():
        reader.path_item(str(path), item)
    return reader.found, reader.notes


def _server_path(document: Json) -> str:
    """The path part of the first server URL: it prefixes every path (none if templated)."""
    servers = _listed(document.get("servers"))
    url = _text(servers[0].get("url")) if servers and isinstance(servers[0], dict) else ""
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", url).rstrip("/")
    return "" if "{" in path or not path.startswith("/") else path


def _properties(schema: Json) -> Json:
    """The properties of an object schema, those of its allOf parts merged in."""
    merged: Json = {}
    for part in [*_listed(schema.get("allOf")), schema]:
        if isinstance(part, dict) and isinstance(part.get("properties"), dict):
            merged.update(part["properties"])
    return merged


def _style(props: Json, envelopes: Any) -> str | None:
    """The envelope style of ours with the same code type, message keys, timestamp, request_id."""
    wanted = _features(props)
    return next(
        (n for n, e in envelopes.items() if _features(e.schema["properties"]) == wanted), None
    )


def _features(props: Json) -> tuple[object, ...]:
    kinds = set(types(props.get("code", {})))
    code = "string" if "string" in kinds else "integer" if kinds & {"integer", "number"} else None
    return (code, *(key in props for key in ("msg", "message", "timestamp", "request_id")))


def _as_text(schema: Json) -> Json:
    """A query parameter's schema for the text the query string carries."""
    text = {k: v for k, v in schema.items() if k in ("title", "description")}
    kinds = set(types(schema))
    if isinstance(schema.get("enum"), list):
        return {**text, "enum": [_json_text(v) for v in schema["enum"] if v is not None]}
    if "boolean" in kinds:
        return {**text, "enum": ["true", "false"]}
    if kinds & {"integer", "number"} and "string" not in kinds:
        number = "" if "number" not in kinds else r"(\.[0-9]+)?"
        return {**text, "type": "string", "pattern": f"^-?[0-9]+{number}$"}
    if "string" in kinds:
        return {**schema, "type": "string"}
    return {**text, "type": "string"}


def _json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _in(param: Json, where: str) -> bool:
    return param.get("in") == where


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
