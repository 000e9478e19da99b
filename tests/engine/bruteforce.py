"""A plain-Python loop-nest simulator that counts element movements one by one.

It walks every point of the nest in order and keeps, per level and instance, the set
of elements its buffer holds (the tile of the current iteration of the loops above
it). When the loops above a level move to a new tile, the buffer is replaced:

- inputs: the new tile's elements are filled; the parent reads the union of what the
  child instances it serves requested at that moment (a multicast is one read);
- outputs: the old tile's elements drain into the parent (instances that reduce into
  the same elements send one update per element); elements of the new tile that were
  drained before are read back from the parent.

No formula is shared with :mod:`sim.engine.counts`: tiles are sets of coordinates
collected from the points themselves.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

from sim.engine.nest import Nest


def _coords(accesses, point: dict[str, int]) -> list[tuple[int, ...]]:
    out = []
    for acc in accesses:
        out.append(tuple(sum(c * point[r] for r, c in ix.coeffs.items()) + ix.offset for ix in acc.indices))
    return out


def simulate(nest: Nest, accesses, keep: list[int], is_output: bool) -> dict[int, dict[str, int]]:
    """Counts per keeping level index: reads, fills, updates (elements)."""
    temporal, spatial = _loops(nest)
    strides = _rank_strides(nest)
    t_ranges = [range(lp.factor) for _, lp in temporal]
    s_ranges = [range(lp.factor) for _, lp in spatial]

    def point(t_idx, s_idx) -> dict[str, int]:
        p = dict.fromkeys(nest.einsum.ranks, 0)
        for n, ((_, lp), i) in enumerate(zip(temporal, t_idx, strict=True)):
            p[lp.rank] += i * strides[("t", n)]
        for n, ((_, lp), i) in enumerate(zip(spatial, s_idx, strict=True)):
            p[lp.rank] += i * strides[("s", n)]
        return p

    def where(k: int, t_idx, s_idx):
        above = tuple(i for (li, _), i in zip(temporal, t_idx, strict=True) if li < k)
        inst = tuple(i for (li, _), i in zip(spatial, s_idx, strict=True) if li < k)
        return inst, above

    content: dict[tuple, set] = defaultdict(set)
    for t_idx in itertools.product(*t_ranges):
        for s_idx in itertools.product(*s_ranges):
            elems = _coords(accesses, point(t_idx, s_idx))
            for k in keep[1:]:
                content[(k, *where(k, t_idx, s_idx))].update(elems)
    counts = {k: {"reads": 0, "fills": 0, "updates": 0} for k in keep}
    held: dict[tuple, frozenset] = {}
    drained: dict[int, set] = defaultdict(set)
    for t_idx in itertools.product(*t_ranges):
        for pos in range(1, len(keep)):
            k, parent = keep[pos], keep[pos - 1]
            requests: dict[tuple, set] = defaultdict(set)
            drains: dict[tuple, set] = defaultdict(set)
            for s_idx in itertools.product(*s_ranges):
                inst, above = where(k, t_idx, s_idx)
                new = frozenset(content[(k, inst, above)])
                old = held.get((k, inst))
                if old == new:
                    continue
                parent_inst = tuple(i for (li, _), i in zip(spatial, s_idx, strict=True) if li < parent)
                if is_output:
                    if old is not None:
                        drains[parent_inst] |= old
                    back = new & drained[k]
                    counts[k]["fills"] += len(back)
                    requests[parent_inst] |= back
                else:
                    counts[k]["fills"] += len(new)
                    requests[parent_inst] |= new
                held[(k, inst)] = new
            for elems in requests.values():
                counts[parent]["reads"] += len(elems)
            for elems in drains.values():
                counts[parent]["updates"] += len(elems)
                drained[k] |= elems
    if is_output:
        _final_drain(keep, held, spatial, counts)
    return counts


def _loops(nest: Nest):
    temporal, spatial = [], []
    for li, level in enumerate(nest.levels):
        temporal += [(li, lp) for lp in level.temporal]
        spatial += [(li, lp) for lp in level.spatial]
    return temporal, spatial


def _final_drain(keep, held, spatial, counts) -> None:
    for pos in range(1, len(keep)):
        k, parent = keep[pos], keep[pos - 1]
        n_parent = sum(1 for (li, _) in spatial if li < parent)
        groups: dict[tuple, set] = defaultdict(set)
        for (level, inst), elems in held.items():
            if level == k:
                groups[inst[:n_parent]] |= elems
        for elems in groups.values():
            counts[parent]["updates"] += len(elems)


def _rank_strides(nest: Nest) -> dict[tuple, int]:
    """Index stride of each loop: per rank, inner loops fastest (a level's spatial loops inside its temporal)."""
    order = []
    t = s = 0
    for level in nest.levels:
        for lp in level.temporal:
            order.append((("t", t), lp))
            t += 1
        for lp in level.spatial:
            order.append((("s", s), lp))
            s += 1
    strides = {}
    running: dict[str, int] = defaultdict(lambda: 1)
    for key, lp in reversed(order):
        strides[key] = running[lp.rank]
        running[lp.rank] *= lp.factor
    return strides
