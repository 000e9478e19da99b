"""Run the simulator on the shapes of the measured kernels.

Each kernel family is bound to a workload preset and a function that turns the case's
shape into that preset's parameters. The dtype is passed as the ``dtype`` parameter
where the preset declares one; otherwise the document's top-level ``dtype`` is set, and
the comparison notes say so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import arch as arch_pkg
import workloads as workload_pkg
from sim import api
from sim.errors import SimulationError
from specbase import SpecError
from validate.cases import KernelCase

GPU_ARCH_BY_NAME = (("H200", "h200"), ("H100", "h100"), ("B200", "b200"), ("A100", "a100"))


@dataclass(frozen=True)
class WorkloadBinding:
    """A workload preset and how a case's shape fills its parameters.

    ``optional`` parameters are passed only where the preset declares them; a truthy one
    the preset lacks adds its ``missing_notes`` entry to the comparison notes.
    """

    preset: str
    parameters: Callable[[Mapping[str, int]], dict[str, Any]]
    optional: Callable[[Mapping[str, int]], dict[str, Any]] = lambda p: {}
    missing_notes: Mapping[str, str] = field(default_factory=dict)


def _prefill_params(p: Mapping[str, int]) -> dict[str, Any]:
    block = math.gcd(p["seq"], 256)
    return {"B": p["batch"], "H": p["heads"], "E": p["head_dim"], "F": p["head_dim"], "M": p["seq"], "P": p["seq"],
            "M0": block}


def _prefill_3pass_params(p: Mapping[str, int]) -> dict[str, Any]:
    return {"B": p["batch"], "H": p["heads"], "E": p["head_dim"], "F": p["head_dim"], "M": p["seq"], "P": p["seq"]}


def _causal(p: Mapping[str, int]) -> dict[str, Any]:
    return {"causal": p["causal"]}


CAUSAL_NOTES = {"causal": "workload has no causal parameter: the estimate covers the full score matrix "
                          "(twice the causal work)"}


def _flash_params(p: Mapping[str, int]) -> dict[str, Any]:
    return {"batch": p["batch"], "heads": p["heads"], "seq_len": p["seq"], "head_dim": p["head_dim"],
            "block_n": math.gcd(p["seq"], 128)}


def _flash_decoding_params(p: Mapping[str, int]) -> dict[str, Any]:
    _check_groups(p)
    return {"batch": p["batch"], "kv_heads": p["kv_heads"], "group": p["q_heads"] // p["kv_heads"],
            "seq_len": p["kv_len"], "head_dim": p["head_dim"]}


def _check_groups(p: Mapping[str, int]) -> None:
    if p["q_heads"] % p["kv_heads"]:
        raise ValueError(f"q_heads {p['q_heads']} is not a multiple of kv_heads {p['kv_heads']}")


def _decode_params(p: Mapping[str, int]) -> dict[str, Any]:
    _check_groups(p)
    return {"B": p["batch"], "HKV": p["kv_heads"], "G": p["q_heads"] // p["kv_heads"], "P": 1, "M": p["kv_len"],
            "E": p["head_dim"], "F": p["head_dim"]}


BINDINGS: dict[str, dict[str, WorkloadBinding]] = {
    "matmul": {"gemm": WorkloadBinding("gemm", lambda p: {"M": p["m"], "N": p["n"], "K": p["k"]})},
    "softmax": {"softmax_3pass": WorkloadBinding("softmax_3pass", lambda p: {"rows": p["rows"], "N": p["cols"]})},
    "layernorm": {"layernorm": WorkloadBinding("layernorm", lambda p: {"rows": p["rows"], "N": p["cols"]})},
    "sdpa_prefill": {
        "flash_attention": WorkloadBinding("flash_attention", _flash_params, _causal, CAUSAL_NOTES),
        "attention_1pass": WorkloadBinding("attention_1pass", _prefill_params, _causal, CAUSAL_NOTES),
        "attention_3pass": WorkloadBinding("attention_3pass", _prefill_3pass_params, _causal, CAUSAL_NOTES),
    },
    "decode_attention": {
        "decode_attention": WorkloadBinding("decode_attention", _decode_params),
        "flash_decoding": WorkloadBinding("flash_decoding", _flash_decoding_params),
    },
}
DEFAULT_WORKLOADS = {"matmul": "gemm", "softmax": "softmax_3pass", "layernorm": "layernorm",
                     "sdpa_prefill": "flash_attention", "decode_attention": "flash_decoding"}


@dataclass(frozen=True)
class Estimate:
    workload: str
    estimated_s: float
    bound: str
    model: str
    notes: str


def default_arch(device_kind: str, device_name: str) -> str:
    """The preset that describes the measured device: host_cpu on CPU, by GPU name on CUDA."""
    if device_kind == "cpu":
        return "host_cpu"
    for marker, preset in GPU_ARCH_BY_NAME:
        if marker in device_name.upper():
            return preset
    raise SpecError.single("--arch", "", f"no preset is known for GPU {device_name!r}; pass --arch",
                           allowed=", ".join(arch_pkg.presets()))


def choose_workloads(choices: Mapping[str, str] | None = None) -> dict[str, str]:
    """Default workload per family, with ``choices`` (family -> preset) applied and checked."""
    chosen = dict(DEFAULT_WORKLOADS)
    for family, preset in (choices or {}).items():
        if family not in BINDINGS:
            raise SpecError.single("--workload", family, "unknown kernel family", allowed=", ".join(BINDINGS))
        if preset not in BINDINGS[family]:
            raise SpecError.single("--workload", f"{family}={preset}", "no binding for this preset",
                                   allowed=", ".join(BINDINGS[family]))
        chosen[family] = preset
    return chosen


def estimate(case: KernelCase, hardware: arch_pkg.Architecture, workload_preset: str) -> Estimate:
    """Simulate ``case`` on ``hardware``.

    If the model for the hardware's kind cannot simulate it (e.g. its default mapping does
    not fit), the first-order model is used and the notes say why; if nothing can, the
    estimate is NaN with the reason.
    """
    binding = BINDINGS[case.family][workload_preset]
    notes: list[str] = []
    try:
        workload = _load(binding, case, notes)
    except (SpecError, ValueError, KeyError) as exc:
        return Estimate(binding.preset, math.nan, "", "", "; ".join([*notes, f"no estimate: {exc}"]))
    try:
        result = api.run(hardware, workload)
    except _MODEL_ERRORS as exc:
        notes.append(f"{hardware.kind} model failed ({_one_line(exc)}); first-order estimate instead")
        try:
            result = api.run(hardware, workload, model="first-order")
        except _MODEL_ERRORS as again:
            return Estimate(binding.preset, math.nan, "", "", "; ".join([*notes, f"no estimate: {again}"]))
    notes += [n for n in result.notes if "no dedicated model" in n]
    notes += _ignored_options(binding, case, hardware, result)
    return Estimate(binding.preset, result.latency_s, result.bound, result.model, "; ".join(notes))


def _ignored_options(binding: WorkloadBinding, case: KernelCase, hardware: arch_pkg.Architecture,
                     result: Any) -> list[str]:
    """Notes for set options (e.g. causal=1) that the model did not act on: same latency with them off."""
    notes = []
    for name, value in binding.optional(case.params).items():
        if not value:
            continue
        off = KernelCase(case.family, {**case.params, name: 0}, case.dtype)
        try:
            baseline = api.run(hardware, _load(binding, off, []), model=_model_name(result))
        except _MODEL_ERRORS:
            continue
        if math.isclose(baseline.latency_cycles, result.latency_cycles, rel_tol=1e-9):
            notes.append(f"the model ignores {name}={value}: the estimate is the same as with {name}=0")
    return notes


def _model_name(result: Any) -> str:
    return "first-order" if result.model.startswith("first-order") else "auto"


_MODEL_ERRORS = (SimulationError, SpecError, ValueError, KeyError, ArithmeticError, RuntimeError)


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:160]}"


def workload_for(case: KernelCase, preset: str) -> tuple[workload_pkg.Workload, list[str]]:
    """The workload ``preset`` filled with the shape and dtype of ``case``, and notes on what was adapted."""
    notes: list[str] = []
    return _load(BINDINGS[case.family][preset], case, notes), notes


def _load(binding: WorkloadBinding, case: KernelCase, notes: list[str]) -> workload_pkg.Workload:
    doc = workload_pkg.workload_document(binding.preset)
    declared = workload_pkg.declared_parameters(doc)
    params = binding.parameters(case.params)
    for name, value in binding.optional(case.params).items():
        if name in declared:
            params[name] = value
        elif value and name in binding.missing_notes:
            notes.append(binding.missing_notes[name])
    if "dtype" in declared:
        params["dtype"] = case.dtype
    elif doc.data.get("dtype") != case.dtype:
        notes.append(f"preset dtype {doc.data.get('dtype')!r} replaced by {case.dtype!r}")
        doc = replace(doc, data={**doc.data, "dtype": case.dtype})
    return workload_pkg.load_workload(doc, params)


def load_hardware(source: str, cores: int | None = None) -> arch_pkg.Architecture:
    """Load an architecture; ``cores`` sets its ``cores`` parameter when it declares one (calibrated CPUs)."""
    if cores is None:
        return arch_pkg.load_arch(source)
    doc = arch_pkg.arch_document(source)
    declared = arch_pkg.declared_parameters(doc)
    return arch_pkg.load_arch(doc, {"cores": cores} if "cores" in declared else None)
