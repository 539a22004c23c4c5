"""The request path: route, auth, rate limit, parse, validate, handle, envelope, journal."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import orjson

from emulator import engine, seed, spec
from emulator.clock import Clock, Ids
from emulator.domains import Call, Handlers, all_handlers
from emulator.envelope import DEFAULT_STYLE, ApiError, Renderer
from emulator.ratelimit import RateLimiter
from emulator.redact import journal_body
from emulator.settings import Settings
from emulator.spec import Catalogue, Envelope, Json, Operation
from emulator.tenants import Tenants
from emulator.validation import Checks, Explained, parse_json
from emulator.violations import Violations
from emulator.webhooks import Webhooks

JSON = "application/json"
JSON_HEADERS = [("content-type", JSON)]
# Errors whose answer carries a header of HTTP's (RFC 9110), from one of the error's values.
ERROR_HEADERS = {
    "method_not_allowed": ("allow", "allowed"),
    "rate_limited": ("retry-after", "retry_after"),
}
JOURNAL_BODY = 512


@dataclass(slots=True)
class Request:
    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    client: str | None = None
    oversized: bool = False


@dataclass(slots=True)
class Response:
    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=lambda: list(JSON_HEADERS))

    def json(self) -> Any:
        return orjson.loads(self.body)


class Emulator:
    """The whole emulator behind any transport: ASGI, the in-process route, or tests."""

    def __init__(self, settings: Settings, catalogue: Catalogue | None = None) -> None:
        self.settings = settings
        self.catalogue = catalogue or catalogue_of(settings)
        self.clock = Clock(settings.clock_start)
        self.ids = Ids(settings.seed)
        self.tenants = Tenants(settings, self.clock, self.ids, self.catalogue.resources)
        self.limiter = RateLimiter(settings.rate_limits, self.clock)
        errors = self.catalogue.errors
        self.renderer = Renderer(errors, self.clock, self.ids, settings.error_status)
        self.violations = Violations(settings.strict, self.catalogue.errors, self.renderer)
        self.journal: deque[Json] = deque(maxlen=settings.journal_size)
        self.handlers = bind_handlers(self.catalogue, all_handlers())
        self._checks = checks_of(self.catalogue)
        self._domain_checks = domain_checks(self.catalogue)
        self._default_envelope = self.catalogue.envelopes[DEFAULT_STYLE]
        self.lock = threading.RLock()  # one call at a time: each call is atomic
        self.webhooks = Webhooks(settings, self.clock)
        self._seed_default()
        # Where a reset goes back to: the default app's data as seeded, and the ids after it.
        self._start = (self.tenants.default.save(), self.ids.state())

    def handle(self, request: Request) -> Response:
        """Serve one API call; every outcome is an envelope, never an exception."""
        op = self.catalogue.by_route.get((request.method, request.path))
        envelope = op.envelope if op else self._envelope_at(request.path)
        with self.lock:
            try:
                response = self._serve(op, request)
                error = None
            except ApiError as exc:
                status, body = self.renderer.error(envelope, exc)
                response, error = Response(status, body, error_headers(exc)), exc.key
                self.violations.record(op, request, exc)
            self._record(request, op, response.status, error)
        return response

    def _envelope_at(self, path: str) -> Envelope:
        """A wrong method answers in the style of the operations at that path."""
        methods = self.catalogue.methods_at(path)
        if not methods:
            return self._default_envelope
        return self.catalogue.by_route[(methods[0], path)].envelope

    def _serve(self, op: Operation | None, request: Request) -> Response:
        if op is None:
            raise no_route(request, self.catalogue.methods_at(request.path))
        app_id = self.tenants.authenticate(request.headers).app_id if op.auth else None
        warning = self.limiter.hit(app_id, op) if app_id else None
        checks, assumed = self._checks[op.id], list[Explained]()
        query = dict(parse_qsl(request.query, keep_blank_values=True)) if request.query else {}
        query = checks.query(query, assumed)
        body = self._parse(op, request)
        if op.id in self._domain_checks:  # its domain's handler reads the body as ours has it
            body = self._domain_checks[op.id].body(body)
        body = checks.body(body, assumed)
        warnings = self._assumed(op, request, assumed)
        data = self._call(op, body, query, app_id)
        response = Response(200, self.renderer.success(op.envelope, data))
        if warning:
            response.headers.append(("x-jing-emulator-warning", f"rate limit exceeded: {warning}"))
        response.headers.extend(("x-jing-emulator-warning", text) for text in warnings)
        return response

    def _assumed(self, op: Operation, request: Request, broken: list[Explained]) -> list[str]:
        """Only assumed rules failed: refuse (enforce), or serve with a warning and a violation
        (warn), or serve as if they held (off)."""
        mode = self.settings.assumed_rules
        if not broken or mode == "off":
            return []
        if mode == "enforce":
            raise broken[0]()
        errors = [explained() for explained in broken]
        for error in errors:
            self.violations.record(op, request, error, served=True)
        return [assumed_warning(error) for error in errors]

    def _call(self, op: Operation, body: Any, query: dict[str, Any], app_id: str | None) -> Any:
        """Run the operation's handler; a call that returns publishes its webhook events."""
        listening = self.webhooks.listening(app_id)
        call = Call(
            op, body, query, app_id, self.tenants, errors=self.catalogue.errors, listening=listening
        )
        data = self.handlers[op.id](call)
        self.webhooks.publish(app_id, call.events)  # a call that raised never gets here
        return data

    def _parse(self, op: Operation, request: Request) -> Any:
        if op.body_schema is None:
            return None
        if request.oversized or len(request.body) > self.settings.body_limit:
            raise ApiError("body_too_large", limit=self.settings.body_limit)
        content_type = request.headers.get("content-type", JSON)
        if content_type != JSON and "json" not in content_type.split(";")[0].lower():
            raise ApiError("unsupported_content_type", content_type=content_type)
        return parse_json(request.body)

    def _record(
        self, request: Request, op: Operation | None, status: int, error: str | None
    ) -> None:
        self.journal.append(
            {
                "at": self.clock.now_ms(),
                "method": request.method,
                "path": request.path,
                "operation": op.id if op else None,
                "app_id": request.headers.get("app_id"),
                "status": status,
                "error": error,
                "body": journal_body(request.body, JOURNAL_BODY),
            }
        )

    def _seed_default(self) -> None:
        if self.settings.seed_data not in ("none", ""):
            self.seed(self.tenants.default.app_id, self.settings.seed_data)

    def seed(self, app_id: str, dataset: Any) -> Json:
        """Load "demo", a path to a JSON file, or a dataset object into one tenant."""
        tenant = self.tenants.get(app_id)
        if dataset == "demo":
            return seed.load(tenant, seed.demo(self.settings.seed), "demo")
        if isinstance(dataset, str):
            return seed.load(tenant, _read_dataset(dataset), dataset)
        return seed.load(tenant, dataset)

    def reset(self, app_id: str | None = None) -> None:
        """Everything back to the start (clock, ids, apps, tokens, counts), or one tenant's data."""
        with self.lock:
            if app_id is not None:
                self.tenants.get(app_id).reset()
                self.limiter.reset(app_id)
                self.violations.clear(app_id)
                if app_id == self.tenants.default.app_id:
                    self.tenants.default.restore(self._start[0])
                return
            self.clock.reset()
            self.ids.reset()
            self.tenants.reset()
            self.limiter.reset()
            self.journal.clear()
            self.webhooks.reset()
            self.violations.clear()
            self.tenants.default.restore(self._start[0])
            self.ids.resume(self._start[1])

    def close(self) -> None:
        """Stop the background work (the webhook worker); the emulator still answers calls."""
        self.webhooks.close()


