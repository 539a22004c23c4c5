"""JUnit XML (the format CI systems read), written with the standard library."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class JunitCase:
    """One test case: passed, failed (message and details) or skipped (reason)."""

    classname: str
    name: str
    seconds: float = 0.0
    failure: str | None = None
    details: str = ""
    skipped: str | None = None


def document(suite: str, cases: list[JunitCase]) -> ET.ElementTree:
    """A <testsuites> document holding one <testsuite> of the cases."""
    root = ET.Element("testsuites")
    counts = {
        "tests": len(cases),
        "failures": sum(c.failure is not None for c in cases),
        "skipped": sum(c.skipped is not None for c in cases),
        "errors": 0,
        "time": round(sum(c.seconds for c in cases), 3),
    }
    node = ET.SubElement(
        root, "testsuite", {"name": suite, **{k: str(v) for k, v in counts.items()}}
    )
    for case in cases:
        _case(node, case)
    return ET.ElementTree(root)


def _case(suite: ET.Element, case: JunitCase) -> None:
    attributes = {"classname": case.classname, "name": case.name, "time": f"{case.seconds:.3f}"}
    node = ET.SubElement(suite, "testcase", attributes)
    if case.failure is not None:
        ET.SubElement(node, "failure", {"message": case.failure}).text = case.details
    elif case.skipped is not None:
        ET.SubElement(node, "skipped", {"message": case.skipped})


def write(path: Path, suite: str, cases: list[JunitCase]) -> None:
    """Write the document to a file (its folder is created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = document(suite, cases)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
