"""Errors as the dashboard shows them: the CLI's SpecError text plus one row per problem."""

from __future__ import annotations

import pandas as pd

from app.sources import UPLOAD_ROOT, display_name
from specbase import SpecError

COLUMNS = ["file", "line", "field", "problem", "allowed"]


def problem_frame(exc: SpecError) -> pd.DataFrame:
    rows = [{"file": display_name(p.file), "line": p.line, "field": p.path, "problem": p.message,
             "allowed": p.allowed or ""} for p in exc.problems]
    return pd.DataFrame(rows, columns=COLUMNS)


def error_text(exc: SpecError) -> str:
    """``exc.render()`` (what ``sim run`` prints) with uploads named by their own file name."""
    text = exc.render()
    for p in exc.problems:
        if UPLOAD_ROOT.as_posix() in p.file:
            text = text.replace(p.file, display_name(p.file))
    return text
