"""The jing-emulator command: serve, openapi, docs, seed, import-openapi, trigger, listen,
contract-test, report."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from contract_tests import commands as contract_commands
from emulator import listener, openapi, spec
from emulator.settings import (
    ASSUMED_RULES_MODES,
    ERROR_STATUS_MODES,
    RATE_LIMIT_MODES,
    WEBHOOK_CHAOS_MODES,
    Settings,
    env_name,
    from_env,
    port_number,
)

PIPE_CLOSED = 141  # what a shell reports for a command a closed pipe stopped (128 + SIGPIPE)
DOCS_HERE = "run it at the root of a jing-emulator checkout, where they live"
FLAGS: list[tuple[str, Any, str]] = [
    ("host", str, "interface to listen on"),
    ("port", port_number, "port to listen on; 0: a free one, printed"),
    ("seed", int, "seed for ids and demo data (deterministic runs)"),
    ("app_id", str, "app_id of the default app"),
    ("app_secret", str, "app_secret of the default app"),
    ("rate_limits", str, f"rate limits: {' | '.join(RATE_LIMIT_MODES)}"),
    ("seed_data", str, "data of the default app at start: demo | PATH (JSON) | none"),
    ("token_ttl", int, "access token lifetime in seconds"),
    ("body_limit", int, "largest request body in bytes"),
    ("journal_size", int, "requests kept in the journal"),
    ("admin_token", str, "token the admin API requires (X-Admin-Token); opens it beyond loopback"),
    ("schemas_overlay", str, "directory of operation and schema files that add to or replace ours"),
    ("webhook_url", str, "URL every event of the default app is POSTed to"),
    ("webhook_secret", str, "secret that signs the --webhook-url deliveries (HMAC-SHA256)"),
    ("webhook_retries", str, "seconds before each webhook retry, virtual clock: 1,2,4,8,16"),
    ("webhook_timeout", float, "seconds a webhook receiver has to answer"),
    ("webhook_log_size", int, "webhook deliveries kept in the delivery log"),
    ("webhook_pending_size", int, "webhook deliveries pending per subscription, at most"),
    ("webhook_chaos", str, f"webhook chaos (receivers' tests): {' | '.join(WEBHOOK_CHAOS_MODES)}"),
    ("webhook_concurrency", int, "webhook deliveries in flight per subscription (1: in order)"),
    ("strict", bool, "record every request that breaks the contract (GET /_admin/violations)"),
    ("owner_change_with_lead", bool, "the default app's object_change_owner carries the lead"),
    (
        "assumed_rules",
        str,
        f"rules no vendor page states: {' | '.join(ASSUMED_RULES_MODES)} (warn: served, flagged)",
    ),
    ("error_status", str, f"HTTP status of errors: {' | '.join(ERROR_STATUS_MODES)} (vendor: 200)"),
]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and of python -m emulator."""
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except BrokenPipeError:  # the reader went away (| head): stop quietly, as cat does
        return closed_pipe()


def closed_pipe() -> int:
    """Point stdout at /dev/null, so that the interpreter's final flush cannot fail again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return PIPE_CLOSED


def _dispatch(args: argparse.Namespace) -> int:
    if hasattr(args, "client"):  # contract commands are clients of a server: flags only
        return int(args.client(args))
    try:
        settings = from_env().with_overrides({f: getattr(args, f, None) for f, _, _ in FLAGS})
    except ValueError as exc:
        print(f"jing-emulator: {exc}", file=sys.stderr)
        return 2
    try:
        return int(args.run(settings, args))
    except spec.CatalogueError as exc:
        print(f"jing-emulator: the catalogue cannot be used: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jing-emulator", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    serve_cmd = commands.add_parser("serve", help="run the emulator as an HTTP server")
    for name, kind, help_text in FLAGS:
        flag = "--" + name.replace("_", "-")
        serve_cmd.add_argument(flag, **_kind(kind), dest=name, help=_flag_help(name, help_text))
    serve_cmd.add_argument(
        "--port-file", type=Path, metavar="FILE", help="write the port listened on here (for CI)"
    )
    serve_cmd.add_argument(
        "--quiet", action="store_true", help="no access log (one line per request by default)"
    )
    serve_cmd.set_defaults(run=serve)
    openapi_cmd = commands.add_parser("openapi", help="print the OpenAPI document")
    openapi_cmd.set_defaults(run=print_openapi)
    docs_cmd = commands.add_parser("docs", help="rewrite the generated tables in README and docs")
    docs_cmd.set_defaults(run=write_docs)
    _data_commands(commands)
    listener.add_commands(commands)
    contract_commands.add_commands(commands)
    return parser


def _data_commands(commands: Any) -> None:
    """import-openapi (correct the catalogue) and seed (large datasets)."""
    from emulator import importer

    import_cmd = commands.add_parser(
        "import-openapi", help="turn an OpenAPI 3 or Apifox export into a schemas overlay"
    )
    import_cmd.add_argument(
        "--out", default=importer.DEFAULT_OUT, help="overlay directory (default ./jing-overlay)"
    )
    import_cmd.add_argument(
        "--engine",
        action="store_true",
        help="serve corrected operations by the generic engine, not their domain's handler "
        "(whose rules stay by default: only the schemas change)",
    )
    import_cmd.add_argument("file", help="OpenAPI 3.0/3.1 document: JSON, or YAML (pyyaml)")
    import_cmd.set_defaults(run=importer.command)
    seed_cmd = commands.add_parser(
        "seed", help="write a large dataset for --seed-data (load tests)"
    )
    seed_cmd.add_argument("--size", type=int, required=True, help="number of users")
    seed_cmd.add_argument("--out", required=True, help="JSON file to write")
    seed_cmd.add_argument("--seed", type=int, default=0, dest="dataset_seed", help="seed (0)")
    seed_cmd.set_defaults(run=write_dataset)


def version() -> str:
    """The installed package's version."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("jing-emulator")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree never installed
        return "unknown (not installed)"


