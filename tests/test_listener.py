"""The trigger and listen commands, against an emulator in-process or on a live loopback server."""

from __future__ import annotations

import argparse
import io
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import orjson
import pytest

from contract_tests.handle import EmulatorHandle
from contract_tests.live import serve_live
from emulator import cli
from emulator.app import dispatch
from emulator.core import Emulator, Request
from emulator.listener import (
    AdminClient,
    Bind,
    CommandError,
    Listener,
    Relay,
    listen_command,
    overrides,
    trigger_command,
)
from emulator.outbox import Attempt
from emulator.settings import Settings
from emulator.webhooks import HttpSender, Outgoing, Sender

WAIT = 10.0
RECEIVE_ON = {"listen_host": "127.0.0.1", "listen_port": 0, "url_host": None}  # the defaults


def inprocess(emulator: Emulator) -> Sender:
    """A sender answering every request from the emulator itself, as over the network."""

    def send(out: Outgoing) -> Attempt:
        path = "/" + out.url.split("/", 3)[3]
        request = Request(out.method, path, "", dict(out.headers), out.body, "127.0.0.1")
        response = dispatch(emulator, request)
        return Attempt(response.status, response.body.decode(), None, 0.1)

    return send


def trigger_args(event: str, *pairs: str, app: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(event=event, overrides=list(pairs), target_app=app, emulator_url=None)


def absent(out: Outgoing) -> Attempt:
    """A sender for an emulator that is not running: every connection is refused."""
    return Attempt(None, "", "ConnectError: refused", 0.1)


def test_values_are_json_when_they_parse_and_text_otherwise() -> None:
    parsed = overrides(["a.b=1", "c=text", 'd="1"', 'e={"x": [1]}', "f=", "g=a=b"])
    assert parsed == {"a.b": 1, "c": "text", "d": "1", "e": {"x": [1]}, "f": "", "g": "a=b"}
    for bad in ("novalue", "=1"):
        with pytest.raises(CommandError, match="expected FIELD=VALUE"):
            overrides([bad])


def test_trigger_prints_the_payload_and_where_it_was_queued(
    emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    collected: list[Any] = []
    emulator.webhooks.subscribe(
        emulator.tenants.default.app_id, "inprocess:t", receiver=collected.append
    )
    args = trigger_args("tracking_vst", "extra_data.scene=1047")
    assert trigger_command(Settings(), args, inprocess(emulator)) == 0
    out = capsys.readouterr().out
    payload = orjson.loads(out[: out.rindex("}") + 1])
    assert (payload["event_type"], payload["extra_data"]["scene"]) == ("tracking_vst", 1047)
    assert "queued for 1 subscription(s)" in out
    emulator.webhooks.run_due()
    assert [c["payload"] for c in collected] == [payload]


def test_trigger_reports_refusals_and_an_absent_emulator(
    emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert trigger_command(Settings(), trigger_args("object_create"), inprocess(emulator)) == 1
    assert "50008: object_create is not sent on demand" in capsys.readouterr().err
    assert trigger_command(Settings(), trigger_args("pageView", "x"), inprocess(emulator)) == 1
    assert "--set 'x': expected FIELD=VALUE" in capsys.readouterr().err
    settings = Settings(host="0.0.0.0", port=9999)
    assert trigger_command(settings, trigger_args("pageView", app="x"), absent) == 1
    assert "no emulator answers at http://127.0.0.1:9999: ConnectError" in capsys.readouterr().err


def test_the_admin_client_sends_the_admin_token(emulator: Emulator) -> None:
    seen: list[Outgoing] = []

    def record(out: Outgoing) -> Attempt:
        seen.append(out)
        return inprocess(emulator)(out)

    AdminClient("http://127.0.0.1:1/", "t0k", record).call("GET", "/_admin/health")
    assert seen[0].headers["x-admin-token"] == "t0k"
    assert seen[0].url == "http://127.0.0.1:1/_admin/health"


def test_relay_prints_each_delivery_and_answers_for_the_forward_target(
    capsys: pytest.CaptureFixture[str],
) -> None:
    forwarded: list[Outgoing] = []

    def target(out: Outgoing) -> Attempt:
        forwarded.append(out)
        return Attempt(202, "accepted", None, 1.0)

    headers = {"X-Jing-Emulator-Event": "pageView", "x-jing-emulator-delivery": "d1", "Host": "h"}
    relay = Relay(target, "http://localhost:3000/hook", sys.stdout)
    assert relay.receive(headers, b'{"a":1}') == (202, b"accepted")
    assert forwarded[0].headers == {
        "x-jing-emulator-event": "pageView",
        "x-jing-emulator-delivery": "d1",
    }
    assert capsys.readouterr().out.splitlines() == [
        "<- pageView d1 ?",
        '   {"a":1}',
        "-> http://localhost:3000/hook 202",
    ]


def test_relay_answers_502_when_the_forward_target_is_down() -> None:
    def down(out: Outgoing) -> Attempt:
        return Attempt(None, "", "ConnectError: refused", 1.0)

    relay = Relay(down, "http://localhost:3000/hook", io.StringIO())
    assert relay.receive({}, b"{}") == (502, b"ConnectError: refused")
    assert Relay(down, None, io.StringIO()).receive({}, b"{}") == (200, b"received")


def proxy_page(out: Outgoing) -> Attempt:
    """A sender for a proxy in front of a stopped emulator: an HTML error page."""
    return Attempt(502, "<html>\n<h1>502 Bad Gateway</h1>\n</html>", None, 0.1)


def test_an_answer_that_is_not_json_is_an_error_naming_the_url_and_status() -> None:
    client = AdminClient("http://proxy.test:8080", None, proxy_page)
    with pytest.raises(CommandError) as refused:
        client.call("GET", "/_admin/health")
    assert str(refused.value) == (
        "GET http://proxy.test:8080/_admin/health answered HTTP 502, not a jing-emulator admin "
        "answer: <html> <h1>502 Bad Gateway</h1> </html>"
    )


@pytest.mark.parametrize("text", ["", "[0]", '{"ok": true}', '{"code": 0, "msg": "ok"}'])
def test_json_that_is_not_an_admin_envelope_is_refused_the_same_way(text: str) -> None:
    client = AdminClient("http://x.test", None, lambda out: Attempt(200, text, None, 0.1))
    with pytest.raises(CommandError, match=r"^POST http://x.test/_admin/reset answered HTTP 200"):
        client.call("POST", "/_admin/reset")


def test_the_commands_exit_1_with_the_message_and_no_traceback_for_such_an_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = trigger_args("pageView")
    args.emulator_url = "http://proxy.test"
    assert trigger_command(Settings(), args, proxy_page) == 1
    err = capsys.readouterr().err
    assert err.startswith("jing-emulator trigger: POST http://proxy.test/_admin/webhooks/trigger")
    assert "HTTP 502" in err
    assert "Traceback" not in err
    listen = argparse.Namespace(
        forward_to=None, events=["*"], secret=None, target_app=None, **RECEIVE_ON
    )
    listen.emulator_url = "http://proxy.test"
    assert listen_command(Settings(), listen, proxy_page) == 1
    err = capsys.readouterr().err
    assert err.startswith("jing-emulator listen: POST http://proxy.test/_admin/webhooks/subs")
    assert "HTTP 502" in err


@pytest.fixture(scope="module")
def live() -> Iterator[EmulatorHandle]:
    with serve_live() as handle:
        yield handle


def test_trigger_command_line_reaches_a_live_emulator(
    live: EmulatorHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["trigger", "pageView", "--emulator-url", live.base_url]) == 0
    assert '"event_type": "pageView"' in capsys.readouterr().out


class Forwarded:
    """A sender: the forward target (records, answers 200) and the live emulator (over HTTP)."""

    received: list[Outgoing]

    def __init__(self) -> None:
        self.http, self.received, self.arrived = HttpSender(), [], threading.Event()

    def close(self) -> None:
        self.http.close()

    def __call__(self, out: Outgoing) -> Attempt:
        if not out.url.startswith(TARGET):
            return self.http(out)
        self.received.append(out)
        self.arrived.set()
        return Attempt(200, "ok", None, 1.0)


TARGET = "http://forward.test/hook"


def listen_args(live: EmulatorHandle, **changes: Any) -> argparse.Namespace:
    args = {"forward_to": TARGET, "events": ["page*"], "secret": "k", **RECEIVE_ON}
    return argparse.Namespace(**{**args, **changes}, target_app=None, emulator_url=live.base_url)


def subscriptions(live: EmulatorHandle) -> list[Any]:
    with closing(HttpSender()) as http:
        client = AdminClient(live.base_url, None, http)
        return list(client.call("GET", "/_admin/webhooks/subscriptions")["subscriptions"])


@pytest.fixture
def forwarded() -> Iterator[Forwarded]:
    with closing(Forwarded()) as sender:
        yield sender


def test_listener_prints_and_forwards_each_event_then_unsubscribes(
    live: EmulatorHandle, capsys: pytest.CaptureFixture[str], forwarded: Forwarded
) -> None:
    sender = forwarded
    client = AdminClient(live.base_url, None, sender)
    listener = Listener(client, Relay(sender, TARGET, sys.stdout))
    try:
        listener.start(["page*"], None, "k")
        assert [s["url"] for s in subscriptions(live)] == [listener.url]
        sent = client.call("POST", "/_admin/webhooks/trigger", {"event": "pageView"})
        assert sender.arrived.wait(WAIT)
        live.emulator.webhooks.run_due()  # returns once the listener has printed and answered
    finally:
        listener.close()
    assert orjson.loads(sender.received[0].body) == sent["payload"]
    assert sender.received[0].headers["x-jing-emulator-signature"].startswith("t=")
    out = capsys.readouterr().out
    assert f"<- pageView {sent['deliveries'][0]} 1" in out
    assert f"-> {TARGET} 200" in out
    assert subscriptions(live) == []


class Interrupted(threading.Event):
    def wait(self, timeout: float | None = None) -> bool:
        raise KeyboardInterrupt


@pytest.mark.parametrize("stop", [threading.Event, Interrupted])
def test_listen_runs_until_stopped_or_interrupted_and_cleans_up(
    live: EmulatorHandle,
    capsys: pytest.CaptureFixture[str],
    stop: type[threading.Event],
    forwarded: Forwarded,
) -> None:
    stopped = stop()
    stopped.set()
    assert listen_command(Settings(), listen_args(live), forwarded, stopped) == 0
    out = capsys.readouterr().out
    assert "listening on http://127.0.0.1:" in out
    assert f"-> {TARGET} for page* of app {live.app_id}" in out
    assert subscriptions(live) == []


def test_listen_reports_an_absent_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(
        forward_to=None,
        events=["*"],
        secret=None,
        **RECEIVE_ON,
        target_app=None,
        emulator_url="http://127.0.0.1:9",
    )
    assert listen_command(Settings(), args, absent) == 1
    assert "no emulator answers" in capsys.readouterr().err
    assert cli.main(["listen", "--emulator-url", "http://127.0.0.1:9"]) == 1
    assert "jing-emulator listen: no emulator answers" in capsys.readouterr().err


def test_listen_reports_a_port_in_use(
    live: EmulatorHandle, capsys: pytest.CaptureFixture[str], forwarded: Forwarded
) -> None:
    port = int(live.base_url.rsplit(":", 1)[1])
    assert listen_command(Settings(), listen_args(live, listen_port=port), forwarded) == 1
    assert "Address already in use" in capsys.readouterr().err


def test_listen_receives_on_loopback_unless_told_otherwise() -> None:
    args = cli._parser().parse_args(["listen"])
    assert (args.listen_host, args.listen_port, args.url_host) == ("127.0.0.1", 0, None)
    listener = Listener(AdminClient("http://x.test", None, absent), Relay(absent, None, sys.stdout))
    try:
        assert listener.address[0] == "127.0.0.1"
        assert listener.url == f"http://127.0.0.1:{listener.address[1]}/"
    finally:
        listener.close()


def test_listen_host_binds_every_interface_and_subscribes_a_url_the_emulator_reaches(
    live: EmulatorHandle, capsys: pytest.CaptureFixture[str], forwarded: Forwarded
) -> None:
    client = AdminClient(live.base_url, None, forwarded)
    listener = Listener(client, Relay(forwarded, TARGET, sys.stdout), Bind("0.0.0.0"))
    try:
        listener.start(["page*"], None, None)
        assert listener.address[0] == "0.0.0.0"
        assert [s["url"] for s in subscriptions(live)] == [listener.url]
        assert listener.url == f"http://127.0.0.1:{listener.address[1]}/"
        client.call("POST", "/_admin/webhooks/trigger", {"event": "pageView"})
        assert forwarded.arrived.wait(WAIT)
        live.emulator.webhooks.run_due()
    finally:
        listener.close()
    assert "<- pageView" in capsys.readouterr().out


def test_listen_url_host_names_this_machine_as_the_emulator_sees_it(
    live: EmulatorHandle, capsys: pytest.CaptureFixture[str], forwarded: Forwarded
) -> None:
    args = listen_args(live, listen_host="0.0.0.0", url_host="host.docker.internal")
    stopped = threading.Event()
    stopped.set()
    assert listen_command(Settings(), args, forwarded, stopped) == 0
    assert "listening on http://host.docker.internal:" in capsys.readouterr().out
    assert Bind("0.0.0.0", 8000, "host.docker.internal").url(8000) == (
        "http://host.docker.internal:8000/"
    )


def test_an_ipv6_host_is_bound_and_written_in_brackets() -> None:
    client = AdminClient("http://x.test", None, absent)
    listener = Listener(client, Relay(absent, None, sys.stdout), Bind("::1"))
    try:
        assert listener.url == f"http://[::1]:{listener.address[1]}/"
    finally:
        listener.close()
    assert Bind("::").url(9) == "http://127.0.0.1:9/"


def test_listen_reports_a_host_that_is_no_interface_here(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = argparse.Namespace(
        forward_to=None, events=["*"], secret=None, target_app=None, emulator_url="http://x.test"
    )
    vars(args).update(RECEIVE_ON, listen_host="192.0.2.1")  # TEST-NET-1: no machine's address
    assert listen_command(Settings(), args, absent) == 1
    assert capsys.readouterr().err.startswith("jing-emulator listen: [Errno")


def test_listen_help_documents_the_host(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["listen", "--help"])
    usage = " ".join(capsys.readouterr().out.split())
    assert "--host HOST interface to receive on (default: 127.0.0.1); 0.0.0.0" in usage
    assert "--url-host NAME host name the emulator delivers to" in usage
