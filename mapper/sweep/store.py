"""Columnar result store of a sweep: one Parquet part per flush, resumable.

Layout of the output folder::

    sweep.json            fingerprint and size of the sweep (a resume must match it)
    parts/part-*.parquet  rows, written atomically (temp file, then rename)
    results.parquet       all rows, one per design point, with a ``pareto`` column
    pareto.parquet        the Pareto-optimal rows

A killed sweep leaves at most a temp file (ignored and removed) and never a partial part,
so every row in ``parts/`` is complete; resuming skips the points whose key is present.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import SimulationError

MANIFEST = "sweep.json"
RESULTS = "results.parquet"
PARETO = "pareto.parquet"


class SweepStore:
    """The output folder of one sweep."""

    def __init__(self, root: str | Path, fingerprint: str, point_count: int, name: str):
        self.root = Path(root)
        self.parts = self.root / "parts"
        self._open(fingerprint, point_count, name)

    def _open(self, fingerprint: str, point_count: int, name: str) -> None:
        self.parts.mkdir(parents=True, exist_ok=True)
        manifest = self.root / MANIFEST
        if manifest.exists():
            stored = json.loads(manifest.read_text())
            if stored.get("fingerprint") != fingerprint:
                raise SimulationError(
                    f"{self.root} holds sweep {stored.get('name')!r} with a different spec "
                    f"(fingerprint {stored.get('fingerprint')} != {fingerprint}); use another --output folder")
        else:
            _atomic_write_text(manifest, json.dumps(
                {"name": name, "fingerprint": fingerprint, "points": point_count}, indent=2))
        for stale in self.parts.glob("*.tmp"):
            stale.unlink()

    def part_files(self) -> list[Path]:
        return sorted(self.parts.glob("part-*.parquet"))

    def done_keys(self) -> set[str]:
        keys: set[str] = set()
        for part in self.part_files():
            keys.update(pq.read_table(part, columns=["point_key"]).column("point_key").to_pylist())
        return keys

    def append(self, rows: Sequence[Mapping[str, Any]]) -> Path | None:
        """Write ``rows`` as one new part; returns its path (None when there are no rows)."""
        if not rows:
            return None
        table = pa.Table.from_pandas(pd.DataFrame(list(rows)), preserve_index=False)
        first = min(int(r["point_id"]) for r in rows)
        final = self.parts / f"part-{first:09d}-{uuid.uuid4().hex[:8]}.parquet"
        tmp = final.with_suffix(".tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, final)
        return final

    def read(self) -> pd.DataFrame:
        """Every stored row once (the first copy of a key wins), ordered by point id."""
        frames = [pq.read_table(p).to_pandas() for p in self.part_files()]
        frames = [f for f in frames if not f.empty]
        if not frames:
            return pd.DataFrame()
        rows = pd.concat(frames, ignore_index=True)
        rows = rows.drop_duplicates("point_key", keep="first")
        return rows.sort_values("point_id", kind="stable").reset_index(drop=True)

    def write_results(self, rows: pd.DataFrame, pareto: pd.Series) -> None:
        rows = rows.assign(pareto=pareto.to_numpy(dtype=bool))
        _write_frame(rows, self.root / RESULTS)
        _write_frame(rows[rows["pareto"]], self.root / PARETO)


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    pq.write_table(pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False), tmp)
    os.replace(tmp, path)


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def read_results(root: str | Path) -> pd.DataFrame:
    return pq.read_table(Path(root) / RESULTS).to_pandas()
