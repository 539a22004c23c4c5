"""Hypothesis strategies from the catalogue's schemas alone: valid and invalid requests, valid
answers and webhook payloads; and the dev and ci profiles, chosen by HYPOTHESIS_PROFILE."""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import jsonschema_rs
from hypothesis import Phase, assume, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from contract_tests.cases import Case, batch_breaks, conform, json_path
from contract_tests.exercised import ADMIN_CODES
from contract_tests.generate import strategy
from contract_tests.mutations import QUERY_RULES, Edit, batch_edits, schema_edits, static_rules
from emulator import origins, spec
from emulator.settings import ERROR_STATUS_MODES
from emulator.spec import Catalogue, Json, Operation

PROFILE_VARIABLE = "HYPOTHESIS_PROFILE"
# No explain phase: with answers of hundreds of draws it runs hundreds of calls for one note.
PHASES = tuple(p for p in Phase if p is not Phase.explain)
PROFILES: dict[str, dict[str, Any]] = {
    "dev": {"print_blob": True, "phases": PHASES},
    "ci": {
        "derandomize": True,
        "deadline": None,
        "print_blob": True,
        "database": None,
        "phases": PHASES,
    },
}
BATCH_RULES = ("max_items", "max_custom_fields", "one_identity_type", "unique_users")
# The batch limits are also schema limits (spec applies them): breaking one shows as that keyword.
BATCH_KEYWORDS = {"max_items": "maxItems", "max_custom_fields": "maxProperties"}
QUERY = "query:"
TRIES = 25  # edits tried per example before the example is discarded


def register_profiles() -> None:
    """Register dev and ci; a profile of that name registered before (Hypothesis has a ci of
    its own, a project may have one) is the parent, so only these settings change."""
    for name, values in PROFILES.items():
        try:
            parent = settings.get_profile(name)
        except InvalidArgument:
            parent = settings.get_profile("default")
        settings.register_profile(name, parent, **values)


def load_profile(environ: Mapping[str, str] | None = None) -> str | None:
    """Load the profile HYPOTHESIS_PROFILE names, if it names a registered one."""
    register_profiles()
    name = (os.environ if environ is None else environ).get(PROFILE_VARIABLE)
    if not name:
        return None
    try:
        settings.get_profile(name)
    except InvalidArgument:
        return None
    settings.load_profile(name)
    return name


def operation(op_id: str, catalogue: Catalogue | None = None) -> Operation:
    """An operation of the catalogue, or a KeyError naming the known ones."""
    found = (catalogue or spec.load()).by_id.get(op_id)
    if found is None:
        known = ", ".join((catalogue or spec.load()).by_id)
        raise KeyError(f"no operation {op_id!r} in the catalogue (known: {known})")
    return found


def from_operation(op_id: str, catalogue: Catalogue | None = None) -> st.SearchStrategy[Case]:
    """Valid requests: body and query drawn from the schemas, batches following the batch rules."""
    return _valid(catalogue or spec.load(), op_id)


def invalid_from_operation(
    op_id: str, rule: str | None = None, catalogue: Catalogue | None = None
) -> st.SearchStrategy[Case]:
    """Requests breaking exactly one rule (any, or the one named), with the path it breaks at."""
    catalogue = catalogue or spec.load()
    operation(op_id, catalogue)
    return _broken(catalogue, op_id, rule)


def rules_of(op_id: str, catalogue: Catalogue | None = None) -> tuple[str, ...]:
    """The rules every valid request to the operation can be made to break."""
    op = operation(op_id, catalogue)
    # A rule only our own schemas state (x-assumed) is not one the vendor is known to refuse.
    body = static_rules(_stated(op.body_schema)) - _batch_duplicates(op)
    query = {QUERY + r for r in static_rules(_stated(op.query_schema), QUERY_RULES)}
    batch = {r for r in BATCH_RULES if (op.batch or {}).get(r)}
    return tuple(sorted(body | query | batch))


def responses_from_operation(
    op_id: str, catalogue: Catalogue | None = None
) -> st.SearchStrategy[Json]:
    """Success answers as the response schema allows them, code pinned to the success code."""
    return _responses(catalogue or spec.load(), op_id)


@dataclass(frozen=True, slots=True)
class Answer:
    """A drawn answer: its HTTP status, body and the error-status convention it follows."""

    status: int
    body: Json
    convention: str  # "vendor": every error at HTTP 200; "http": at the status of its kind


def answers_from_operation(
    op_id: str, catalogue: Catalogue | None = None
) -> st.SearchStrategy[Answer]:
    """Successes and failures of an operation under both error-status conventions: failures
    are error envelopes of the operation's style, of any API error key (not the admin's)."""
    return _answers(catalogue or spec.load(), op_id)


def events_from_schema(event: str, root: Path = spec.SCHEMAS_DIR) -> st.SearchStrategy[Json]:
    """Payloads of a webhook event, from schemas/webhooks/<event>.json under the root."""
    return cast(
        "st.SearchStrategy[Json]", strategy(spec.schema_file(f"webhooks/{event}.json", root))
    )


@lru_cache(maxsize=512)
def _valid(catalogue: Catalogue, op_id: str) -> st.SearchStrategy[Case]:
    op = operation(op_id, catalogue)
    body = st.none() if op.body_schema is None else strategy(op.body_schema)
    query = strategy(op.query_schema) if op.query_schema else st.just({})

    def case(parts: tuple[Any, Mapping[str, Any]]) -> Case:
        params = {k: v if isinstance(v, str) else str(v) for k, v in parts[1].items()}
        body = conform(op.batch, parts[0])
        return Case(op.id, op.method, op.path, body, op.body_schema is not None, params)

    # A closure, not a partial: strategies print their arguments, and an operation is big.
    return st.tuples(body, query).map(case)


