"""Translate SCALE-Sim v3 case descriptions and reports to and from this model.

A case is the dictionary ``benchmarks/peers/scalesim_runner.py`` consumes (rows, cols,
dataflow, SRAM sizes in KiB, bandwidth "CALC" or words/cycle, and a gemm or conv layer).
SCALE-Sim's word is one byte, so an SRAM of S KiB holds 1024 * S words.
"""

from __future__ import annotations

from typing import Any

from sim.systolic.config import SystolicConfig
from sim.systolic.layer import ConvLayer
from sim.systolic.model import SystolicReport, evaluate

# Report quantities compared exactly in stall-free (CALC) mode.
EXACT_KEYS = ("total_cycles", "stall_cycles", "ifmap_sram_reads", "filter_sram_reads",
              "ofmap_sram_writes", "ifmap_dram_reads", "filter_dram_reads", "ofmap_dram_writes")
PERCENT_KEYS = ("overall_util_pct", "mapping_efficiency_pct", "compute_util_pct")


def config_of(case: dict[str, Any], stall_free: bool = True) -> SystolicConfig:
    bandwidth = case.get("bandwidth", "CALC")
    return SystolicConfig(
        rows=case["rows"], cols=case["cols"], dataflow=case["dataflow"],
        ifmap_sram_words=1024 * case["ifmap_kb"], filter_sram_words=1024 * case["filter_kb"],
        ofmap_sram_words=1024 * case["ofmap_kb"], word_bytes=1,
        dram_bandwidth_words_per_cycle=None if stall_free or bandwidth == "CALC"
        else float(bandwidth))


def layer_of(case: dict[str, Any]) -> ConvLayer:
    if "gemm" in case:
        g = case["gemm"]
        return ConvLayer.gemm(g["M"], g["N"], g["K"], name=case["name"])
    c = case["conv"]
    return ConvLayer(ifmap_h=c["H"], ifmap_w=c["W"], filter_h=c["R"], filter_w=c["S"],
                     channels=c["C"], num_filters=c["K"], stride_h=c["stride"],
                     stride_w=c["stride"], name=case["name"])


def report_items(report: SystolicReport) -> dict[str, float]:
    """This model's figures under SCALE-Sim's report names (stall-free evaluation)."""
    return {
        "total_cycles": report.total_cycles,
        "stall_cycles": report.stalls.stall_cycles,
        "ifmap_sram_reads": report.sram.ifmap_reads,
        "filter_sram_reads": report.sram.filter_reads,
        "ofmap_sram_writes": report.sram.ofmap_writes_scalesim,
        "ifmap_dram_reads": report.dram.ifmap_reads,
        "filter_dram_reads": report.dram.filter_reads,
        "ofmap_dram_writes": report.dram.ofmap_writes_scalesim,
        "overall_util_pct": 100.0 * report.overall_utilization,
        "mapping_efficiency_pct": 100.0 * report.mapping_efficiency,
        "compute_util_pct": 100.0 * report.compute_utilization_scalesim,
    }


def evaluate_case(case: dict[str, Any], stall_free: bool = True) -> SystolicReport:
    return evaluate(config_of(case, stall_free), layer_of(case))


def mismatches(case: dict[str, Any], rel_tol: float = 1e-9) -> dict[str, tuple[float, float]]:
    """{quantity: (scalesim, ours)} for every report quantity that differs."""
    ours = report_items(evaluate_case(case))
    diffs = {}
    for key in EXACT_KEYS:
        if float(case[key]) != float(ours[key]):
            diffs[key] = (case[key], ours[key])
    for key in PERCENT_KEYS:
        if abs(case[key] - ours[key]) > rel_tol * max(1.0, abs(case[key])):
            diffs[key] = (case[key], ours[key])
    return diffs
