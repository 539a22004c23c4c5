"""A webhook receiver for the benchmarks: answers 200 to every POST, counts the distinct event
ids it got, and tells them at GET /stats. Its own process, so it never shares a CPU lock."""

from __future__ import annotations

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from benchmarks.bare_app import serve_on_stack

EVENT_ID = "x-jing-emulator-event-id"


class Tally:
    """The deliveries received: how many, and of how many distinct events."""

    def __init__(self) -> None:
        self.received = 0
        self.events: set[str] = set()

    async def accept(self, request: Request) -> Response:
        await request.body()
        event_id = request.headers.get(EVENT_ID)
        if event_id is not None:
            self.received += 1
            self.events.add(event_id)
        return Response(b"ok")

    async def stats(self, _: Request) -> Response:
        body = {"received": self.received, "events": len(self.events)}
        return Response(orjson.dumps(body), media_type="application/json")


def create_receiver() -> Starlette:
    tally = Tally()
    return Starlette(
        routes=[
            Route("/stats", tally.stats, methods=["GET"]),
            Route("/{path:path}", tally.accept, methods=["POST"]),
        ]
    )


def main() -> None:
    serve_on_stack(create_receiver(), __doc__)


if __name__ == "__main__":
    main()
