"""README.md runs as written: its python blocks under pytest, its tour against a live server.

The blocks are read from README.md when the tests are collected, so every block added later runs
too. How a fenced block is run, by its language and the HTML comment on the line before it:

- ```python defining `def test_...`: written to a test file and run with the pytest plugin
  (pytester); each of its tests must pass. Any other ```python block is executed.
- `<!-- readme-test: prelude NAME -->`: the block runs after PRELUDES[NAME], the names a fragment
  takes as given (a receiver's request, the reader's client). Prefer this to a skip.
- `<!-- readme-test: skip REASON -->`: not run; pytest reports the reason. Keep these few.
- ```sh in the section "Quick tour with curl", or after `<!-- readme-test: live -->`: run by bash
  against `jing-emulator serve` on a free port (localhost:8080 becomes that port). A command
  followed by a `# {...}` line must print JSON matching it: `"…"` matches any value, and `…` as the
  last member of an object or array allows more members. Other shell blocks are not run.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import served

README = Path(__file__).resolve().parent.parent / "README.md"
TOUR = "Quick tour with curl"
MARKER = re.compile(r"^<!--\s*readme-test:\s*(skip|prelude|live)\b\s*(.*?)\s*-->$")
FENCE = re.compile(r"^```(\w*)\s*$")
ANY = "…"
STEP = "@@readme-step {}@@"


@dataclass(frozen=True, slots=True)
class Block:
    line: int  # where its fence opens, 1-based
    language: str
    section: str
    text: str
    marker: tuple[str, str] | None  # (skip | prelude | live, its argument)

    @property
    def id(self) -> str:
        return f"README.md:{self.line}"


def blocks(text: str) -> list[Block]:
    """Every fenced block of a markdown text, with its section and the marker before it."""
    found, section, lines = [], "", text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        section = line.lstrip("#").strip() if line.startswith("## ") else section
        fence = FENCE.match(line)
        if fence and fence.group(1):
            end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
            body = "\n".join(lines[index + 1 : end]) + "\n"
            found.append(Block(index + 1, fence.group(1), section, body, _marker(lines, index)))
            index = end
        index += 1
    return found


def _marker(lines: list[str], index: int) -> tuple[str, str] | None:
    before = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
    match = MARKER.match(before.strip())
    return (match.group(1), match.group(2)) if match else None


def matches(expected: Any, actual: Any) -> bool:
    """Whether an answer fits a commented one: "…" is any value, a last … allows more members."""
    if expected == ANY:
        return True
    if isinstance(expected, dict):
        more = expected.get(ANY) == ANY
        keys = set(expected) - {ANY}
        if not isinstance(actual, dict) or not keys <= set(actual):
            return False
        return (more or keys == set(actual)) and all(matches(expected[k], actual[k]) for k in keys)
    if isinstance(expected, list):
        more = bool(expected) and expected[-1] == ANY
        items = expected[:-1] if more else expected
        if not isinstance(actual, list) or len(actual) < len(items):
            return False
        return (more or len(actual) == len(items)) and all(map(matches, items, actual))
    return bool(expected == actual)


def expected_json(comment: str) -> Any:
    """A commented answer as JSON: a bare … member or item becomes "…" (":" "…" in objects)."""
    text = re.sub(r",\s*…\s*}", f',"{ANY}":"{ANY}"}}', comment)
    text = re.sub(r",\s*…\s*]", f',"{ANY}"]', text)
    text = re.sub(r":\s*…(?=\s*[,}])", f':"{ANY}"', text)
    return json.loads(text)


def steps(script: str) -> list[tuple[str, str | None]]:
    """The commands of a shell block, each with the answer commented after it, if any."""
    found: list[tuple[str, str | None]] = []
    command: list[str] = []
    for line in script.splitlines():
        if line.startswith("# {") and found and not command:
            found[-1] = (found[-1][0], line[2:])
        elif command or (line.strip() and not line.startswith("#")):
            command.append(line)
            if not line.endswith("\\"):
                found.append(("\n".join(command), None))
                command = []
    return found


PRELUDES = {
    # What a webhook receiver holds: the body and headers of a delivery signed with s3cret.
    "signed_delivery": """
from emulator.webhooks import sign

request_body_bytes = b'{"event": "object_create"}'
headers = {"x-jing-emulator-signature": sign("s3cret", 1767225600, request_body_bytes)}
""",
    # The reader's client in the webhook example: it signs a user up through httpx.
    "my_client": """
