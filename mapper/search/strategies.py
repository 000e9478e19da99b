"""Search strategies over an abstract :class:`~mapper.search.space.MapSpace`.

Each strategy proposes batches (``ask``) and learns their scores (``tell``); all of its
randomness comes from the generator it is given, so a seed fixes the run.

- ``exhaustive``: every genome in mixed-radix order (the loop prunes and deduplicates).
- ``random``: uniform samples, rejecting genomes the space prunes.
- ``genetic``: (mu + lambda) evolution: tournament selection, uniform crossover, per-gene
  mutation, random immigrants; the population keeps the best distinct genomes seen.

After each batch the loop reports how many proposals were new mappings (``feedback``); the
genetic search adapts its mutation rate to it, the others ignore it.
"""

from __future__ import annotations

import numpy as np

from mapper.search.space import MapSpace, decode_indices, random_genomes, space_size

STRATEGIES = ("exhaustive", "random", "genetic")
MAX_EXHAUSTIVE = 2**62


class Exhaustive:
    name = "exhaustive"

    def __init__(self, space: MapSpace, rng: np.random.Generator):
        self._sizes = np.asarray(space.sizes, dtype=np.int64)
        self._total = space_size(self._sizes)
        if self._total > MAX_EXHAUSTIVE:
            raise ValueError(f"the map space has {self._total:.3e} mappings, too many to enumerate; "
                             "use the random or genetic strategy")
        self._next = 0

    def ask(self, count: int) -> np.ndarray | None:
        if self._next >= self._total:
            return None
        stop = min(self._total, self._next + count)
        genomes = decode_indices(np.arange(self._next, stop, dtype=np.int64), self._sizes)
        self._next = stop
        return genomes

    def tell(self, genomes: np.ndarray, scores: np.ndarray) -> None:
        return None

    def feedback(self, new: int, proposed: int) -> None:
        return None


class RandomSampling:
    name = "random"

    def __init__(self, space: MapSpace, rng: np.random.Generator):
        self._space = space
        self._sizes = np.asarray(space.sizes, dtype=np.int64)
        self._rng = rng

    def ask(self, count: int) -> np.ndarray:
        return sample_pruned(self._space, self._sizes, self._rng, count)

    def tell(self, genomes: np.ndarray, scores: np.ndarray) -> None:
        return None

    def feedback(self, new: int, proposed: int) -> None:
        return None


def sample_pruned(space: MapSpace, sizes: np.ndarray, rng: np.random.Generator, count: int,
                  tries: int = 8) -> np.ndarray:
    """``count`` random genomes, preferring ones the space does not prune."""
    kept = []
    found = 0
    for _ in range(tries):
        batch = random_genomes(rng, sizes, max(count + count // 4, 16))
        batch = batch[space.prune(batch)]
        kept.append(batch)
        found += len(batch)
        if found >= count:
            break
    out = np.concatenate(kept)[:count] if found else random_genomes(rng, sizes, count)
    return out if len(out) else random_genomes(rng, sizes, count)


class Genetic:
    name = "genetic"

    def __init__(self, space: MapSpace, rng: np.random.Generator, population: int = 64,
                 immigrants: float = 0.1, tournament: int = 3):
        self._space = space
        self._sizes = np.asarray(space.sizes, dtype=np.int64)
        self._rng = rng
        self._size = population
        self._immigrants = immigrants
        self._tournament = tournament
        self._pop = np.empty((0, len(self._sizes)), dtype=np.int64)
        self._scores = np.empty(0)
        self._mutation_scale = 1.0

    def ask(self, count: int) -> np.ndarray:
        if not np.isfinite(self._scores).any():
            return sample_pruned(self._space, self._sizes, self._rng, count)
        fresh = round(count * self._immigrants)
        children = self._children(count - fresh)
        return np.concatenate([children, sample_pruned(self._space, self._sizes, self._rng, fresh)[:fresh]])

    def _children(self, count: int) -> np.ndarray:
        rng = self._rng
        a = self._select(count)
        b = self._select(count)
        take = rng.random((count, len(self._sizes))) < 0.5
        children = np.where(take, self._pop[a], self._pop[b])
        rate = self._mutation_scale / max(1, len(self._sizes))  # at most 0.5: the scale is capped
        mutate = rng.random(children.shape) < rate
        forced = rng.integers(0, len(self._sizes), size=count)
        mutate[np.arange(count), forced] |= ~mutate.any(axis=1)
        mutants = random_genomes(rng, self._sizes, count)
        return np.where(mutate, mutants, children)

    def feedback(self, new: int, proposed: int) -> None:
        """Adapt the mutation rate to how many proposals were new mappings: a population that
        breeds mostly duplicates (children of near-identical parents) mutates more, up to half
        the genes; a productive one returns to one gene per child on average."""
        if proposed and new < proposed // 4:
            self._mutation_scale = min(self._mutation_scale * 2.0, 0.5 * len(self._sizes))
        elif new > proposed // 2:
            self._mutation_scale = max(1.0, self._mutation_scale / 2.0)

    def _select(self, count: int) -> np.ndarray:
        picks = self._rng.integers(0, len(self._pop), size=(count, self._tournament))
        best = np.argmin(self._scores[picks], axis=1)
        return picks[np.arange(count), best]

    def tell(self, genomes: np.ndarray, scores: np.ndarray) -> None:
        pool = np.concatenate([self._pop, genomes])
        pool_scores = np.concatenate([self._scores, scores])
        _, first = np.unique(_row_view(pool), return_index=True)
        first = first[np.isfinite(pool_scores[first])]
        order = first[np.argsort(pool_scores[first], kind="stable")][: self._size]
        self._pop, self._scores = pool[order], pool_scores[order]


def _row_view(rows: np.ndarray) -> np.ndarray:
    """Each row as one opaque value, so rows can be compared and deduplicated as scalars."""
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    return rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()


def make_strategy(name: str, space: MapSpace, rng: np.random.Generator):
    kinds = {"exhaustive": Exhaustive, "random": RandomSampling, "genetic": Genetic}
    if name not in kinds:
        raise ValueError(f"unknown search strategy {name!r}; allowed: {', '.join(STRATEGIES)}")
    return kinds[name](space, rng)


def auto_strategy(space: MapSpace, budget_mappings: int | None) -> str:
    """Exhaustive when the whole space fits the budget, else genetic."""
    total = space_size(np.asarray(space.sizes))
    if budget_mappings is not None and total <= budget_mappings:
        return "exhaustive"
    return "genetic"
