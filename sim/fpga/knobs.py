"""hls4ml knobs: read from the workload's parameters, overridden by the mapping.

The knobs describe how the datapath is built, not what is computed, so they are not part
of the Einsum cascade. They live as workload parameters (so ``--set reuse_factor=128``
works) and a mapping file may override them. Names: ``reuse_factor`` (int or ``auto``),
``strategy`` (resource | latency), ``io_type`` (io_parallel | io_stream), ``precision``
(bits or ap_fixed<W,I>; default: the weights' dtype width), ``parallelization_factor``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.fpga.datapath import DatapathConfig, IoType, Strategy
from sim.fpga.mapping import FpgaMapping
from sim.fpga.precision import FixedPoint
from specbase import Problem, SpecError
from workloads import Workload

_STRATEGIES = {"resource": Strategy.RESOURCE, "latency": Strategy.LATENCY}
_IO_TYPES = {"io_parallel": IoType.PARALLEL, "parallel": IoType.PARALLEL,
             "io_stream": IoType.STREAM, "stream": IoType.STREAM}


def datapath_config(workload: Workload, mapping: FpgaMapping, default_bits: int) -> DatapathConfig:
    """All knobs, validated; problems name the file and the parameter."""
    params = workload.parameters
    problems: list[Problem] = []

    def pick(name: str) -> tuple[Any, str, str]:
        value = getattr(mapping, name)
        if value is not None:
            return value, mapping.file, name
        return params.get(name), workload.file, f"parameters.{name}"

    rf = _reuse_factor(*pick("reuse_factor"), problems)
    strategy = _choice(*pick("strategy"), _STRATEGIES, Strategy.RESOURCE, problems)
    io_type = _choice(*pick("io_type"), _IO_TYPES, IoType.PARALLEL, problems)
    precision = _precision(*pick("precision"), default_bits, problems)
    pf = _reuse_factor(*pick("parallelization_factor"), problems) or 1
    if problems:
        raise SpecError(problems)
    return DatapathConfig(strategy=strategy, io_type=io_type, precision=precision, reuse_factor=rf,
                          layer_reuse_factors=dict(mapping.layer_reuse_factors), parallelization_factor=pf)


def _reuse_factor(value: Any, file: str, path: str, problems: list[Problem]) -> int | None:
    if value is None or (isinstance(value, str) and value.strip().lower() == "auto"):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value) and value >= 1:
        return int(value)
    problems.append(Problem(file, path, f"invalid value {value!r}", None, "an integer >= 1 or 'auto'"))
    return None


def _choice(value: Any, file: str, path: str, table: Mapping[str, Any], default: Any,
            problems: list[Problem]) -> Any:
    if value is None:
        return default
    key = str(value).strip().lower()
    if key not in table:
        problems.append(Problem(file, path, f"invalid value {value!r}", None, ", ".join(table)))
        return default
    return table[key]


def _precision(value: Any, file: str, path: str, default_bits: int, problems: list[Problem]) -> FixedPoint:
    if value is None:
        return FixedPoint(default_bits)
    try:
        return FixedPoint.parse(value)
    except ValueError as exc:
        problems.append(Problem(file, path, str(exc), None, "bits (e.g. 16) or ap_fixed<W,I>"))
        return FixedPoint(default_bits)
