"""Reports: contract-run outcomes and strict-mode violations, as text and as JUnit test cases."""

from __future__ import annotations

from collections.abc import Iterable

from contract_tests.junit import JunitCase
from contract_tests.provider import Outcome
from emulator.spec import Catalogue, Json

LENIENT_HINT = (
    "Mark the test @pytest.mark.jing_emulator_lenient if it sends such requests on purpose."
)
ROUTING = "(no operation)"


def outcome_report(outcomes: list[Outcome], seconds: float) -> str:
    """Each failing group with its example, then one summary line."""
    blocks = [_failure_block(o) for o in outcomes if o.failed]
    skipped = [f"SKIP {o.operation}: {o.group}: {o.skipped}" for o in outcomes if o.skipped]
    sent = sum(o.sent for o in outcomes)
    failed = sum(1 for o in outcomes if o.failed)
    operations = len({o.operation for o in outcomes})
    verdict = f"{failed} failing group(s)" if failed else "every answer passed"
    summary = (
        f"contract-test: {operations} operations, {len(outcomes)} groups, {sent} requests: "
        f"{verdict} in {seconds:.1f} s"
    )
    return "\n\n".join([*blocks, *(["\n".join(skipped)] if skipped else []), summary])


def _failure_block(outcome: Outcome) -> str:
    head = (
        f"FAIL {outcome.operation}: {outcome.group}: {outcome.failed} of {outcome.sent} "
        "requests failed; the shortest:"
    )
    return head + ("\n" + outcome.first.describe() if outcome.first else "")


def outcome_cases(outcomes: list[Outcome]) -> list[JunitCase]:
    """One JUnit test case per group of requests."""
    return [
        JunitCase(
            classname=o.operation,
            name=o.group,
            seconds=o.seconds,
            failure=o.first.problem if o.first else None,
            details=_failure_block(o) if o.failed else "",
            skipped=o.skipped,
        )
        for o in outcomes
    ]


def violation_report(violations: list[Json], where: str = "the client") -> str:
    """Strict-mode violations grouped by request: what was sent, each broken rule, the source."""
    requests: dict[object, list[Json]] = {}
    for violation in violations:
        requests.setdefault(violation["request"], []).append(violation)
    lines = [
        f"jing-emulator strict mode: {where} sent {len(requests)} request(s) "
        "that break the API contract"
    ]
    for found in requests.values():
        lines += ["", *_request_lines(found)]
    return "\n".join(lines)


def _request_lines(found: list[Json]) -> list[str]:
    first = found[0]
    lines = [f"  {first['method']} {first['route']} ({first['operation'] or ROUTING})"]
    lines += [f"    {v['path']}  [{v['rule']}]  {v['message']}" for v in found]
    if first.get("source"):
        lines.append(f"    reference: {first['source']}")
    return lines


def violation_cases(catalogue: Catalogue, violations: list[Json]) -> list[JunitCase]:
    """One JUnit test case per operation (and one for calls matching none), failed if violated."""
    names = list(dict.fromkeys([*catalogue.by_id, *map(_op, violations), ROUTING]))
    return [_violation_case(name, [v for v in violations if _op(v) == name]) for name in names]


def _op(violation: Json) -> str:
    return str(violation.get("operation") or ROUTING)


def _violation_case(name: str, found: Iterable[Json]) -> JunitCase:
    found = list(found)
    if not found:
        return JunitCase("strict mode", name)
    rules = sorted({f"{v['path']} [{v['rule']}]" for v in found})
    message = f"{len(found)} violation(s): {', '.join(rules)}"
    return JunitCase("strict mode", name, failure=message, details=violation_report(found))
