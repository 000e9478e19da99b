"""Find a mapping of a workload on an architecture: the entry point of ``sim search`` and sweeps."""

from __future__ import annotations

import math
from dataclasses import dataclass

import yaml

from arch import Architecture
from mapper.search.budget import Budget
from mapper.search.loop import SearchStats, run_search
from mapper.search.settings import SearchSettings
from sim.errors import SimulationError
from sim.result import Result
from workloads import Workload

SEARCHABLE_KINDS = ("spatial", "cpu")


@dataclass(frozen=True)
class SearchOutcome:
    mapping: object
    mapping_yaml: str
    result: Result
    stats: SearchStats

    def report(self) -> str:
        """The mapping YAML, headed by the search statistics as comments (still valid YAML)."""
        stats = yaml.safe_dump({"search": self.stats.as_dict()}, sort_keys=False).splitlines()
        summary = [f"latency_cycles: {self.result.latency_cycles:.6g}",
                   f"energy_pj: {self.result.total_energy_pj:.6g}", f"bound: {self.result.bound}"]
        header = "".join(f"# {line}\n" for line in [*stats, "best:", *(f"  {s}" for s in summary)])
        return header + self.mapping_yaml


def build_space(arch: Architecture, workload: Workload, settings: SearchSettings):
    if arch.kind not in SEARCHABLE_KINDS:
        raise SimulationError(f"mapping search covers kinds {', '.join(SEARCHABLE_KINDS)}; {arch.name!r} is "
                              f"{arch.kind!r}: use its default mapping ('search: none' in a sweep, 'sim run')")
    from mapper.search.constraints import check_constraints
    from mapper.search.evaluator import EngineEvaluator
    from mapper.search.mapspace import CascadeSpace

    if settings.constraints is not None:
        check_constraints(settings.constraints, arch, workload)
    return CascadeSpace(arch, workload, settings.constraints, EngineEvaluator(), batched=settings.batched)


def default_genome(space, arch: Architecture, workload: Workload):
    """The engine's default mapping as a genome (the search starts from it), if the space holds it."""
    from sim.engine.default import default_mapping

    try:
        return space.encode(default_mapping(arch, workload))
    except SimulationError:
        return None


def search_mapping(arch: Architecture, workload: Workload, settings: SearchSettings) -> SearchOutcome:
    """Search, then evaluate the best mapping fully; raises if no valid mapping was found."""
    from mapper.search.serialize import mapping_to_yaml
    from sim.engine.evaluate import evaluate

    space = build_space(arch, workload, settings)
    budget = Budget(settings.budget_mappings, settings.budget_seconds)
    run = run_search(space, settings.strategy, settings.objective, budget, settings.seed, settings.batch_size_for(),
                     settings.return_on_interrupt, default_genome(space, arch, workload), settings.use_bounds)
    if run.genome is None or not math.isfinite(run.stats.best_score):
        raise SimulationError(f"no valid mapping found after {run.stats.evaluated} mappings "
                              f"({run.stats.pruned} pruned: spatial fan-out; the rest did not fit); "
                              "relax the constraints or raise the budget")
    mapping = space.decode(run.genome).mapping
    return SearchOutcome(mapping, mapping_to_yaml(mapping), evaluate(arch, workload, mapping, timeline_rows=0),
                         run.stats)