def catalogue_of(settings: Settings) -> Catalogue:
    """Our catalogue, with the settings' overlay directory merged in when there is one."""
    overlay = Path(settings.schemas_overlay) if settings.schemas_overlay else None
    return spec.load(spec.SCHEMAS_DIR, overlay)


@lru_cache(maxsize=8)
def checks_of(catalogue: Catalogue) -> dict[str, Checks]:
    """The compiled checks of every operation, made once per catalogue (they hold no state)."""
    return {op.id: Checks(op) for op in catalogue.operations}


def error_headers(error: ApiError) -> list[tuple[str, str]]:
    """The headers of an error's answer: its type, and Allow (405) or Retry-After (429)."""
    headers = list(JSON_HEADERS)
    if error.key in ERROR_HEADERS:
        name, param = ERROR_HEADERS[error.key]
        headers.append((name, str(error.params[param])))
    return headers


def assumed_warning(error: ApiError) -> str:
    """The warning header of a call served although it broke assumed rules (ASCII only)."""
    rules = "; ".join(f"{d['path']} {d['rule']}" for d in error.details or ())
    text = f"assumed rule broken, served ({error.params['part']}): {rules}"
    return text.encode("ascii", "backslashreplace").decode("ascii")


@lru_cache(maxsize=8)
def domain_checks(catalogue: Catalogue) -> dict[str, Checks]:
    """Our own body checks of operations given other schemas but still served by their domain.

    The domain's handler relies on the shape of our body schema, so a body must fit both.
    """
    ours = spec.load().by_id
    return {
        op.id: Checks(ours[op.id])
        for op in catalogue.operations
        if op.reshaped and op.id in ours and ours[op.id].body_schema and served_by(op) == "domain"
    }


def no_route(request: Request, allowed: list[str]) -> ApiError:
    """Wrong method at a known path (naming the right ones), or no such path."""
    if allowed:
        return ApiError(
            "method_not_allowed",
            route=request.path,
            method=request.method,
            allowed=", ".join(allowed),
        )
    return ApiError("path_not_found", method=request.method, route=request.path)


def _read_dataset(path: str) -> Any:
    try:
        with open(path, "rb") as handle:
            return orjson.loads(handle.read())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ApiError("invalid_seed_data", source=path, reason=str(exc)) from None


def bind_handlers(catalogue: Catalogue, handlers: Handlers) -> Handlers:
    """Join handlers to operations: a domain's handler, else the engine for the engine's kinds.

    Every operation is served and every domain handler belongs to an operation.
    """
    unknown = sorted(set(handlers) - set(catalogue.by_id))
    unserved = sorted(
        op.id
        for op in catalogue.operations
        if op.id not in handlers and op.kind not in engine.KINDS
    )
    if unknown or unserved:
        raise spec.CatalogueError(
            f"handlers without operation: {unknown}; operations without handler: {unserved}"
        )
    return {
        op.id: handlers[op.id] if served_by(op, handlers) == "domain" else engine.serve
        for op in catalogue.operations
    }


def served_by(op: Operation, handlers: Handlers | None = None) -> str:
    """Who answers an operation: "domain" (its own handler) or "engine" (the generic engine).

    An entry's "served_by" says which; without it, an overlay that gives the operation schemas
    of its own hands it to the engine (unless the engine cannot serve its kind). An import's
    corrections say "domain", so a domain's rules stay (import-openapi --engine says "engine").
    """
    own = (handlers if handlers is not None else all_handlers()).get(op.id)
    asked = op.entry.get("served_by", "engine" if op.reshaped else "domain")
    if own is None or (asked == "engine" and op.kind in engine.KINDS):
        return "engine"
    return "domain"
