"""The FuseMax study: every configuration at every model and length, end to end, and the summary."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from sim.reproduce import runner
from sim.reproduce.configs import CONFIGURATIONS, E2E_DESIGNS, configuration
from sim.reproduce.runner import Point
from sim.reproduce.targets import TARGETS, relative_error
from workloads.models import BATCH, SEQUENCE_LENGTHS, TransformerModel

GEMM_PEERS = ("flat", "fusemax")


@dataclass(frozen=True)
class Row:
    """One model at one sequence length: attention per configuration, end to end per design."""

    model: TransformerModel
    tokens: int
    attention: Mapping[str, Point]
    e2e: Mapping[str, Point]

    def speedup(self, over: str, of: str = "fusemax", table: str = "attention") -> float:
        points = self.attention if table == "attention" else self.e2e
        return points[over].latency_s / points[of].latency_s

    def energy_ratio(self, over: str = "flat", of: str = "fusemax", table: str = "attention") -> float:
        points = self.attention if table == "attention" else self.e2e
        return points[of].energy_pj / points[over].energy_pj

    def util(self, config: str, unit: str) -> float:
        return self.attention[config].utilization[unit]


@dataclass(frozen=True)
class Study:
    rows: tuple[Row, ...]
    summary: Mapping[str, float]
    configs: tuple[str, ...]


def run_study(models: Sequence[TransformerModel], lengths: Sequence[int] = SEQUENCE_LENGTHS,
              batch: int = BATCH, e2e: bool = True) -> Study:
    configs = tuple(CONFIGURATIONS)
    rows = tuple(_row(model, tokens, batch, configs, e2e) for model in models for tokens in lengths)
    return Study(rows, MappingProxyType(summarize(rows)), configs)


def _row(model: TransformerModel, tokens: int, batch: int, configs: Iterable[str], e2e: bool) -> Row:
    attention = {key: runner.run_attention(configuration(key), model, tokens, batch) for key in configs}
    layer: dict[str, Point] = {}
    if e2e:
        for design in E2E_DESIGNS:
            arch = configuration(design).arch
            gemms = runner.run_gemms(arch, GEMM_PEERS, model, tokens, batch)
            layer[design] = runner.add(gemms, attention[design], design)
    return Row(model, tokens, MappingProxyType(attention), MappingProxyType(layer))


def _mean(values: Iterable[float]) -> float:
    values = [v for v in values if math.isfinite(v)]
    return statistics.fmean(values) if values else math.nan


def _geomean(values: Iterable[float]) -> float:
    values = [v for v in values if math.isfinite(v) and v > 0]
    return statistics.geometric_mean(values) if values else math.nan


def summarize(rows: Sequence[Row]) -> dict[str, float]:
    """Means over every model and length, keyed as :data:`sim.reproduce.targets.TARGETS`."""
    if not rows:
        return {}
    longest = max(r.tokens for r in rows)
    out = {
        "attention_speedup_vs_flat": _mean(r.speedup("flat") for r in rows),
        "attention_speedup_vs_flat_geomean": _geomean(r.speedup("flat") for r in rows),
        "attention_energy_vs_flat": _mean(r.energy_ratio() for r in rows),
        "attention_speedup_vs_unfused": _mean(r.speedup("unfused") for r in rows),
        "cascade_speedup_vs_flat": _mean(r.speedup("flat", "cascade") for r in rows),
        "architecture_speedup_vs_flat": _mean(r.speedup("flat", "architecture") for r in rows),
        "fusemax_util2d_1k": _mean(r.util("fusemax", "PE2D") for r in rows if r.tokens == 1 << 10),
        "fusemax_util2d_long": _mean(r.util("fusemax", "PE2D") for r in rows if r.tokens == longest),
        "fusemax_util1d": _mean(r.util("fusemax", "PE1D") for r in rows),
        "flat_util2d_e64": _mean(r.util("flat", "PE2D") for r in rows if r.model.head_dim == 64),
        "flat_util2d_e128": _mean(r.util("flat", "PE2D") for r in rows if r.model.head_dim == 128),
        "flat_util1d": _mean(r.util("flat", "PE1D") for r in rows),
    }
    if all(r.e2e for r in rows):
        out.update({
            "e2e_speedup_vs_flat": _mean(r.speedup("flat", table="e2e") for r in rows),
            "e2e_energy_vs_flat": _mean(r.energy_ratio(table="e2e") for r in rows),
            "e2e_speedup_vs_flat_1m": _mean(r.speedup("flat", table="e2e") for r in rows if r.tokens == 1 << 20),
            "e2e_speedup_vs_unfused": _mean(r.speedup("unfused", table="e2e") for r in rows),
        })
    return out


def comparison(summary: Mapping[str, float]) -> list[dict[str, object]]:
    """Target table rows: paper value, measured value, relative error."""
    out = []
    for target in TARGETS:
        measured = summary.get(target.key, math.nan)
        out.append({"key": target.key, "quantity": target.label, "paper": target.paper, "measured": measured,
                    "relative_error": relative_error(measured, target.paper), "source": target.source})
    return out
