"""Reports: contract-run outcomes and strict-mode violations, as text and as JUnit test cases."""

from __future__ import annotations

from collections.abc import Iterable

from contract_tests.exercised import wrapped
from contract_tests.junit import JunitCase
from contract_tests.provider import VALID, Outcome
from emulator.origins import ASSUMPTION
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
    table, totals = answers_table(outcomes), answers_totals(outcomes)
    parts = [table, *blocks, *(["\n".join(skipped)] if skipped else []), totals, summary]
    return "\n\n".join(part for part in parts if part)


def answers_table(outcomes: list[Outcome]) -> str:
    """Per operation: its success answers and error envelopes, and how many of its valid
    requests succeeded (an invalid request's right answer is an error)."""
    ops = list(dict.fromkeys(o.operation for o in outcomes))
    if not ops:
        return ""
    head = "answers per operation"
    width = max(len(head), *map(len, ops))
    lines = [f"{head:{width}}  successes  errors  valid requests succeeded"]
    for op in ops:
        mine = [o for o in outcomes if o.operation == op]
        valid = [o for o in mine if o.group == VALID]
        ok, errors = sum(o.succeeded for o in mine), sum(o.refused for o in mine)
        of_valid = f"{sum(o.succeeded for o in valid)} of {sum(o.sent for o in valid)}"
        lines.append(f"{op:{width}}  {ok:9}  {errors:6}  {of_valid}")
    return "\n".join(lines)


def answers_totals(outcomes: list[Outcome]) -> str:
    """The success answers and error envelopes of the whole run, and the operations that
    never met a success."""
    valid = [o for o in outcomes if o.group == VALID]
    ok, sent = sum(o.succeeded for o in valid), sum(o.sent for o in valid)
    met = {o.operation for o in outcomes if o.succeeded}
    never = [op for op in dict.fromkeys(o.operation for o in outcomes) if op not in met]
    lines = [
        f"answers: {sum(o.succeeded for o in outcomes)} successes, "
        f"{sum(o.refused for o in outcomes)} error envelopes, of {sum(o.sent for o in outcomes)}",
        f"valid requests: {ok} of {sent} succeeded ({_share(ok, sent)}); "
        f"{len(met)} of {len(met) + len(never)} operations met a success",
    ]
    return "\n".join([*lines, *(wrapped("never a success:", never) if never else [])])


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "none sent"


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
    lines += [f"    {v['path']}  [{v['rule']}{_assumed(v)}]  {v['message']}" for v in found]
    if first.get("source"):
        stated = any(v.get("origin") != ASSUMPTION for v in found)
        label = "reference" if stated else "rules of the emulator's own, not stated by"
        lines.append(f"    {label}: {first['source']}")
    return lines


def _assumed(violation: Json) -> str:
    return ", assumed: no vendor page states it" if violation.get("origin") == ASSUMPTION else ""


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
