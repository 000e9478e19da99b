"""Search strategies over an abstract map space, on toy objectives with known optima."""

import numpy as np
import pytest

from mapper.search import Budget, Costs, run_search
from mapper.search.space import decode_indices, space_size


class Bowl:
    """A separable bowl: latency = 1 + sum (g - target)^2, energy = 1 + |g0 - e0|; all valid."""

    def __init__(self, sizes, target, energy_target=0):
        self.sizes = np.asarray(sizes, dtype=np.int64)
        self.target = np.asarray(target)
        self.energy_target = energy_target
        self.calls = []

    def evaluate(self, genomes):
        self.calls.append(genomes.copy())
        latency = 1.0 + ((genomes - self.target) ** 2).sum(axis=1)
        energy = 1.0 + np.abs(genomes[:, 0] - self.energy_target)
        return Costs(latency, energy, np.ones(len(genomes), dtype=bool))

    def prune(self, genomes):
        return np.ones(len(genomes), dtype=bool)

    def canonical(self, genomes):
        return genomes

    @property
    def evaluated(self):
        return np.concatenate(self.calls) if self.calls else np.empty((0, len(self.sizes)), dtype=np.int64)


class PrunedBowl(Bowl):
    """Genomes with an odd first gene are pruned; genes 2 and 3 are interchangeable."""

    def prune(self, genomes):
        return genomes[:, 0] % 2 == 0

    def canonical(self, genomes):
        out = genomes.copy()
        out[:, 2:4] = np.sort(genomes[:, 2:4], axis=1)
        return out


def test_decode_indices_is_mixed_radix():
    sizes = np.array([2, 3, 4])
    digits = decode_indices(np.arange(24), sizes)
    assert len({tuple(d) for d in digits}) == 24
    assert digits[0].tolist() == [0, 0, 0] and digits[-1].tolist() == [1, 2, 3]
    assert digits[5].tolist() == [0, 1, 1]  # 5 = 0*12 + 1*4 + 1


def test_exhaustive_finds_the_exact_optimum_and_stops_when_done():
    space = Bowl([5, 6, 7], [4, 0, 3])
    run = run_search(space, "exhaustive", "latency", Budget(10_000), seed=0)
    assert run.genome.tolist() == [4, 0, 3]
    assert run.latency_cycles == 1.0
    assert run.stats.evaluated == space_size(space.sizes) == 210
    assert run.stats.stop_reason == "space exhausted"


def test_auto_picks_exhaustive_for_small_spaces_and_genetic_for_large():
    small = run_search(Bowl([3, 3], [1, 1]), "auto", "latency", Budget(100))
    large = run_search(Bowl([30] * 6, [1] * 6), "auto", "latency", Budget(100))
    assert small.stats.strategy == "exhaustive"
    assert large.stats.strategy == "genetic"


@pytest.mark.parametrize("strategy", ["exhaustive", "random", "genetic"])
def test_mapping_budget_is_never_exceeded(strategy):
    space = Bowl([10] * 5, [3] * 5)
    run = run_search(space, strategy, "edp", Budget(mappings=777), seed=3, batch_size=100)
    assert run.stats.evaluated == 777 == len(space.evaluated)
    assert run.stats.stop_reason == "mapping budget"


def test_time_budget_stops_the_search():
    space = Bowl([50] * 8, [7] * 8)
    run = run_search(space, "random", "latency", Budget(mappings=None, seconds=0.2), seed=0, batch_size=64)
    assert run.stats.stop_reason == "time budget"
    assert 0.2 <= run.stats.seconds < 2.0


@pytest.mark.parametrize("strategy", ["random", "genetic"])
def test_same_seed_same_run_different_seed_different_samples(strategy):
    runs = [run_search(Bowl([20] * 6, [5] * 6), strategy, "latency", Budget(600), seed=s) for s in (1, 1, 2)]
    assert runs[0].genome.tolist() == runs[1].genome.tolist()
    assert runs[0].stats.history == tuple((e, t, b) for (e, _, b), (_, t, _) in
                                          zip(runs[1].stats.history, runs[0].stats.history, strict=True))
    first, second = Bowl([20] * 6, [5] * 6), Bowl([20] * 6, [5] * 6)
    run_search(first, strategy, "latency", Budget(50), seed=1)
    run_search(second, strategy, "latency", Budget(50), seed=2)
    assert not np.array_equal(first.evaluated, second.evaluated)


def test_genetic_reaches_the_optimum_of_a_separable_bowl():
    # 16^8 = 4.3e9 mappings; random sampling of 6000 essentially never hits the single optimum.
    for seed in range(3):
        run = run_search(Bowl([16] * 8, [3, 14, 0, 9, 7, 1, 12, 5]), "genetic", "latency", Budget(6000), seed=seed)
        assert run.latency_cycles == 1.0, f"seed {seed}: best {run.latency_cycles}"
    rnd = run_search(Bowl([16] * 8, [3, 14, 0, 9, 7, 1, 12, 5]), "random", "latency", Budget(6000), seed=0)
    assert rnd.latency_cycles > 1.0


