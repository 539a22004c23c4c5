"""The server check: schema-derived valid and invalid requests sent to any server, each answer
judged against the response schema or the error envelope; paced by the rate limits."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TextIO

import httpx
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from contract_tests.cases import Case, preview
from contract_tests.client import Client, Response
from contract_tests.judge import Answer, answered, judge
from contract_tests.pacing import Pacer
from contract_tests.referenced import referenced
from contract_tests.references import References, listing
from contract_tests.strategies import from_operation, invalid_from_operation, rules_of
from emulator.spec import Catalogue, Json, Operation

TOKEN = ("token", "create")  # the catalogue's operation that issues access tokens
VALID = "valid requests"  # the group of an operation's valid requests
RETRIES = 3  # answers of 429 (over a rate limit) waited out and sent again
# Writes first, so that reads, updates and deletes meet stored records; then the rest.
KIND_ORDER = ("create", "batch_create", "batch_upsert", "action", "query", "list", "get")
LATE_KINDS = ("update", "batch_update", "delete", "batch_delete")


@dataclass(frozen=True, slots=True)
class Failure:
    """One example that failed a check: the request, the answer, what is wrong."""

    case: Case
    answer: Answer | None
    problem: str

    def describe(self) -> str:
        """The failure as a few readable lines."""
        answer = (
            f"HTTP {self.answer.status} {preview(self.answer.text)}" if self.answer else "(none)"
        )
        return "\n".join(
            [
                f"  request:  {self.case.describe()}",
                f"  answer:   {answer}",
                f"  check:    {self.problem}",
            ]
        )


@dataclass(slots=True)
class Outcome:
    """What one group of requests (an operation's valid ones, or those breaking one rule) met."""

    operation: str
    group: str
    sent: int = 0
    failed: int = 0
    first: Failure | None = None  # the failing example with the shortest request
    skipped: str | None = None
    seconds: float = 0.0
    succeeded: int = 0  # answers with the success code
    refused: int = 0  # answers in an error envelope

    def note(self, failure: Failure) -> None:
        """Count a failure; keep the one with the shortest request as the example."""
        self.failed += 1
        if self.first is None or _size(failure.case) < _size(self.first.case):
            self.first = failure


def _size(case: Case) -> int:
    return len(case.content or b"") + len(case.url)


@dataclass(slots=True)
class Run:
    """One contract run: where to send, with which credentials, how many examples."""

    client: Client
    catalogue: Catalogue
    credentials: Callable[[], dict[str, str]]
    pacer: Pacer
    max_examples: int = 10
    seed: int | None = None
    progress: TextIO | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    references: References | None = None  # None: a fresh one, filled by harvest first
    harvest: bool = True  # False: reference fields as the schemas draw them, nothing listed


def ordered(catalogue: Catalogue, wanted: tuple[str, ...] = ()) -> list[Operation]:
    """The operations to check (all, or those named), writes first."""
    unknown = sorted(set(wanted) - set(catalogue.by_id))
    if unknown:
        raise KeyError(f"no operation {', '.join(unknown)} in the catalogue")
    chosen = [op for op in catalogue.operations if not wanted or op.id in wanted]
    return sorted(chosen, key=_rank)


def _rank(op: Operation) -> int:
    kind = str(op.entry.get("kind", ""))
    if kind in KIND_ORDER:
        return KIND_ORDER.index(kind)
    return len(KIND_ORDER) + 1 + LATE_KINDS.index(kind) if kind in LATE_KINDS else len(KIND_ORDER)


def check_operations(run: Run, operations: list[Operation]) -> list[Outcome]:
    """Send every group of requests to every operation; the outcomes, in order."""
    references = None
    if run.harvest:
        references = run.references = run.references or References(run.catalogue)
        harvest(run, references, operations)
    for number, op in enumerate(operations, 1):
        headers = run.credentials() if op.auth else {}
        started = len(run.outcomes)
        for group, strategy in groups(run.catalogue, op, references):
            run.outcomes.append(exercise(run, op, group, strategy, headers))
        _progress(run, f"[{number}/{len(operations)}] {op.id}", run.outcomes[started:])
    return run.outcomes


def harvest(run: Run, references: References, operations: list[Operation]) -> None:
    """List (one largest page each) the records that the operations' reference fields name,
    through the catalogue's list and query operations of those resources."""
    wanted = references.wanted(operations)
    headers: dict[str, str] | None = None
    for op in run.catalogue.operations:
        case = listing(op) if op.resource in wanted else None
        if case is None:
            continue
        headers = headers or run.credentials()
        answer, _ = send(run, op, case, headers if op.auth else {})
        if answer is not None:
            references.note(op, answer.text, listing=True)


def groups(
    catalogue: Catalogue, op: Operation, references: References | None = None
) -> Iterator[tuple[str, st.SearchStrategy[Case]]]:
    """The valid requests (reference fields mostly naming records met), then those breaking
    each rule the operation has."""
    valid = from_operation(op.id, catalogue)
    yield VALID, referenced(op, valid, partial(references.pools, op)) if references else valid
    for rule in rules_of(op.id, catalogue):
        yield f"invalid: {rule}", invalid_from_operation(op.id, rule, catalogue)


def exercise(
    run: Run, op: Operation, group: str, strategy: st.SearchStrategy[Case], headers: dict[str, str]
) -> Outcome:
    """Send max_examples requests drawn from a strategy; judge each answer."""
    outcome = Outcome(op.id, group)
    started = time.perf_counter()
    try:
        _given(run, strategy, _one(run, op, headers, outcome))()
    except Unsatisfiable:
        outcome.skipped = f"no request breaking {group.split(': ')[-1]} could be drawn"
    outcome.seconds = time.perf_counter() - started
    return outcome


def _one(
    run: Run, op: Operation, headers: dict[str, str], outcome: Outcome
) -> Callable[[Case], None]:
    """The test of one case (a function, as Hypothesis wants): send, judge, note a failure."""

    def test(case: Case) -> None:
        outcome.sent += 1
        answer, problem = send(run, op, case, headers)
        if problem is None and answer is not None:
            problem = judge(run.catalogue, case, answer)
            _count(run, op, outcome, case, answer)
        if problem:
            outcome.note(Failure(case, answer, problem))

    return test


def _count(run: Run, op: Operation, outcome: Outcome, case: Case, answer: Answer) -> None:
    """Count a success or an error envelope; keep the ids a success holds, forget those a
    delete removed."""
    verdict = answered(op, answer)
    outcome.succeeded += verdict == "success"
    outcome.refused += verdict == "error"
    if verdict == "success" and run.harvest and run.references is not None:
        run.references.note(op, answer.text)
        run.references.forget(op, case.body)


def _given(
    run: Run, strategy: st.SearchStrategy[Case], test: Callable[[Case], None]
) -> Callable[[], None]:
    """The test under Hypothesis: generation only (no shrinking: every request costs a call)."""
    configured = settings(
        max_examples=run.max_examples,
        phases=(Phase.explicit, Phase.generate),
        database=None,
        deadline=None,
        derandomize=run.seed is None,
        suppress_health_check=list(HealthCheck),
    )
    wrapped = configured(given(strategy)(test))
    return wrapped if run.seed is None else seed(run.seed)(wrapped)


def send(
    run: Run, op: Operation, case: Case, headers: dict[str, str]
) -> tuple[Answer | None, str | None]:
    """Send a case (waiting out rate limits); the answer, or the transport's failure."""
    content_headers = {"content-type": "application/json"} if case.has_body else {}
    try:
        response = _request(run, op, case, {**headers, **content_headers})
    except httpx.HTTPError as exc:
        return None, f"no answer: {type(exc).__name__}: {exc}"
    answer = Answer(response.status_code, response.headers.get("content-type", ""), response.text)
    if answer.status == 429:
        return answer, f"still over a rate limit after {RETRIES} waits: pacing could not satisfy it"
    return answer, None


def _request(run: Run, op: Operation, case: Case, headers: dict[str, str]) -> Response:
    """The answer, after waiting out up to RETRIES answers of 429."""
    for _ in range(RETRIES):
        run.pacer.before(op)
        response = run.client.request(case.method, case.url, content=case.content, headers=headers)
        if response.status_code != 429:
            return response
        run.pacer.pause(_retry_after(response))
    run.pacer.before(op)
    return run.client.request(case.method, case.url, content=case.content, headers=headers)


def _retry_after(response: Response) -> float:
    value = response.headers.get("retry-after", "")
    return float(value) if value.replace(".", "", 1).isdigit() else 1.0


def _progress(run: Run, title: str, outcomes: list[Outcome]) -> None:
    if run.progress is None:
        return
    sent = sum(o.sent for o in outcomes)
    failed = [o for o in outcomes if o.failed]
    skipped = [o for o in outcomes if o.skipped]
    status = f"{len(failed)} group(s) FAILED" if failed else "ok"
    extra = f", {len(skipped)} skipped" if skipped else ""
    seconds = sum(o.seconds for o in outcomes)
    successes = sum(o.succeeded for o in outcomes)
    print(
        f"{title}: {sent} requests in {len(outcomes)} groups, {status}{extra}, "
        f"{successes} success(es) ({seconds:.1f} s)",
        file=run.progress,
        flush=True,
    )


def token(client: Client, catalogue: Catalogue, app_id: str, app_secret: str) -> dict[str, str]:
    """Credential headers from the catalogue's token operation (resource token, kind create)."""
    op = _token_operation(catalogue)
    answer = client.request(op.method, op.path, json={"app_id": app_id, "app_secret": app_secret})
    data: Json = _data(answer)
    if "access_token" not in data:
        said = f"HTTP {answer.status_code} {preview(answer.text)}"
        raise RuntimeError(f"{op.method} {op.path} gave no access_token: {said}")
    return {"app_id": app_id, "access_token": str(data["access_token"])}


def _token_operation(catalogue: Catalogue) -> Operation:
    for op in catalogue.operations:
        if (op.entry.get("resource"), op.entry.get("kind")) == TOKEN:
            return op
    raise RuntimeError("the catalogue has no token operation (resource token, kind create)")


def _data(answer: Response) -> Json:
    try:
        body = answer.json()
    except ValueError:
        return {}
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, dict) else {}
