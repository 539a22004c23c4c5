"""The trigger and listen commands: an on-demand event sent through a running emulator's admin
API, and a local receiver that subscribes, prints each event delivered and forwards it."""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any

import orjson

from emulator.outbox import Attempt
from emulator.settings import Settings
from emulator.spec import Json
from emulator.webhooks import HEADER, HttpSender, Outgoing, Sender

LOOPBACK = "127.0.0.1"
WILDCARDS = ("0.0.0.0", "::")  # every interface: reached on loopback from this machine
TIMEOUT = 10.0
ANSWER_SNIPPET = 120  # characters of an answer that is not the admin API's quoted in an error
HOP_BY_HOP = ("host", "content-length", "connection", "transfer-encoding")
HELP_APP = "the app whose events these are (default: the default app)"
HELP_URL = "the running emulator (default: http://JING_EMULATOR_HOST:JING_EMULATOR_PORT)"


class CommandError(Exception):
    """A command cannot go on; the message says why."""


def add_commands(commands: Any) -> None:
    """Add the trigger and listen subcommands to the jing-emulator parser."""
    trigger = commands.add_parser("trigger", help="send an on-demand webhook event (admin API)")
    trigger.add_argument("event", help="event name, e.g. pageView (GET /_admin/webhooks/events)")
    help_set = "set a payload field (dotted path) to VALUE (JSON, else text); repeatable"
    trigger.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="FIELD=VALUE", help=help_set
    )
    listen = commands.add_parser("listen", help="subscribe, print each event delivered, forward")
    listen.add_argument("--forward-to", metavar="URL", help="POST each event on to this URL")
    help_events = "event names or patterns (object_*); default: every event"
    listen.add_argument("--events", nargs="+", default=["*"], metavar="PATTERN", help=help_events)
    listen.add_argument("--secret", help="have the deliveries signed with this secret")
    help_port = "port to receive on (default: a free one)"
    listen.add_argument(
        "--port", dest="listen_port", type=int, default=0, metavar="PORT", help=help_port
    )
    help_host = (
        f"interface to receive on (default: {LOOPBACK}); 0.0.0.0 for every interface, so that "
        "an emulator in a docker container can deliver here"
    )
    listen.add_argument(
        "--host", dest="listen_host", default=LOOPBACK, metavar="HOST", help=help_host
    )
    help_url_host = (
        "host name the emulator delivers to, in the subscription's URL (default: --host, or "
        f"{LOOPBACK} for 0.0.0.0 and ::), e.g. host.docker.internal"
    )
    listen.add_argument("--url-host", metavar="NAME", help=help_url_host)
    _target(trigger, trigger_command)
    _target(listen, listen_command)


def _target(command: argparse.ArgumentParser, run: Any) -> None:
    """The options naming the running emulator and the app, shared by trigger and listen."""
    command.add_argument("--app-id", dest="target_app", metavar="APP_ID", help=HELP_APP)
    command.add_argument("--emulator-url", metavar="URL", help=HELP_URL)
    command.add_argument("--admin-token", metavar="TOKEN", help="the emulator's admin token")
    command.set_defaults(run=run)


class AdminClient:
    """Calls to a running emulator's admin API, sent by the webhooks module's sender."""

    def __init__(self, base_url: str, token: str | None, sender: Sender) -> None:
        self.base_url, self._token, self._sender = base_url.rstrip("/"), token, sender

    def call(self, method: str, path: str, body: Json | None = None) -> Json:
        """The data of an admin answer; a CommandError for no answer or an error answer."""
        headers = {"content-type": "application/json"}
        if self._token:
            headers["x-admin-token"] = self._token
        raw = b"" if body is None else orjson.dumps(body)
        out = Outgoing(method, self.base_url + path, raw, headers, TIMEOUT)
        answer = self._sender(out)
        if answer.status is None:
            raise CommandError(f"no emulator answers at {self.base_url}: {answer.error}")
        decoded = _admin_answer(out, answer)
        if decoded["code"] != 0:
            raise CommandError(f"{decoded['code']}: {decoded.get('msg')}")
        data: Json = decoded["data"]
        return data