def test_objectives_rank_differently():
    space = Bowl([6, 6], [5, 2], energy_target=0)
    assert run_search(space, "exhaustive", "latency", Budget(100)).genome.tolist() == [5, 2]
    assert run_search(space, "exhaustive", "energy", Budget(100)).genome.tolist()[0] == 0
    edp = run_search(space, "exhaustive", "edp", Budget(100))
    # EDP = (1 + (g0-5)^2 + (g1-2)^2) * (1 + g0): g1 = 2; g0 in 0..5 gives 26, 34, 30, 20, 10, 6 -> g0 = 5.
    assert edp.genome.tolist() == [5, 2] and edp.stats.best_score == 6.0


@pytest.mark.parametrize("strategy", ["exhaustive", "random", "genetic"])
def test_pruned_and_equivalent_genomes_are_not_evaluated(strategy):
    space = PrunedBowl([4, 3, 5, 5], [2, 1, 3, 3])  # symmetric in genes 2 and 3
    run = run_search(space, strategy, "latency", Budget(10_000), seed=0, batch_size=64)
    seen = space.evaluated
    assert np.all(seen[:, 0] % 2 == 0)
    canon = space.canonical(seen)
    assert len(np.unique(canon, axis=0)) == len(canon)
    assert run.stats.evaluated == len(seen)
    if strategy == "exhaustive":
        # 2 even first genes x 3 x (5*6/2 = 15 unordered pairs) = 90 distinct feasible mappings
        assert len(seen) == 90 and run.stats.pruned == 150 and run.stats.duplicates == 60
        assert run.latency_cycles == 1.0


class Interrupting(Bowl):
    def __init__(self, *args, after):
        super().__init__(*args)
        self.after = after

    def evaluate(self, genomes):
        if len(self.calls) == self.after:
            raise KeyboardInterrupt
        return super().evaluate(genomes)


def test_ctrl_c_returns_the_best_so_far():
    space = Interrupting([10] * 4, [2] * 4, after=3)
    run = run_search(space, "random", "latency", Budget(100_000), seed=0, batch_size=50)
    assert run.stats.interrupted and run.stats.stop_reason == "interrupted"
    seen = space.evaluated
    assert len(space.calls) == 3 and run.stats.evaluated == len(seen) > 100
    best = (1.0 + ((seen - 2) ** 2).sum(axis=1)).min()
    assert run.latency_cycles == best and run.genome is not None


def test_budget_must_be_bounded():
    with pytest.raises(ValueError, match="never runs unbounded"):
        Budget(mappings=None, seconds=None)


def test_ctrl_c_can_propagate_for_callers_that_must_not_keep_a_partial_search():
    with pytest.raises(KeyboardInterrupt):
        run_search(Interrupting([10] * 4, [2] * 4, after=1), "random", "latency", Budget(1000), seed=0,
                   batch_size=50, return_on_interrupt=False)


class Plateau(Bowl):
    """Latency depends on gene 1 only, so every value of gene 0 ties; energy picks one of them."""

    def evaluate(self, genomes):
        self.calls.append(genomes.copy())
        latency = 1.0 + np.abs(genomes[:, 1] - self.target[1])
        energy = 1.0 + np.abs(genomes[:, 0] - self.energy_target)
        return Costs(latency, energy, np.ones(len(genomes), dtype=bool))


def test_among_equally_fast_mappings_a_latency_search_keeps_the_cheapest():
    space = Plateau([9, 5], [0, 2], energy_target=7)
    run = run_search(space, "exhaustive", "latency", Budget(10_000), seed=0)
    assert run.genome.tolist() == [7, 2]
    assert (run.latency_cycles, run.energy_pj) == (1.0, 1.0)
    assert run.stats.history[-1][2] == 1.0  # the tie-break does not count as a new best score


class Collapsing(Bowl):
    """Only gene 0 matters (its canonical form drops the rest): a space of 4 mappings in 4^6 genomes."""

    def canonical(self, genomes):
        out = np.zeros_like(genomes)
        out[:, 0] = genomes[:, 0]
        return out


def test_the_genetic_search_stops_once_a_small_space_is_exhausted():
    space = Collapsing([4] * 6, [2] * 6)
    run = run_search(space, "genetic", "latency", Budget(100_000), seed=0, batch_size=512)
    assert run.stats.stop_reason.startswith("converged")
    assert run.stats.evaluated == 4 and run.genome[0] == 2
    assert run.stats.proposed < 60_000  # not the whole budget's worth of proposals


def test_the_genetic_search_mutates_more_while_it_breeds_duplicates():
    from mapper.search.strategies import Genetic

    genetic = Genetic(Bowl([4] * 8, [0] * 8), np.random.default_rng(0))
    genetic.feedback(new=10, proposed=512)
    genetic.feedback(new=10, proposed=512)
    raised = genetic._mutation_scale
    genetic.feedback(new=400, proposed=512)
    assert raised == 4.0 and genetic._mutation_scale == 2.0
    for _ in range(10):
        genetic.feedback(new=0, proposed=512)
    assert genetic._mutation_scale == 4.0  # capped: half of the 8 genes
