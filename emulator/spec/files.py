"""The files under schemas/: where they are, and reading one with every $ref inlined."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from emulator.conventions import Json

_HERE = Path(__file__).resolve().parent.parent
SCHEMAS_DIR = next(p for p in (_HERE / "schemas", _HERE.parent / "schemas") if p.is_dir())
DRAFT7 = "http://json-schema.org/draft-07/schema#"


class CatalogueError(ValueError):
    """The catalogue or one of its schemas is unusable; the message names the file and field."""


class Loader:
    """Reads JSON files under the roots and inlines every $ref, so each schema stands alone."""

    def __init__(self, root: Path, overlay: Path | None = None) -> None:
        self.root, self.overlay = root, overlay
        if overlay is not None and not overlay.is_dir():
            raise CatalogueError(f"schemas overlay {overlay}: not a directory")

    def find(self, relative: str) -> Path | None:
        """The file at a path relative to the schemas: the overlay's if it has one."""
        for root in (self.overlay, self.root):
            if root is not None and (root / relative).is_file():
                return root / relative
        return None

    def json(self, path: Path) -> Json:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CatalogueError(f"{self.name(path)}: {exc}") from None
        if not isinstance(data, dict):
            raise CatalogueError(f"{self.name(path)}: expected a JSON object")
        return data

    def schema(self, path: Path) -> Json:
        inlined = self._inline(self.json(path), path, ())
        return {"$schema": DRAFT7, **inlined}

    def _inline(self, node: Any, path: Path, seen: tuple[Path, ...]) -> Any:
        if isinstance(node, list):
            return [self._inline(item, path, seen) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return self._follow(node, path, seen)
        return {k: self._inline(v, path, seen) for k, v in node.items() if k != "$schema"}

    def _follow(self, node: Json, path: Path, seen: tuple[Path, ...]) -> Any:
        target = self._target(path, str(node["$ref"]))
        if target in seen:
            raise CatalogueError(f"{self.name(path)}: $ref cycle through {self.name(target)}")
        if not target.is_file():
            raise CatalogueError(f"{self.name(path)}: $ref {node['$ref']!r} names no file")
        return self._inline(self.json(target), target, (*seen, target))

    def _target(self, path: Path, ref: str) -> Path:
        """A $ref from an overlay file may name one of our files by the same relative path."""
        target = (path.parent / ref).resolve()
        for root in (self.overlay, self.root):
            if root is not None and not target.is_file() and target.is_relative_to(root.resolve()):
                return self.find(str(target.relative_to(root.resolve()))) or target
        return target

    def name(self, path: Path) -> str:
        """A path as error messages show it: relative to the schemas' parent when inside it."""
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)
