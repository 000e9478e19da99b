"""Pareto front of design points (every objective minimized)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def pareto_mask(costs) -> np.ndarray:
    """True for rows of ``costs`` (n x k) that no other row dominates.

    Row ``a`` dominates ``b`` when ``a <= b`` everywhere and ``a < b`` somewhere.
    Rows with a NaN or infinite cost are never on the front. Rows are visited in
    lexicographic order, so a row can only be dominated by one visited before it,
    and comparing it with the front found so far suffices (dominance is transitive).
    """
    costs = np.asarray(costs, dtype=float)
    if costs.ndim != 2:
        raise ValueError("costs must be a 2-D array (rows x objectives)")
    mask = np.zeros(len(costs), dtype=bool)
    valid = np.flatnonzero(np.all(np.isfinite(costs), axis=1))
    if valid.size == 0:
        return mask
    order = valid[np.lexsort(costs[valid].T[::-1])]
    front: list[int] = []
    for i in order:
        point = costs[i]
        if front:
            members = costs[front]
            if np.any(np.all(members <= point, axis=1) & np.any(members < point, axis=1)):
                continue
        front.append(int(i))
    mask[front] = True
    return mask


def pareto_column(rows: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Boolean column: the row is on the front of ``columns`` (rows that failed are not)."""
    if rows.empty:
        return pd.Series([], dtype=bool)
    if any(c not in rows.columns for c in columns):
        return pd.Series(False, index=rows.index)
    costs = rows[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    return pd.Series(pareto_mask(costs), index=rows.index)
