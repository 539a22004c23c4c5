"""The contract commands of jing-emulator: contract-test (check any server against the schemas)
and report (a running emulator's strict-mode violations, as text and JUnit XML)."""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial
from pathlib import Path
from typing import Any

from contract_tests.extras import needs_testing

TIMEOUT = 30.0
SUITE = "jing-emulator contract-test"
STRICT_SUITE = "jing-emulator strict mode"
NEEDS_CREDENTIALS = "--base-url needs --app-id and --app-secret"
NOT_STRICT = "the emulator is not in strict mode (serve --strict)"


def add_commands(commands: Any) -> None:
    """Add contract-test and report to the jing-emulator command's subcommands."""
    check = commands.add_parser(
        "contract-test",
        help="send schema-derived valid and invalid requests to a server and check every answer",
    )
    _server_flags(check, "server to check; without it, an emulator is started and checked")
    check.add_argument("--app-id", help="app whose credentials get the access token")
    check.add_argument("--app-secret", help="that app's secret")
    _run_flags(check)
    check.set_defaults(client=needs_testing(contract_test, "contract-test"))
    report = commands.add_parser(
        "report", help="list a strict emulator's contract violations; exit 1 if there are any"
    )
    report.add_argument(
        "--emulator-url",
        "--base-url",  # its first name, kept: --emulator-url is what trigger and listen take
        dest="base_url",
        metavar="URL",
        help="the running emulator (default: http://JING_EMULATOR_HOST:JING_EMULATOR_PORT)",
    )
    _output_flags(report)
    report.add_argument("--app-id", help="only the violations of this app")
    report.set_defaults(client=needs_testing(report_violations, "report"))


def _server_flags(command: argparse.ArgumentParser, url: str) -> None:
    command.add_argument("--base-url", help=url)
    _output_flags(command)


def _output_flags(command: argparse.ArgumentParser) -> None:
    command.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML here")
    command.add_argument("--admin-token", help="the emulator's admin token, if it has one")


def _run_flags(check: argparse.ArgumentParser) -> None:
    check.add_argument(
        "--operations", nargs="+", default=[], metavar="OP", help="operationIds (default: all)"
    )
    check.add_argument("--max-examples", type=int, default=10, help="requests per group")
    check.add_argument("--seed", type=int, help="vary the requests (default: the same each run)")
    check.add_argument(
        "--no-references",
        action="store_true",
        help="draw reference fields (ids of other records) from the schemas alone: list nothing "
        "first, keep no created ids",
    )
    check.add_argument(
        "--emulator-clock",
        action="store_true",
        help="the server is a jing-emulator: pace by advancing its clock instead of waiting",
    )


def contract_test(args: argparse.Namespace) -> int:
    """Check the server at --base-url, or an emulator started for the run."""
    import httpx

    unknown = _unknown(_names(args.operations))
    if unknown:
        print(f"jing-emulator contract-test: {unknown}", file=sys.stderr)
        return 2
    if args.base_url is None:
        return _own_emulator(args)
    if not (args.app_id and args.app_secret):
        print(f"jing-emulator contract-test: {NEEDS_CREDENTIALS}", file=sys.stderr)
        return 2
    with httpx.Client(base_url=args.base_url, timeout=TIMEOUT) as client:
        return check(args, client, args.app_id, args.app_secret)


def _own_emulator(args: argparse.Namespace) -> int:
    import httpx

    from contract_tests.live import serve_live

    with serve_live() as handle:
        print(f"checking a jing-emulator started at {handle.base_url}", file=sys.stderr)
        with httpx.Client(base_url=handle.base_url, timeout=TIMEOUT) as client:
            args.emulator_clock = True
            return check(args, client, handle.app_id, handle.app_secret)


