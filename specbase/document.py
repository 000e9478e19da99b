"""YAML documents that remember the line of every field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from specbase.errors import SpecError, join_path


@dataclass(frozen=True)
class Document:
    """Parsed YAML data with the source file and a field-path -> line index."""

    file: str
    data: Any
    lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, path: str) -> int | None:
        """Line of ``path`` or of its nearest ancestor that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""


def load_document(path: str | Path) -> Document:
    """Read and parse a YAML file; syntax errors name the file and line."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise SpecError.single(str(path), "", f"cannot read file: {exc.strerror or exc}") from None
    return parse_document(text, str(path))


def parse_document(text: str, file: str) -> Document:
    """Parse YAML text; the document must be a mapping."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise SpecError.single(file, "", f"YAML syntax error: {exc.problem}", line=line) from None
    except yaml.YAMLError as exc:
        raise SpecError.single(file, "", f"YAML error: {exc}") from None
    if not isinstance(data, dict):
        raise SpecError.single(file, "", "the file must contain a YAML mapping at the top level",
                               line=1, allowed="a mapping such as 'name: ...'")
    lines: dict[str, int] = {}
    _index_lines(node, (), lines)
    return Document(file=file, data=data, lines=lines)


def _index_lines(node: yaml.Node | None, parts: tuple, lines: dict[str, int]) -> None:
    if node is None:
        return
    lines[join_path(parts)] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _index_lines(value, (*parts, key.value), lines)
            lines.setdefault(join_path((*parts, key.value)), key.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*parts, index), lines)
