"""The jing-emulator command: serve, openapi, docs, contract-test, report."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import orjson

from contract_tests import commands as contract_commands
from emulator import openapi, spec
from emulator.settings import RATE_LIMIT_MODES, Settings, env_name, from_env

FLAGS: list[tuple[str, type, str]] = [
    ("host", str, "interface to listen on"),
    ("port", int, "port to listen on"),
    ("seed", int, "seed for ids and demo data (deterministic runs)"),
    ("app_id", str, "app_id of the default app"),
    ("app_secret", str, "app_secret of the default app"),
    ("rate_limits", str, f"rate limits: {' | '.join(RATE_LIMIT_MODES)}"),
    ("seed_data", str, "data of the default app at start: demo | PATH (JSON) | none"),
    ("token_ttl", int, "access token lifetime in seconds"),
    ("body_limit", int, "largest request body in bytes"),
    ("journal_size", int, "requests kept in the journal"),
    ("admin_token", str, "token the admin API requires (X-Admin-Token); opens it beyond loopback"),
    ("strict", bool, "record every request that breaks the contract (GET /_admin/violations)"),
]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and of python -m emulator."""
    args = _parser().parse_args(argv)
    if hasattr(args, "client"):  # contract commands are clients of a server: flags only
        return int(args.client(args))
    try:
        settings = from_env().with_overrides({f: getattr(args, f, None) for f, _, _ in FLAGS})
    except ValueError as exc:
        print(f"jing-emulator: {exc}", file=sys.stderr)
        return 2
    return int(args.run(settings))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jing-emulator", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    serve_cmd = commands.add_parser("serve", help="run the emulator as an HTTP server")
    for name, kind, help_text in FLAGS:
        flag = "--" + name.replace("_", "-")
        serve_cmd.add_argument(
            flag, **_kind(kind), dest=name, help=f"{help_text} (env {env_name(name)})"
        )
    serve_cmd.set_defaults(run=serve)
    openapi_cmd = commands.add_parser("openapi", help="print the OpenAPI document")
    openapi_cmd.set_defaults(run=print_openapi)
    docs_cmd = commands.add_parser("docs", help="rewrite the generated tables in README and docs")
    docs_cmd.set_defaults(run=write_docs)
    contract_commands.add_commands(commands)
    return parser


def _kind(kind: type) -> dict[str, Any]:
    """How a flag takes its value: on/off flags take none."""
    return {"action": "store_const", "const": True} if kind is bool else {"type": kind}


def serve(settings: Settings) -> int:
    """Build the app, print where it listens and its credentials, and serve until stopped."""
    import uvicorn

    from emulator.app import create_app

    app = create_app(settings)
    print(banner(settings), flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    return 0


def banner(settings: Settings) -> str:
    """What serve prints first: base URL, default credentials, how to get a token."""
    base = f"http://{settings.host}:{settings.port}"
    return "\n".join(
        [
            f"jing-emulator listening on {base}",
            f"  app_id:      {settings.app_id}",
            f"  app_secret:  {settings.app_secret}",
            f"  seed data:   {settings.seed_data}   rate limits: {settings.rate_limits}",
            f"  token:       curl -s -X POST {base}/v1/oauth2/token "
            "-H 'Content-Type: application/json' "
            f'-d \'{{"app_id":"{settings.app_id}","app_secret":"{settings.app_secret}"}}\'',
            f"  admin:       {base}/_admin/health   openapi: {base}/openapi.json",
        ]
    )


def write_docs(_: Settings) -> int:
    """Regenerate the endpoint and error tables of README.md and docs/ASSUMPTIONS.md."""
    from pathlib import Path

    from emulator import docs

    for path in docs.update([Path("README.md"), Path("docs/ASSUMPTIONS.md")], spec.load()):
        print(f"updated {path}")
    return 0


def print_openapi(_: Settings) -> int:
    """Write the OpenAPI document to stdout."""
    sys.stdout.write(
        orjson.dumps(openapi.document(spec.load()), option=orjson.OPT_INDENT_2).decode()
    )
    sys.stdout.write("\n")
    return 0