import httpx
import pytest


class SignUps:
    headers: dict[str, str] = {}

    def sign_up(self, mobile):
        item = {"identities": [{"type": "mobile", "value": mobile}]}
        url = "https://jingopenapi.jingsocial.com/v1/user/update"
        httpx.post(url, json=[item], headers=self.headers).raise_for_status()


my_client = SignUps()


@pytest.fixture(autouse=True)
def _my_client_credentials(jing_emulator):
    my_client.headers = jing_emulator.headers
""",
}

ALL = blocks(README.read_text(encoding="utf-8"))
PYTHON = [b for b in ALL if b.language == "python"]
LIVE = [
    b
    for b in ALL
    if b.language in ("sh", "bash") and (b.section == TOUR or (b.marker or ("",))[0] == "live")
]


def source_of(block: Block) -> str:
    """The block's code, after its prelude; skipped with the marker's reason."""
    kind, argument = block.marker or ("", "")
    if kind == "skip":
        pytest.skip(f"{block.id}: {argument or 'marked skip'}")
    if kind != "prelude":
        return block.text
    assert argument in PRELUDES, f"{block.id}: no prelude {argument!r} in tests/test_readme.py"
    return PRELUDES[argument] + "\n" + block.text


@pytest.mark.parametrize("block", PYTHON, ids=[b.id for b in PYTHON])
def test_python_block_runs(block: Block, pytester: pytest.Pytester) -> None:
    source = source_of(block)
    tests = len(re.findall(r"^(?:async )?def test_", source, re.MULTILINE))
    if not tests:
        exec(compile(source, block.id, "exec"), {"__name__": "readme"})
        return
    pytester.makepyfile(test_readme_block=source)
    result = pytester.runpytest("-W", "error", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=tests)


@pytest.mark.skipif(
    shutil.which("curl") is None, reason="the tour uses curl (apt-get install curl)"
)
@pytest.mark.parametrize("block", LIVE, ids=[b.id for b in LIVE])
def test_shell_block_answers_as_commented(block: Block, tmp_path: Path) -> None:
    commands = steps(source_of(block))
    with served.serve(tmp_path / "port", "--quiet") as server:
        script = "set -eu\n" + "".join(
            f"{command}\nprintf '\\n{STEP.format(n)}\\n'\n"
            for n, (command, _) in enumerate(commands)
        )
        script = script.replace("localhost:8080", f"127.0.0.1:{server.port}")
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{block.id} failed:\n{done.stderr}"
    outputs = re.split(r"\n?@@readme-step \d+@@\n", done.stdout)
    for (command, comment), output in zip(commands, outputs, strict=False):
        if comment is not None:
            answer = json.loads(output)
            assert matches(expected_json(comment), answer), f"{command}\n-> {output}"
    assert any(comment for _, comment in commands), f"{block.id}: no commented answer to check"


def test_commented_answers_match_structurally() -> None:
    expected = expected_json('{"code":"1","data":{"list":[{"id":"…",…}],"more":…},…}')
    assert matches(expected, {"code": "1", "data": {"list": [{"id": 7, "x": 1}], "more": []}})
    assert not matches(expected, {"code": "2", "data": {"list": [{"id": 7}], "more": 0}})
    assert not matches(expected, {"code": "1", "data": {"list": [], "more": 0}})
    exact = expected_json('{"list":[1],"n":0}')
    assert not matches(exact, {"list": [1], "n": 0, "extra": 1})
    assert not matches(exact, {"list": [1, 2], "n": 0})
    assert matches(expected_json('{"list":[1,…]}'), {"list": [1, 2]})


def test_blocks_carry_their_section_and_marker() -> None:
    text = "## A\n<!-- readme-test: skip why -->\n\n```python\nx = 1\n```\n```\nplain\n```\n"
    [block] = blocks(text)
    assert (block.line, block.section, block.marker, block.text) == (
        4,
        "A",
        ("skip", "why"),
        "x = 1\n",
    )
    assert steps('A=1\n# a note\ncurl x \\\n  -d y\n# {"a":1}\n') == [
        ("A=1", None),
        ("curl x \\\n  -d y", '{"a":1}'),
    ]


def test_the_readme_has_the_blocks_these_tests_run() -> None:
    assert len(PYTHON) >= 4
    assert LIVE
    assert all(b.marker is None or b.marker[0] in ("skip", "prelude", "live") for b in ALL)