def _flag_help(name: str, text: str) -> str:
    """A serve flag's help: what it does, its default, the variable that also sets it."""
    default = getattr(Settings(), name)
    shown = {None: "random" if name == "seed" else "none", False: "off"}.get(default, default)
    return f"{text} (default: {shown}; env {env_name(name)})"


def _kind(kind: type) -> dict[str, Any]:
    """How a flag takes its value: on/off flags take none."""
    return {"action": "store_const", "const": True} if kind is bool else {"type": kind}


def serve(settings: Settings, args: argparse.Namespace) -> int:
    """Build the app, listen, then print where and the credentials, and serve until stopped."""
    from dataclasses import replace

    from emulator import serving
    from emulator.app import create_app

    app = create_app(settings)
    try:
        listening = serving.listen(settings.host, settings.port)
    except serving.BindError as exc:
        print(f"jing-emulator serve: {exc}", file=sys.stderr)
        return 1
    if args.port_file:
        serving.write_port_file(args.port_file, listening.port)
    print(banner(replace(settings, port=listening.port)), flush=True)
    logged = app if args.quiet else serving.AccessLog(app, app.state.emulator.catalogue)
    serving.run(logged, listening)
    return 0


def banner(settings: Settings) -> str:
    """What serve prints first: base URL, default credentials, how to get a token."""
    base = f"http://{settings.host}:{settings.port}"
    return "\n".join(
        [
            f"jing-emulator listening on {base}",
            f"  app_id:      {settings.app_id}",
            f"  app_secret:  {settings.app_secret}",
            f"  seed data:   {settings.seed_data}   rate limits: {settings.rate_limits}"
            f"   strict mode: {'on' if settings.strict else 'off'}",
            f"  token:       curl -s -X POST {base}/v1/oauth2/token "
            "-H 'Content-Type: application/json' "
            f'-d \'{{"app_id":"{settings.app_id}","app_secret":"{settings.app_secret}"}}\'',
            f"  admin:       {base}/_admin/health   openapi: {base}/openapi.json",
        ]
        + [f"  webhooks:    every event of the default app -> {settings.webhook_url}"]
        * bool(settings.webhook_url)
    )


def write_dataset(_: Settings, args: argparse.Namespace) -> int:
    """Build a dataset of --size users (and records in proportion), with a progress bar."""
    from emulator import seed

    if args.size < 1:
        print("jing-emulator: --size must be at least 1", file=sys.stderr)
        return 2
    bar = ProgressBar(args.size, "users")
    dataset = seed.large(args.size, args.dataset_seed, bar.update)
    with open(args.out, "wb") as handle:
        handle.write(orjson.dumps(dataset))
    print(f"\nwrote {args.out}: {args.size} users; serve it with --seed-data {args.out}")
    return 0


class ProgressBar:
    """A one-line progress bar on stderr."""

    def __init__(self, total: int, unit: str, width: int = 30) -> None:
        self.total, self.unit, self.width = total, unit, width

    def update(self, done: int) -> None:
        """Redraw the bar for `done` of the total."""
        filled = self.width * done // self.total
        bar = "#" * filled + "-" * (self.width - filled)
        sys.stderr.write(f"\r[{bar}] {done}/{self.total} {self.unit}")
        sys.stderr.flush()


def write_docs(_: Settings, __: argparse.Namespace) -> int:
    """Regenerate the endpoint and error tables of README.md and docs/ASSUMPTIONS.md."""
    from emulator import docs

    files = [Path("README.md"), Path("docs/ASSUMPTIONS.md")]
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        print(
            f"jing-emulator docs: no {' or '.join(missing)} in {Path.cwd()}: {DOCS_HERE}",
            file=sys.stderr,
        )
        return 2
    for path in docs.update(files, spec.load()):
        print(f"updated {path}")
    return 0


def print_openapi(settings: Settings, _: argparse.Namespace) -> int:
    """Write the OpenAPI document (of the catalogue with the settings' overlay) to stdout."""
    from emulator.core import catalogue_of

    document = openapi.document(catalogue_of(settings))
    sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
    sys.stdout.write("\n")
    return 0
