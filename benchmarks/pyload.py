"""The fallback load generator when wrk is missing: keep-alive HTTP/1.1 clients on asyncio."""

from __future__ import annotations

import asyncio
import statistics
import time
from urllib.parse import urlsplit

from benchmarks.load import LoadConfig, Sample, Target


def run_python(target: Target, config: LoadConfig) -> Sample:
    """Like wrk -c N -d S, from one Python process (so slower, and sharing the CPUs)."""
    return asyncio.run(_run(target, config))


async def _run(target: Target, config: LoadConfig) -> Sample:
    url = urlsplit(target.url)
    request = _request_bytes(target, url.hostname or "127.0.0.1", url.path or "/")
    deadline = time.perf_counter() + config.seconds
    start = time.perf_counter()
    runs = [
        _connection(url.hostname or "127.0.0.1", url.port or 80, request, deadline)
        for _ in range(config.connections)
    ]
    results = await asyncio.gather(*runs)
    elapsed = time.perf_counter() - start
    latencies = sorted(t for times, _ in results for t in times)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Sample(
        len(latencies) / elapsed,
        cuts[49] * 1000,
        cuts[98] * 1000,
        len(latencies),
        sum(errors for _, errors in results),
    )


def _request_bytes(target: Target, host: str, path: str) -> bytes:
    body = target.body_file.read_bytes()
    headers = {"Host": host, **target.headers, "Content-Length": str(len(body))}
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return f"POST {path} HTTP/1.1\r\n{head}\r\n".encode("latin-1") + body


async def _connection(
    host: str, port: int, request: bytes, deadline: float
) -> tuple[list[float], int]:
    reader, writer = await asyncio.open_connection(host, port)
    times: list[float] = []
    errors = 0
    try:
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            writer.write(request)
            status = await _read_response(reader)
            times.append(time.perf_counter() - sent)
            errors += not 200 <= status < 400
    finally:
        writer.close()
    return times, errors


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one response (Content-Length or chunked body) and return its status."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
    status = int(head.split(" ", 2)[1])
    lengths = [
        line.split(":", 1)[1] for line in head.split("\r\n") if line.startswith("content-length:")
    ]
    if lengths:
        await reader.readexactly(int(lengths[0]))
    elif "transfer-encoding: chunked" in head:
        await _read_chunks(reader)
    return status


async def _read_chunks(reader: asyncio.StreamReader) -> None:
    while True:
        size = int((await reader.readline()).split(b";")[0].strip(), 16)
        await reader.readexactly(size + 2)  # the chunk and its CRLF; the last chunk is empty
        if size == 0:
            return
