"""Strict mode: every request that breaks the API contract is recorded, per app, bounded."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING

from emulator import origins
from emulator.envelope import ApiError, Renderer
from emulator.spec import Json, Operation

if TYPE_CHECKING:
    from emulator.core import Request

PER_APP = 1000  # violations kept per app; the oldest go first
# errors.json groups the errors of a request that breaks the contract (unknown path, wrong
# method, not JSON, schema, batch rules) as 3xxxx. Credential errors (2xxxx) are not recorded:
# tests meet them on purpose, and token expiry follows the clock.
CONTRACT_CODES = range(30000, 40000)
BATCH_ERRORS = (
    "batch_too_large",
    "too_many_custom_fields",
    "mixed_identity_types",
    "duplicate_user",
)


class Violations:
    """The contract violations seen, per app_id (the header sent, "" when none)."""

    def __init__(self, enabled: bool, errors: Mapping[str, Json], renderer: Renderer) -> None:
        self.enabled = enabled
        self._codes = {key: int(entry["code"]) for key, entry in errors.items()}
        self._renderer = renderer
        self._apps: dict[str, deque[Json]] = {}
        self._requests = 0

    def record(
        self, op: Operation | None, request: Request, error: ApiError, served: bool = False
    ) -> None:
        """Record each broken rule of a request, if strict and the error is a violation: a
        refused request, or one served although it broke assumed rules (served)."""
        if not self.enabled or self._codes.get(error.key, 0) not in CONTRACT_CODES:
            return
        self._requests += 1
        app_id = request.headers.get("app_id", "")
        kept = self._apps.setdefault(app_id, deque(maxlen=PER_APP))
        kept.extend({**e, "served": served} for e in self._entries(op, request, error, app_id))

    def _entries(
        self, op: Operation | None, request: Request, error: ApiError, app_id: str
    ) -> list[Json]:
        message = self._renderer.message(error)
        details = error.details or [{"path": str(error.params.get("path", "$"))}]
        common = {
            "request": self._requests,
            "app_id": app_id,
            "operation": op.id if op else None,
            "method": request.method,
            "route": request.path,
            "error": error.key,
            "source": op.source if op else None,
        }
        fidelity = origins.batch_origin(op) if op and error.key in BATCH_ERRORS else None
        fidelity = fidelity or (op.fidelity if op else None)
        return [{**common, **_broken(d, error.key, message, fidelity)} for d in details]

    def list(self, app_id: str | None = None) -> list[Json]:
        """The recorded violations, oldest first: of one app, or of all."""
        groups = [self._apps.get(app_id, ())] if app_id is not None else self._apps.values()
        return sorted((v for group in groups for v in group), key=lambda v: int(v["request"]))

    def clear(self, app_id: str | None = None) -> None:
        """Forget the violations of one app, or all."""
        if app_id is None:
            self._apps.clear()
        else:
            self._apps.pop(app_id, None)


def _broken(detail: Json, key: str, message: str, fidelity: str | None) -> Json:
    """Path, rule, message and origin of one broken rule (a detail of the error, or the error
    itself, whose origin is its operation's fidelity: or none, for a call of no operation)."""
    return {
        "path": detail["path"],
        "rule": detail.get("rule", key),
        "message": detail.get("message", message),
        "origin": detail.get("origin", fidelity),
    }
