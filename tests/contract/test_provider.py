"""The server check: it passes the emulator, and it catches each defect of a broken server."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from hypothesis import strategies as st
from starlette.testclient import TestClient

from contract_tests import provider
from contract_tests.live import serve_live
from contract_tests.pacing import EmulatorTime, Pacer
from contract_tests.strategies import rules_of
from contract_tests.traffic import Seen
from emulator import cli, create_app, spec
from emulator.spec import Operation
from tests.conftest import SETTINGS
from tests.contract import broken

CATALOGUE = spec.load()
# A few quick operations (no batch bodies), each needing a token, for the defect runs.
LIGHT = tuple(op.id for op in CATALOGUE.operations if op.auth and not op.batch)[:3]


def run_against(
    defect: broken.Defect, operations: tuple[str, ...] = LIGHT, harvest: bool = True
) -> list[provider.Outcome]:
    app = broken.Broken(create_app(SETTINGS), CATALOGUE, defect)
    with TestClient(app, client=("127.0.0.1", 1)) as client:
        clock = EmulatorTime(client)

        def credentials() -> dict[str, str]:
            return provider.token(client, CATALOGUE, SETTINGS.app_id, SETTINGS.app_secret)

        pacer = Pacer(clock.now, clock.wait)
        run = provider.Run(client, CATALOGUE, credentials, pacer, max_examples=3, harvest=harvest)
        return provider.check_operations(run, provider.ordered(CATALOGUE, operations))


def problems(outcomes: list[provider.Outcome]) -> list[str]:
    return [o.first.problem for o in outcomes if o.first is not None]


def test_full_contract_run_passes_against_the_emulator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.perf_counter()
    # Three requests per group here; `make contract` (CI) sends the default ten.
    args = ["contract-test", "--max-examples", "3", "--junit", str(tmp_path / "contract.xml")]
    assert cli.main(args) == 0
    seconds = time.perf_counter() - started
    suite = ET.parse(tmp_path / "contract.xml").getroot()[0]
    groups = sum(1 + len(rules_of(op.id)) for op in CATALOGUE.operations)
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == (
        str(groups),
        "0",
        "0",
    )
    captured = capsys.readouterr()
    assert f"{len(CATALOGUE.operations)} operations, {groups} groups" in captured.out
    assert "every answer passed" in captured.out
    assert f"[{len(CATALOGUE.operations)}/{len(CATALOGUE.operations)}]" in captured.err
    print(f"full contract run against the emulator: {seconds:.1f} s")


def test_contract_run_checks_a_running_server_by_its_url(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with serve_live() as server:
        args = ["contract-test", "--base-url", server.base_url, "--app-id", server.app_id]
        args += ["--app-secret", server.app_secret, "--emulator-clock", "--max-examples", "2"]
        assert cli.main([*args, "--operations", "account.create,user.query", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    groups = sum(1 + len(rules_of(op)) for op in ("account.create", "user.query"))
    assert f"2 operations, {groups} groups" in out
    assert "2 of 2 operations met a success" in out


def test_a_contract_run_without_references_lists_nothing_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with serve_live() as server:
        calls: list[Seen] = []
        server.traffic.observers.append(calls.append)
        args = ["contract-test", "--base-url", server.base_url, "--app-id", server.app_id]
        args += ["--app-secret", server.app_secret, "--emulator-clock", "--max-examples", "2"]
        assert cli.main([*args, "--operations", "crowd.static.detail", "--no-references"]) == 0
        assert cli.main([*args, "--operations", "crowd.static.detail"]) == 0
    out = capsys.readouterr().out
    assert "valid requests: 0 of 2 succeeded (0.0%)" in out
    assert "valid requests: 2 of 2 succeeded (100.0%)" in out
    listed = [c.operation for c in calls]
    assert listed.count("crowd.static.list") == 1  # the second run's harvest alone


DEFECTS = [
    (broken.flip_success_code_type, "the success code is typed wrong"),
    (broken.drop_a_required_field, "does not match the response schema"),
    (broken.crash_on_invalid_input, "HTTP 500: a server error"),
    (broken.bare_error_bodies, "error envelope: $: 'code' is a required property"),
    (broken.accept_invalid_input, "an invalid request was accepted"),
    (broken.errors_without_paths, "the error names no field, not the broken"),
    (broken.refuse_valid_input, "a valid request was refused as breaking the contract"),
    (broken.rate_limit_every_call, "still over a rate limit after 3 waits"),
]


@pytest.mark.parametrize(("defect", "caught"), DEFECTS, ids=[d.__name__ for d, _ in DEFECTS])
def test_each_defect_of_a_broken_server_is_caught(defect: broken.Defect, caught: str) -> None:
    found = problems(run_against(defect))
    assert any(caught in problem for problem in found), found


def valid_group(outcomes: list[provider.Outcome], op_id: str) -> provider.Outcome:
    return next(o for o in outcomes if (o.operation, o.group) == (op_id, provider.VALID))


def test_a_request_naming_an_existing_group_gets_a_success_from_the_emulator() -> None:
    needs_a_group = ("crowd.static.detail", "crowd.static.update")
    outcomes = run_against(broken.leave_alone, needs_a_group)
    assert problems(outcomes) == []
    for op_id in needs_a_group:
        found = valid_group(outcomes, op_id)
        assert found.succeeded > 0
        assert found.succeeded + found.refused == found.sent


def test_without_references_the_same_requests_name_unknown_groups() -> None:
    outcomes = run_against(broken.leave_alone, ("crowd.static.detail",), harvest=False)
    found = valid_group(outcomes, "crowd.static.detail")
    assert (found.succeeded, found.refused) == (0, found.sent)


def test_a_server_that_lists_nothing_is_checked_with_the_schemas_values() -> None:
    outcomes = run_against(broken.empty_lists, ("crowd.static.detail", "lead.create"))
    assert problems(outcomes) == []
    for op_id in ("crowd.static.detail", "lead.create"):
        found = valid_group(outcomes, op_id)
        assert (found.sent, found.succeeded) == (3, 0)


def test_a_rate_limit_answer_is_waited_out_and_sent_again() -> None:
    limited: set[str] = set()

    def once(op: Operation, status: int, body: object) -> broken.Spoiled | None:
        if op.id in limited or broken.issues_tokens(op):
            return None
        limited.add(op.id)
        return broken.rate_limit_every_call(op, status, body)

    outcomes = run_against(once)
    assert problems(outcomes) == []
    assert set(LIGHT) <= limited  # and the listings the harvest asked for


def test_operations_come_writes_first_and_unknown_names_are_refused() -> None:
    kinds = [op.entry["kind"] for op in provider.ordered(CATALOGUE)]
    assert kinds.index("create") < kinds.index("query")
    assert kinds.index("batch_upsert") < kinds.index("batch_update")
    assert [op.id for op in provider.ordered(CATALOGUE, ("user.query",))] == ["user.query"]
    with pytest.raises(KeyError, match=r"no operation user\.nothing"):
        provider.ordered(CATALOGUE, ("user.nothing",))


def test_a_server_giving_no_token_stops_the_run() -> None:
    app = broken.Broken(create_app(SETTINGS), CATALOGUE, broken.drop_a_required_field)
    with TestClient(app) as client, pytest.raises(RuntimeError, match="gave no access_token"):
        provider.token(client, CATALOGUE, SETTINGS.app_id, "wrong secret")
    page = httpx.MockTransport(lambda r: httpx.Response(200, text="<html>"))
    no_json = httpx.Client(transport=page, base_url="http://x")
    with no_json, pytest.raises(RuntimeError, match="HTTP 200 <html>"):
        provider.token(no_json, CATALOGUE, "a", "b")


def test_a_server_that_does_not_answer_is_reported_per_group() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with httpx.Client(transport=httpx.MockTransport(refuse), base_url="http://x") as client:
        run = provider.Run(
            client, CATALOGUE, dict, Pacer(lambda: 0.0, lambda s: None), max_examples=2
        )
        outcomes = provider.check_operations(run, provider.ordered(CATALOGUE, (LIGHT[0],)))
    assert all(o.failed == o.sent == 2 for o in outcomes)
    assert problems(outcomes)[0] == "no answer: ConnectError: connection refused"


def test_a_group_no_request_can_be_drawn_for_is_skipped() -> None:
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500))) as client:
        run = provider.Run(client, CATALOGUE, dict, Pacer(lambda: 0.0, lambda s: None))
        op = CATALOGUE.by_id[LIGHT[0]]
        outcome = provider.exercise(run, op, "invalid: impossible", st.nothing(), {})
    assert (outcome.sent, outcome.skipped) == (0, "no request breaking impossible could be drawn")
