"""The search loop: ask a strategy for batches, prune, deduplicate, evaluate, keep the best.

Interrupting (Ctrl-C) stops the loop and returns the best mapping found so far.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mapper.search.budget import Budget
from mapper.search.objectives import score, tie_break
from mapper.search.space import MapSpace, space_size
from mapper.search.strategies import auto_strategy, make_strategy

# The search stops as converged after this many proposals in a row without a new mapping (and at
# least STALL_BATCHES batches). The genetic search raises its mutation rate and adds random
# immigrants when it breeds duplicates, so this happens once the reachable map space is
# exhausted rather than when the population merely agrees.
STALL_PROPOSALS = 25_600
STALL_BATCHES = 10


@dataclass(frozen=True)
class SearchStats:
    strategy: str
    objective: str
    seed: int
    space_size: int
    proposed: int
    pruned: int
    duplicates: int
    bounded: int
    evaluated: int
    valid: int
    seconds: float
    stop_reason: str
    interrupted: bool
    best_score: float
    history: tuple[tuple[int, float, float], ...]

    @property
    def mappings_per_s(self) -> float:
        return self.evaluated / self.seconds if self.seconds > 0 else math.inf

    def as_dict(self) -> dict:
        return {"strategy": self.strategy, "objective": self.objective, "seed": self.seed,
                "space_size": self.space_size, "proposed": self.proposed, "pruned": self.pruned,
                "duplicates": self.duplicates, "bounded": self.bounded, "evaluated": self.evaluated,
                "valid": self.valid,
                "seconds": round(self.seconds, 4), "mappings_per_s": round(self.mappings_per_s, 1),
                "stop_reason": self.stop_reason, "interrupted": self.interrupted, "best_score": self.best_score}


@dataclass(frozen=True)
class SearchRun:
    """Best genome (None if no valid mapping was found), its costs, and the statistics."""

    genome: np.ndarray | None
    latency_cycles: float
    energy_pj: float
    stats: SearchStats


class _Tracker:
    def __init__(self, objective: str):
        self.objective = objective
        self.seen: dict[bytes, float] = {}
        self.best = math.inf
        self.second = math.inf  # tie-break key of the best (energy for latency searches, else latency)
        self.genome: np.ndarray | None = None
        self.latency = self.energy = math.nan
        self.proposed = self.pruned = self.duplicates = self.bounded = self.evaluated = self.valid = 0
        self.history: list[tuple[int, float, float]] = []
        self.use_bounds = True


def run_search(space: MapSpace, strategy: str = "auto", objective: str = "edp", budget: Budget | None = None,
               seed: int = 0, batch_size: int = 512, return_on_interrupt: bool = True,
               initial: np.ndarray | None = None, use_bounds: bool = True) -> SearchRun:
    """Search ``space`` until the budget is spent, the space is exhausted or Ctrl-C.

    On Ctrl-C the best mapping so far is returned (``return_on_interrupt``) or the
    interrupt propagates (a sweep must not store a point whose search was cut short).
    ``initial`` genomes (e.g. a known good mapping) are evaluated first and count
    against the budget. ``use_bounds=False`` evaluates every candidate, even one whose lower
    bound shows it cannot beat the best so far.
    """
    budget = budget or Budget()
    name = auto_strategy(space, budget.mappings) if strategy == "auto" else strategy
    rng = np.random.default_rng(seed)
    chooser = make_strategy(name, space, rng)
    clock = budget.start()
    track = _Tracker(objective)
    track.use_bounds = use_bounds
    reason, interrupted, stalled, stalled_proposals = None, False, 0, 0
    try:
        if initial is not None and len(initial):
            seeds = np.asarray(initial, dtype=np.int64).reshape(-1, len(space.sizes))
            scores, _ = _evaluate_batch(space, seeds, track, clock.remaining_mappings(0), clock)
            chooser.tell(seeds, scores)
        while (reason := clock.exhausted(track.evaluated)) is None:
            remaining = clock.remaining_mappings(track.evaluated)
            genomes = chooser.ask(batch_size if remaining is None else min(batch_size, max(remaining, 1)))
            if genomes is None:
                reason = "space exhausted"
                break
            scores, new = _evaluate_batch(space, genomes, track, remaining, clock)
            chooser.tell(genomes, scores)
            chooser.feedback(new, len(genomes))
            stalled, stalled_proposals = (0, 0) if new else (stalled + 1, stalled_proposals + len(genomes))
            if stalled >= STALL_BATCHES and stalled_proposals >= STALL_PROPOSALS:
                reason = "converged (no new mappings proposed)"
                break
    except KeyboardInterrupt:
        if not return_on_interrupt:
            raise
        reason, interrupted = "interrupted", True
    stats = SearchStats(name, objective, seed, space_size(np.asarray(space.sizes)), track.proposed, track.pruned,
                        track.duplicates, track.bounded, track.evaluated, track.valid, clock.elapsed_s, reason,
                        interrupted, track.best, tuple(track.history))
    return SearchRun(track.genome, track.latency, track.energy, stats)


def _evaluate_batch(space: MapSpace, genomes: np.ndarray, track: _Tracker, remaining: int | None,
                    clock) -> tuple[np.ndarray, int]:
    track.proposed += len(genomes)
    scores = np.full(len(genomes), np.inf)
    keep = np.asarray(space.prune(genomes), dtype=bool)
    track.pruned += int((~keep).sum())
    keys = _row_keys(space.canonical(genomes))
    todo = []
    for i in np.flatnonzero(keep):
        key = keys[i]
        if key in track.seen:
            scores[i] = track.seen[key]
            track.duplicates += 1
        elif remaining is None or len(todo) < remaining:
            track.seen[key] = np.inf
            todo.append(i)
    todo = _bound(space, genomes, todo, track, scores, keys)
    if not todo:
        return scores, 0
    index = np.asarray(todo)
    costs = space.evaluate(genomes[index])
    values = score(costs, track.objective)
    scores[index] = values
    for i, value in zip(index, values, strict=True):
        track.seen[keys[i]] = float(value)
    track.evaluated += len(index)
    track.valid += int(np.count_nonzero(np.asarray(costs.valid)))
    ties = tie_break(costs, track.objective)
    best = int(np.lexsort((ties, values))[0])
    if (values[best], ties[best]) < (track.best, track.second):
        improved = values[best] < track.best
        track.best, track.second = float(values[best]), float(ties[best])
        track.genome = genomes[index[best]].copy()
        track.latency = float(costs.latency_cycles[best])
        track.energy = float(costs.energy_pj[best])
        if improved:
            track.history.append((track.evaluated, clock.elapsed_s, track.best))
    return scores, len(index)


def _bound(space: MapSpace, genomes: np.ndarray, todo: list[int], track: _Tracker, scores: np.ndarray,
           keys: list[bytes]) -> list[int]:
    """Drop candidates whose lower bound (if the space gives one) cannot beat the best so far.

    A dropped candidate scores its bound: no better than the best, yet finite, so a strategy
    can still rank it (breed from near misses) without paying for its evaluation.
    """
    bounds = getattr(space, "lower_bounds", None)
    if bounds is None or not track.use_bounds or not todo or not math.isfinite(track.best):
        return todo
    floor = score(bounds(genomes[np.asarray(todo)]), track.objective)
    keep = []
    for i, low in zip(todo, floor, strict=True):
        if low < track.best:
            keep.append(i)
        else:
            scores[i] = track.seen[keys[i]] = float(low)
    track.bounded += len(todo) - len(keep)
    return keep


def _row_keys(rows: np.ndarray) -> list[bytes]:
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    return [row.tobytes() for row in rows]
