"""Stored validation results for the Validation page (measured vs simulated, error per family).

Measurement files are re-scored with :func:`validate.report.compare` (the code behind
``sim validate --from FILE``); report folders written by ``sim validate`` are read as they are.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import validate
from validate.report import Report, compare, summarize
from validate.store import read_measurements

DATA_DIR = Path(validate.__file__).parent / "data"
TABLE_SUFFIXES = (".csv", ".parquet")


def stored_files() -> dict[str, Path]:
    """Measurement files kept in the repository (``validate/data``)."""
    return {p.name: p for p in sorted(DATA_DIR.iterdir()) if p.suffix in TABLE_SUFFIXES} if DATA_DIR.exists() else {}


def score(path: str | Path) -> Report:
    """Simulate every stored measurement again and compare (raises SpecError for a bad file)."""
    return compare(read_measurements(path))


def read_report_folder(folder: str | Path) -> Report:
    """The comparison table of a ``sim validate`` output folder, summarized per family."""
    folder = Path(folder)
    for suffix in TABLE_SUFFIXES:
        path = folder / f"comparison{suffix}"
        if path.exists():
            comparison = pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path)
            return Report(comparison, summarize(comparison))
    raise FileNotFoundError(f"{folder} holds no comparison.csv or comparison.parquet (written by sim validate)")


def headline(report: Report) -> pd.DataFrame:
    """Per family and source: cases and MAPE, the numbers a reader looks at first."""
    columns = [c for c in ("family", "source", "cases", "mape", "median_ape", "max_ape", "mean_signed_error",
                           "missing_estimates") if c in report.summary]
    return report.summary[columns]
