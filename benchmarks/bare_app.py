"""The reference server: a bare Starlette app that parses the JSON body and replies fixed JSON."""

from __future__ import annotations

import argparse

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

REPLY = orjson.dumps({"code": "10000", "msg": "success", "data": {}})


async def accept(request: Request) -> Response:
    orjson.loads(await request.body())
    return Response(REPLY, media_type="application/json")


def create_bare_app() -> Starlette:
    return Starlette(routes=[Route("/{path:path}", accept, methods=["POST"])])


def main() -> None:
    serve_on_stack(create_bare_app(), __doc__)


def serve_on_stack(app: Starlette, description: str | None) -> None:
    """Serve at --host/--port on the emulator's uvicorn stack: uvloop, httptools, one worker,
    log level warning."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        workers=1,
    )


if __name__ == "__main__":
    main()