def _admin_answer(out: Outgoing, answer: Attempt) -> Json:
    """The decoded admin envelope, or a CommandError naming the URL, the status and the text
    (a proxy's error page, another server on the port)."""
    try:
        decoded = orjson.loads(answer.response)
    except orjson.JSONDecodeError:
        decoded = None
    # An envelope: a code, and the data when the code says success.
    if isinstance(decoded, dict) and "code" in decoded and ("data" in decoded or decoded["code"]):
        return decoded
    text = " ".join(answer.response.split())[:ANSWER_SNIPPET] or "(empty)"
    raise CommandError(
        f"{out.method} {out.url} answered HTTP {answer.status}, not a jing-emulator admin "
        f"answer: {text}"
    )


def client_for(settings: Settings, args: argparse.Namespace, sender: Sender) -> AdminClient:
    """An admin client for the emulator the arguments (or the settings' host and port) name."""
    host = LOOPBACK if settings.host in WILDCARDS else settings.host
    url = args.emulator_url or f"http://{host}:{settings.port}"
    return AdminClient(url, settings.admin_token, sender)


def overrides(pairs: list[str]) -> Json:
    """FIELD=VALUE pairs as a dict; a VALUE that parses as JSON is that JSON, else text."""
    parsed: Json = {}
    for pair in pairs:
        field, equals, text = pair.partition("=")
        if not equals or not field:
            raise CommandError(f"--set {pair!r}: expected FIELD=VALUE")
        try:
            parsed[field] = orjson.loads(text)
        except orjson.JSONDecodeError:
            parsed[field] = text
    return parsed


def trigger_command(
    settings: Settings, args: argparse.Namespace, sender: Sender | None = None
) -> int:
    """Send an on-demand event through the running emulator; print its payload."""
    if sender is None:
        with closing(HttpSender()) as http:
            return trigger_command(settings, args, http)
    try:
        client = client_for(settings, args, sender)
        body: Json = {"event": args.event, "set": overrides(args.overrides)}
        if args.target_app:
            body["app_id"] = args.target_app
        sent = client.call("POST", "/_admin/webhooks/trigger", body)
    except CommandError as exc:
        print(f"jing-emulator trigger: {exc}", file=sys.stderr)
        return 1
    print(orjson.dumps(sent["payload"], option=orjson.OPT_INDENT_2).decode())
    print(f"queued for {len(sent['deliveries'])} subscription(s): {' '.join(sent['deliveries'])}")
    return 0


class Relay:
    """What the listener does with each delivery: print it, forward it, answer as the target."""

    def __init__(self, sender: Sender, forward_to: str | None, out: IO[str]) -> None:
        self._sender, self._forward_to, self._out = sender, forward_to, out
        self._lock = threading.Lock()

    def receive(self, headers: Mapping[str, str], body: bytes) -> tuple[int, bytes]:
        """Print one delivery; the status and body to answer the emulator with."""
        headers = {k.lower(): v for k, v in headers.items()}
        label = " ".join(headers.get(HEADER + k, "?") for k in ("event", "delivery", "attempt"))
        lines = [f"<- {label}", "   " + body.decode("utf-8", "replace")]
        status, text = 200, b"received"
        if self._forward_to:
            status, text, note = self._forward(headers, body)
            lines.append(f"-> {self._forward_to} {note}")
        with self._lock:  # one delivery's lines together
            print("\n".join(lines), file=self._out, flush=True)
        return status, text

    def _forward(self, headers: Mapping[str, str], body: bytes) -> tuple[int, bytes, str]:
        kept = {k: v for k, v in headers.items() if k not in HOP_BY_HOP}
        answer = self._sender(Outgoing("POST", str(self._forward_to), body, kept, TIMEOUT))
        if answer.status is None:
            return 502, str(answer.error).encode(), f"failed: {answer.error}"
        return answer.status, answer.response.encode(), str(answer.status)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        status, text = self.server.relay.receive(dict(self.headers.items()), body)
        self.send_response(status)
        self.send_header("content-type", "text/plain; charset=utf-8")
        self.send_header("content-length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the relay prints what matters."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, port: int, relay: Relay) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), _Handler)
        self.relay = relay