@lru_cache(maxsize=512)
def _responses(catalogue: Catalogue, op_id: str) -> st.SearchStrategy[Json]:
    schema = operation(op_id, catalogue).response_schema
    code = {"const": operation(op_id, catalogue).envelope.success_code}
    answers = strategy({**schema, "properties": {**schema["properties"], "code": code}})
    return cast("st.SearchStrategy[Json]", answers)


@lru_cache(maxsize=512)
def _answers(catalogue: Catalogue, op_id: str) -> st.SearchStrategy[Answer]:
    envelope = operation(op_id, catalogue).envelope
    keys = [k for k, e in catalogue.errors.items() if int(e["code"]) not in ADMIN_CODES]
    conventions = st.sampled_from(ERROR_STATUS_MODES)
    successes = st.builds(Answer, st.just(200), _responses(catalogue, op_id), conventions)

    def failure(parts: tuple[str, Json, str]) -> Answer:
        key, body, convention = parts
        entry = catalogue.errors[key]
        code = str(entry["code"]) if isinstance(envelope.success_code, str) else entry["code"]
        body = {**body, "code": code, "data": {**body["data"], "error": key}}
        return Answer(int(entry["status"]) if convention == "http" else 200, body, convention)

    drawn = strategy(catalogue.error_schema(envelope))
    failures = st.tuples(st.sampled_from(keys), drawn, conventions).map(failure)
    return st.one_of(successes, failures)


@lru_cache(maxsize=512)
def _broken(catalogue: Catalogue, op_id: str, rule: str | None) -> st.SearchStrategy[Case]:
    op, valid = operation(op_id, catalogue), _valid(catalogue, op_id)

    @st.composite
    def broken(draw: st.DrawFn) -> Case:
        case = draw(valid)
        edits = _candidates(op, case, rule)
        assume(edits)
        start = draw(st.integers(0, len(edits) - 1), label="edit")
        tried = (_verified(catalogue, op, case, *e) for e in (edits[start:] + edits[:start]))
        found = next((c for c in itertools.islice(tried, TRIES) if c is not None), None)
        assume(found is not None)
        return cast(Case, found)

    return broken()


def _candidates(op: Operation, case: Case, rule: str | None) -> list[tuple[str, Edit]]:
    found: list[tuple[str, Edit]] = []
    if op.body_schema is not None:
        body = schema_edits(op.body_schema, case.body)
        skip = _batch_duplicates(op)
        found += [("body", e) for e in body if not (e.rule in skip and e.at == ())]
        found += [("body", e) for e in batch_edits(op.batch, op.body_schema, case.body)]
    if op.query_schema is not None:
        query = schema_edits(op.query_schema, dict(case.query), QUERY_RULES)
        found += [("query", e) for e in query]
    return [(p, e) for p, e in found if rule is None or _rule_name(p, e) == rule]


def _rule_name(part: str, change: Edit) -> str:
    return QUERY + change.rule if part == "query" else change.rule


def _batch_duplicates(op: Operation) -> set[str]:
    """The root keyword a batch rule already names (max_items is the root's maxItems)."""
    return {"maxItems"} if op.batch and "max_items" in op.batch else set()


def _verified(
    catalogue: Catalogue, op: Operation, case: Case, part: str, change: Edit
) -> Case | None:
    """The broken case, if the edit breaks its rule and nothing else."""
    before = case.body if part == "body" else dict(case.query)
    broken = change.apply(before)
    validator, stated = _validators(catalogue, op.id)[part]
    if change.rule not in BATCH_RULES and stated is not None and stated.is_valid(broken):
        return None  # it breaks assumed rules only: the vendor may well accept it
    keywords = {str(e.schema_path[-1]) for e in validator.iter_errors(broken)}
    batch = batch_breaks(op.batch, broken) if part == "body" else set()
    if change.rule in BATCH_RULES:
        ok = batch == {change.rule} and keywords <= {BATCH_KEYWORDS.get(change.rule)}
    else:
        ok = keywords == {change.rule} and not batch
    if not ok:
        return None
    where = json_path(change.where)
    return replace(case, **{part: broken}, rule=_rule_name(part, change), where=where)


def _stated(schema: Json | None) -> Json | None:
    """The schema without the rules of our own (itself when it has none)."""
    return origins.relaxed(schema) or schema


@lru_cache(maxsize=512)
def _validators(catalogue: Catalogue, op_id: str) -> dict[str, tuple[Any, Any]]:
    """Compiled validators of the body and query schemas ({} where there is none), each with
    the validator of its relaxed schema (None when it has no assumed rules)."""
    op = operation(op_id, catalogue)
    schemas = {"body": op.body_schema, "query": op.query_schema}
    return {
        part: (_compiled(s or {}), _compiled(origins.relaxed(s))) for part, s in schemas.items()
    }


def _compiled(schema: Json | None) -> Any:
    return None if schema is None else jsonschema_rs.Draft7Validator(schema)


__all__ = [
    "PROFILES",
    "Answer",
    "Case",
    "answers_from_operation",
    "events_from_schema",
    "from_operation",
    "invalid_from_operation",
    "load_profile",
    "register_profiles",
    "responses_from_operation",
    "rules_of",
]
