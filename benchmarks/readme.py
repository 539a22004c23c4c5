"""The short results table in the README's Performance section, between its markers.

The marker names hold a hyphen, so the generator of the other tables (emulator/docs.py)
leaves them alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

START = "<!-- benchmark-results:start -->"
END = "<!-- benchmark-results:end -->"
COMMAND = "make bench"


def update(readme: Path, data: dict[str, Any]) -> bool:
    """Replace the text between the markers; False (file untouched) if they are missing."""
    text = readme.read_text(encoding="utf-8")
    head, found, rest = text.partition(START)
    _, found_end, tail = rest.partition(END)
    if not (found and found_end):
        return False
    readme.write_text(f"{head}{START}\n{section(data)}\n{END}{tail}", encoding="utf-8")
    return True


def section(data: dict[str, Any]) -> str:
    """The markdown: how and where it ran, the HTTP table, then every target's verdict."""
    lines = [_where(data), ""]
    if data["http"]:
        lines += [*_http(data["http"]), ""]
    if data["scale"]:
        lines += [_lookups(data["scale"]), ""]
    lines += ["| target | this run | met |", "|---|---|---|"]
    lines += [
        f"| {v['target']} | {v['figure']} | {'yes' if v['met'] else '**no**'} |"
        for v in data["targets"]
    ]
    return "\n".join(lines)


def _where(data: dict[str, Any]) -> str:
    box, config = data["machine"], data["config"]
    load = (
        f"{config['load_tool']}, {config['threads']} threads, {config['connections']} "
        f"connections, {config['rounds']} rounds of {config['seconds']} s, servers interleaved"
    )
    return (
        f"Measured with `{COMMAND}` on {data['date'][:10]} at commit {box['commit'][:10]}: "
        f"{box['nproc']} cores ({box['cpu']}), {box['platform']}, Python {box['python']}; "
        f"load: {load}; Prism: {config['prism']}."
    )


def _http(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| workload | body | req/s: emulator / Prism / bare | emulator / bare | "
        "emulator / Prism | p50 / p99 ms: emulator; Prism; bare |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        servers, ratios = result["servers"], result["ratios"]
        rates = " / ".join(_rate(servers, s) for s in ("emulator", "prism", "bare"))
        latency = "; ".join(_latency(servers, s) for s in ("emulator", "prism", "bare"))
        lines.append(
            f"| {result['workload']} | {result['body_bytes']:,} B | {rates} | "
            f"{_ratio(ratios, 'emulator/bare')} | {_ratio(ratios, 'emulator/prism')} | {latency} |"
        )
    return lines


def _rate(servers: dict[str, Any], server: str) -> str:
    return f"{servers[server]['median_requests_per_s']:.0f}" if server in servers else "-"


def _latency(servers: dict[str, Any], server: str) -> str:
    if server not in servers:
        return "-"
    return f"{servers[server]['median_p50_ms']:.1f} / {servers[server]['median_p99_ms']:.1f}"


def _ratio(ratios: dict[str, Any], pair: str) -> str:
    return f"{ratios[pair]['paired']:.2f}" if pair in ratios else "-"


def _lookups(scale: dict[str, Any]) -> str:
    finds = ", ".join(f"{f['find_ns']:.0f} ns ({f['users']:,} users)" for f in scale["lookups"])
    return (
        f"Find a user by identity: {finds}. Seeding {scale['seeded_users']:,} users took "
        f"{scale['seed_s']:.1f} s; {scale['bytes_per_user']:.0f} bytes per stored user "
        f"(tracemalloc, {scale['memory_users']:,} users)."
    )