@dataclass(frozen=True, slots=True)
class Bind:
    """Where the receiver listens (port 0: a free one) and the host its subscription's URL
    names (by default the one it listens on; loopback for every interface)."""

    host: str = LOOPBACK
    port: int = 0
    url_host: str | None = None

    def url(self, port: int) -> str:
        """The URL the emulator delivers to, for the port bound."""
        host = self.url_host or (LOOPBACK if self.host in WILDCARDS else self.host)
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


class Listener:
    """An HTTP receiver (on loopback by default), subscribed to an app's events while it runs."""

    def __init__(self, client: AdminClient, relay: Relay, bind: Bind = Bind()) -> None:
        self._client, self._server = client, _Server(bind.host, bind.port, relay)
        host, port = self._server.server_address[:2]
        self.address = (str(host), int(port))  # as bound: the free port chosen, if asked for
        self.url = bind.url(port)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.subscription: Json = {}

    def start(self, events: list[str], app_id: str | None, secret: str | None) -> Json:
        """Serve, then subscribe to the events; the subscription."""
        self._thread.start()
        body: Json = {"url": self.url, "events": events}
        body |= {k: v for k, v in (("app_id", app_id), ("secret", secret)) if v}
        self.subscription = self._client.call("POST", "/_admin/webhooks/subscriptions", body)
        return self.subscription

    def close(self) -> None:
        """Unsubscribe (if the emulator still answers) and stop serving."""
        # Not subscribed (start failed), or the emulator has gone or was reset: nothing to undo.
        with suppress(CommandError):
            if self.subscription:
                self._client.call(
                    "DELETE", f"/_admin/webhooks/subscriptions/{self.subscription['id']}"
                )
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()


def listen_command(
    settings: Settings,
    args: argparse.Namespace,
    sender: Sender | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Subscribe a local receiver; print (and forward) each event until stopped (Ctrl-C)."""
    if sender is None:
        with closing(HttpSender()) as http, _until_terminated() as terminated:
            return listen_command(settings, args, http, stop or terminated)
    try:
        client = client_for(settings, args, sender)
        bind = Bind(args.listen_host, args.listen_port, args.url_host)
        listener = Listener(client, Relay(sender, args.forward_to, sys.stdout), bind)
    except OSError as exc:  # the port is taken, or the host is no interface of this machine
        print(f"jing-emulator listen: {exc}", file=sys.stderr)
        return 1
    try:
        return _listen(listener, args, stop or threading.Event())
    finally:
        listener.close()


@contextmanager
def _until_terminated() -> Iterator[threading.Event]:
    """An event SIGTERM sets (`kill` stops the listener as Ctrl-C does); the old handler after."""
    terminated = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: terminated.set())
    try:
        yield terminated
    finally:
        signal.signal(signal.SIGTERM, previous)


def _listen(listener: Listener, args: argparse.Namespace, stop: threading.Event) -> int:
    try:
        subscription = listener.start(args.events, args.target_app, args.secret)
        print(_ready(listener, subscription, args), flush=True)
        stop.wait()
    except CommandError as exc:
        print(f"jing-emulator listen: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C ends listening, as SIGTERM does: a clean exit
        pass
    return 0


def _ready(listener: Listener, subscription: Json, args: argparse.Namespace) -> str:
    target = f" -> {args.forward_to}" if args.forward_to else ""
    patterns, app_id = " ".join(subscription["events"]), subscription["app_id"]
    return (
        f"listening on {listener.url}{target} for {patterns} of app {app_id} "
        f"(subscription {subscription['id']}); Ctrl-C stops"
    )
