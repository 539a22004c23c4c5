"""A `jing-emulator serve` subprocess on a free port, read as a script would read it."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("jing-emulator")
LINE_TIMEOUT = 30.0  # a cold start seeds the demo data; a line never printed fails the test
STOP_TIMEOUT = 10.0


class Served:
    """The running command: its port (from --port-file) and the lines it prints, in order."""

    def __init__(self, process: subprocess.Popen[str], port_file: Path) -> None:
        self.process, self.port_file = process, port_file
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()
        self.banner = self.until("  admin:")  # the banner's last line comes before any request
        self.port = int(port_file.read_text())
        self.base_url = f"http://127.0.0.1:{self.port}"

    def read(self) -> None:
        """Feed the queue from stdout until it closes (the reader thread's target)."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def next_line(self) -> str:
        """The next line printed; fails if the process ends or stays silent too long."""
        line = self.lines.get(timeout=LINE_TIMEOUT)
        assert line is not None, f"serve exited with {self.process.wait()} before printing more"
        return line

    def log_line(self) -> str:
        """The next access-log line, past any banner lines (they are indented)."""
        line = self.next_line()
        while line.startswith("  "):
            line = self.next_line()
        return line

    def until(self, prefix: str) -> str:
        """Every line printed up to and including the first that starts with prefix."""
        seen = [self.next_line()]
        while not seen[-1].startswith(prefix):
            seen.append(self.next_line())
        return "".join(seen)

    def stop(self) -> str:
        """Stop the server; what it printed after the last line read."""
        self.process.terminate()
        self.process.wait(timeout=STOP_TIMEOUT)
        rest = iter(lambda: self.lines.get(timeout=LINE_TIMEOUT), None)
        return "".join(rest)


def command(port_file: Path, *flags: str) -> list[str]:
    """serve on a free loopback port that it writes to port_file."""
    return [str(SCRIPT), "serve", "--port", "0", "--port-file", str(port_file), *flags]


@contextmanager
def serve(port_file: Path, *flags: str) -> Iterator[Served]:
    """jing-emulator serve --port 0 --port-file FILE FLAGS..., stopped after the block."""
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    with subprocess.Popen(command(port_file, *flags), **pipes) as process:  # type: ignore[call-overload]
        try:
            server = Served(process, port_file)
        except BaseException:
            process.kill()
            raise
        try:
            yield server
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=STOP_TIMEOUT)
            server.reader.join(timeout=STOP_TIMEOUT)