def check(args: argparse.Namespace, client: Any, app_id: str, app_secret: str) -> int:
    """Run the contract over the chosen operations; print the report; 1 if anything failed."""
    import time

    import httpx

    from contract_tests import provider

    started = time.perf_counter()
    try:
        run = _run(args, client, app_id, app_secret)
        chosen = provider.ordered(run.catalogue, _names(args.operations))
        outcomes = provider.check_operations(run, chosen)
    except httpx.TransportError as exc:
        print(
            f"jing-emulator contract-test: cannot reach {client.base_url}: {exc}", file=sys.stderr
        )
        return 2
    except (KeyError, RuntimeError, httpx.HTTPError) as exc:
        print(f"jing-emulator contract-test: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    return _finish(args, outcomes, time.perf_counter() - started)


def _run(args: argparse.Namespace, client: Any, app_id: str, app_secret: str) -> Any:
    from contract_tests import provider
    from emulator import spec

    catalogue = spec.load()
    credentials = partial(provider.token, client, catalogue, app_id, app_secret)
    pacer, progress = _pacer(args, client), sys.stderr
    return provider.Run(
        client,
        catalogue,
        credentials,
        pacer,
        args.max_examples,
        args.seed,
        progress,
        harvest=not args.no_references,
    )


def _finish(args: argparse.Namespace, outcomes: list[Any], seconds: float) -> int:
    from contract_tests import junit, report

    print(report.outcome_report(outcomes, seconds))
    if args.junit:
        junit.write(args.junit, SUITE, report.outcome_cases(outcomes))
    return 1 if any(o.failed for o in outcomes) else 0


def _unknown(names: tuple[str, ...]) -> str | None:
    """What is wrong with the --operations names, checked before anything starts; None if fine."""
    from emulator import spec

    unknown = sorted(set(names) - set(spec.load().by_id))
    if not unknown:
        return None
    return (
        f"--operations: no operation {', '.join(unknown)} in the catalogue "
        "(the README's Endpoints table, or GET /_admin/operations, lists them)"
    )


def _names(values: list[str]) -> tuple[str, ...]:
    """Operation ids given as separate words or comma-separated."""
    return tuple(n for value in values for n in value.split(",") if n)


def _pacer(args: argparse.Namespace, client: Any) -> Any:
    from contract_tests.pacing import EmulatorTime, Pacer, RealTime

    time_source = EmulatorTime(client, _admin(args)) if args.emulator_clock else RealTime()
    return Pacer(time_source.now, time_source.wait)


def report_violations(args: argparse.Namespace) -> int:
    """Print (and write as JUnit) the violations a strict emulator recorded; 1 if any."""
    from contract_tests import junit, report
    from emulator import spec

    data = _fetch_violations(args)
    if data is None:
        return 2
    found = [v for v in data["violations"] if args.app_id in (None, v.get("app_id"))]
    if found:
        print(report.violation_report(found, "the clients"))
    else:
        print("jing-emulator strict mode: no request broke the API contract")
    if args.junit:
        junit.write(args.junit, STRICT_SUITE, report.violation_cases(spec.load(), found))
    return 1 if found else 0


def _fetch_violations(args: argparse.Namespace) -> Any:
    import httpx

    base = args.base_url or _default_emulator()
    url = f"{base.rstrip('/')}/_admin/violations"
    try:
        data = httpx.get(url, headers=_admin(args), timeout=TIMEOUT).json()["data"]
        strict = data["strict"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        print(f"jing-emulator report: no violations list at {base}: {exc}", file=sys.stderr)
        return None
    if not strict:
        print(f"jing-emulator report: {NOT_STRICT}", file=sys.stderr)
        return None
    return data


def _default_emulator() -> str:
    """The emulator trigger and listen reach by default: JING_EMULATOR_HOST and _PORT."""
    from emulator.listener import LOOPBACK, WILDCARDS
    from emulator.settings import Settings, env_name

    host = os.environ.get(env_name("host")) or Settings().host
    port = os.environ.get(env_name("port")) or Settings().port
    return f"http://{LOOPBACK if host in WILDCARDS else host}:{port}"


def _admin(args: argparse.Namespace) -> dict[str, str]:
    """The admin token header, if one was given."""
    return {"x-admin-token": args.admin_token} if args.admin_token else {}
