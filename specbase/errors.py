"""Errors that name the file, the field path, the line and what is allowed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spec file."""

    file: str
    path: str
    message: str
    line: int | None = None
    allowed: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.path}:" if self.path else ""
        allowed = f" (allowed: {self.allowed})" if self.allowed else ""
        return f"{where}:{field} {self.message}{allowed}"


class SpecError(Exception):
    """All problems found in one or more spec files, reported together."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])

    @classmethod
    def single(cls, file: str, path: str, message: str, *, line: int | None = None,
               allowed: str | None = None) -> SpecError:
        return cls([Problem(file, path, message, line, allowed)])


def join_path(parts: Iterable[object]) -> str:
    """Render a location tuple as ``storage[1].size_bytes``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
