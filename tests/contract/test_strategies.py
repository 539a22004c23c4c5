"""Strategies from the catalogue: valid requests, requests breaking one named rule, answers,
webhook payloads, and the Hypothesis profiles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from contract_tests import strategies
from contract_tests.cases import Case, batch_breaks
from contract_tests.strategies import (
    events_from_schema,
    from_operation,
    invalid_from_operation,
    load_profile,
    responses_from_operation,
    rules_of,
)
from emulator import spec

CATALOGUE = spec.load()
OPS = [op.id for op in CATALOGUE.operations]
RULES = [(op, rule) for op in OPS for rule in rules_of(op)]
FEW = settings(
    max_examples=5, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)


def keywords(schema: dict[str, Any] | None, instance: Any) -> set[str]:
    return {
        str(e.validator) for e in jsonschema.Draft7Validator(schema or {}).iter_errors(instance)
    }


@pytest.mark.parametrize("op_id", OPS)
def test_valid_requests_follow_the_schemas_and_the_batch_rules(op_id: str) -> None:
    op = CATALOGUE.by_id[op_id]

    @FEW
    @given(from_operation(op_id))
    def check(case: Case) -> None:
        assert (case.operation, case.method, case.path, case.valid) == (
            op.id,
            op.method,
            op.path,
            True,
        )
        assert keywords(op.body_schema, case.body) == set()
        assert keywords(op.query_schema, dict(case.query)) == set()
        assert batch_breaks(op.batch, case.body) == set()

    check()


@pytest.mark.parametrize(("op_id", "rule"), RULES, ids=[f"{o}-{r}" for o, r in RULES])
def test_invalid_requests_break_exactly_the_rule_they_name(op_id: str, rule: str) -> None:
    op = CATALOGUE.by_id[op_id]

    @FEW
    @given(invalid_from_operation(op_id, rule))
    def check(case: Case) -> None:
        assert (case.rule, case.where is not None) == (rule, True)
        body, query = (
            keywords(op.body_schema, case.body),
            keywords(op.query_schema, dict(case.query)),
        )
        batch = batch_breaks(op.batch, case.body)
        if rule.startswith("query:"):
            assert (query, body, batch) == ({rule.removeprefix("query:")}, set(), set())
        elif rule in strategies.BATCH_RULES:
            assert (batch, query) == ({rule}, set())
            assert body <= {strategies.BATCH_KEYWORDS.get(rule)}
        else:
            assert (body, query, batch) == ({rule}, set(), set())

    check()


def test_any_rule_may_be_broken_when_none_is_named() -> None:
    seen: set[str] = set()

    @settings(
        max_examples=40, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(invalid_from_operation("user.create"))
    def check(case: Case) -> None:
        seen.add(str(case.rule))

    check()
    assert len(seen) > 2


def test_rules_of_a_batch_operation_name_the_batch_rules_not_the_root_limit() -> None:
    rules = rules_of("user.update")
    assert {"max_items", "max_custom_fields", "one_identity_type", "unique_users"} <= set(rules)
    assert {"required", "type", "enum"} <= set(rules)
    assert "additionalProperties" not in rules  # on user objects, a rule of ours (x-assumed)
    assert "maxItems" not in rules
    # Both rules of its query string (no other parameter, returnFull true or false) are ours.
    assert not [r for r in rules_of("user.create") if r.startswith("query:")]


@pytest.mark.parametrize("op_id", OPS)
def test_answers_follow_the_response_schema_with_the_success_code(op_id: str) -> None:
    op = CATALOGUE.by_id[op_id]

    @FEW
    @given(responses_from_operation(op_id))
    def check(answer: dict[str, Any]) -> None:
        jsonschema.validate(answer, op.response_schema)
        assert answer["code"] == op.envelope.success_code

    check()


def test_webhook_payloads_come_from_the_event_schema_under_a_root(tmp_path: Path) -> None:
    (tmp_path / "webhooks").mkdir()
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "uuid.json").write_text(json.dumps({"type": "string", "minLength": 22}))
    event = {
        "type": "object",
        "required": ["event_type", "omni_user_uuid"],
        "additionalProperties": False,
        "properties": {
            "event_type": {"const": "add_omni_user_success"},
            "omni_user_uuid": {"$ref": "../common/uuid.json"},
        },
    }
    (tmp_path / "webhooks" / "add_omni_user_success.json").write_text(json.dumps(event))

    @FEW
    @given(events_from_schema("add_omni_user_success", tmp_path))
    def check(payload: dict[str, Any]) -> None:
        assert payload["event_type"] == "add_omni_user_success"
        assert len(payload["omni_user_uuid"]) >= 22
        assert set(payload) == {"event_type", "omni_user_uuid"}

    check()


def test_unknown_operations_and_events_are_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match=r"no operation 'user\.delete' in the catalogue"):
        from_operation("user.delete")
    with pytest.raises(KeyError, match=r"known: oauth\.get_token"):
        invalid_from_operation("nope")
    with pytest.raises(spec.CatalogueError, match=r"webhooks/nothing\.json"):
        events_from_schema("nothing", tmp_path)


def test_profile_is_chosen_by_the_environment_variable() -> None:
    try:
        assert load_profile({"HYPOTHESIS_PROFILE": "ci"}) == "ci"
        current = settings()
        assert (current.derandomize, current.deadline, current.database) == (True, None, None)
        assert load_profile({"HYPOTHESIS_PROFILE": "dev"}) == "dev"
        assert settings().print_blob is True
        assert load_profile({"HYPOTHESIS_PROFILE": "no-such-profile"}) is None
        assert load_profile({}) is None
    finally:
        settings.load_profile("default")


def test_registered_profiles_keep_what_a_project_set_before() -> None:
    settings.register_profile("dev", max_examples=7)
    try:
        strategies.register_profiles()
        assert (
            settings.get_profile("dev").max_examples,
            settings.get_profile("dev").print_blob,
        ) == (7, True)
    finally:
        settings.register_profile("dev", settings.get_profile("default"), print_blob=True)


@pytest.mark.parametrize("op_id", OPS)
def test_strategies_print_below_the_size_hypothesis_warns_about(op_id: str) -> None:
    # Hypothesis prints strategies in some reports and warns past 30 kB (an error under -W error).
    made = (from_operation(op_id), invalid_from_operation(op_id), responses_from_operation(op_id))
    assert all(len(repr(strategy)) < 30_000 for strategy in made)
