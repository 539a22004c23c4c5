"""python -m benchmarks.profile WORKLOAD: where an in-process call spends its time.

Serves one workload many times through the emulator's dispatch (the path both the ASGI shell
and the plugin's route take) under pyinstrument, and prints the call tree. Under HTTP load,
attach py-spy to the server instead (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import sys

from pyinstrument import Profiler

from benchmarks.workload import (
    GROUP_ID,
    UPDATE_PATH,
    Workload,
    bodies,
    check_update,
    import_workload,
    query_workload,
    update_workload,
)
from emulator.app import create_app, dispatch
from emulator.core import Emulator, Request
from emulator.settings import Settings

WORKLOADS = ("update100", "update1", "import", "query")


def prepare(name: str) -> tuple[Emulator, Request]:
    """A fresh emulator holding the workload's users and group, and the request to repeat."""
    emulator: Emulator = create_app(
        Settings(seed=1, rate_limits="warn", seed_data="none")
    ).state.emulator
    app_id = emulator.settings.app_id
    token = emulator.tenants.tokens.issue(app_id)["access_token"]
    headers = {"content-type": "application/json", "app_id": app_id, "access_token": token}
    big = bodies()[0]
    stored = dispatch(emulator, Request("POST", UPDATE_PATH, "", headers, big.payload))
    uuids = check_update(stored.status, stored.body, big)
    emulator.seed(app_id, {"groups": [{"group_id": GROUP_ID, "name": "bench"}]})
    work = _workload(name, uuids)
    request = Request("POST", work.path, "", headers, work.payload, "127.0.0.1")
    first = dispatch(emulator, request)
    work.check(first.status, first.body)
    return emulator, request


def _workload(name: str, uuids: list[str]) -> Workload:
    big, one = bodies()
    if name == "import":
        return import_workload(uuids)
    if name == "query":
        return query_workload(big.users)
    return update_workload(big if name == "update100" else one)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("workload", choices=WORKLOADS)
    parser.add_argument("--calls", type=int, default=2000, help="calls profiled")
    parser.add_argument("--interval", type=float, default=0.0001, help="sampling interval, s")
    args = parser.parse_args(argv)
    emulator, request = prepare(args.workload)
    profiler = Profiler(interval=args.interval)
    with profiler:
        for _ in range(args.calls):
            dispatch(emulator, request)
    print(profiler.output_text(unicode=True, color=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
