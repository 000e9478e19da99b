"""Throughput of the tile-level engine: tiles simulated per second, mappings evaluated per second.

Run: ``python benchmarks/bench_engine.py`` (add ``--quick`` for smaller cases).

- *walk*: every tile (task) of the schedule is simulated by the Numba kernel;
- *closed form*: identical iterations are skipped once the schedule repeats (exact);
- *program*: building the task program of a fused group whose nested group has thousands of
  sub-iterations (every sub-iteration is a task of the outer body), and its schedule;
- *mappings/s*: candidate mappings through :func:`sim.engine.evaluate.latency_cycles`
  (counts, feasibility, program, schedule), the mapper's inner loop;
- *batched mappings/s*: the same candidates as arrays through :func:`sim.engine.batch.evaluate_batch`
  (one :func:`sim.engine.batch.prepare` per template; one core; encoding the mappings into arrays,
  which a mapper does directly, is not timed; the latencies are checked against the per-mapping path);
- *BatchEvaluator*: ``Mapping`` objects end to end (grouped by structure, encoded, kernel), templates warm.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import random
import time
from pathlib import Path

import yaml

import arch
import workloads
from sim.engine.batch import BatchEvaluator, prepare
from sim.engine.default import default_mapping
from sim.engine.evaluate import evaluate_many, plan
from sim.engine.mapping import mapping_from_dict
from sim.engine.schedule import schedule

EXAMPLE = Path(__file__).parents[1] / "sim" / "engine" / "examples" / "fusemax_binding.yaml"


def _timed(fn, repeat: int = 3):
    best = float("inf")
    out = None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return out, best


def tiles_per_second(name: str, hw, wl, mapping) -> None:
    p = plan(hw, wl, mapping)
    schedule(p.phases[:1], shortcut=False, timeline_rows=0)
    walked, t_walk = _timed(lambda: schedule(p.phases, shortcut=False, timeline_rows=0), repeat=1)
    fast, t_fast = _timed(lambda: schedule(p.phases, shortcut=True, timeline_rows=0))
    assert abs(fast.latency_cycles - walked.latency_cycles) <= 1e-6 * walked.latency_cycles
    print(f"{name}: {walked.tasks_total:,} tiles; walk {t_walk:.3f} s = {walked.tasks_walked / t_walk:,.0f} tiles/s; "
          f"closed form {t_fast * 1e3:.1f} ms = {fast.tasks_total / t_fast:,.0f} tiles/s effective "
          f"({fast.tasks_walked:,} walked); latency {fast.latency_cycles:,.0f} cycles")


def program_tasks_per_second(name: str, hw, wl, mapping) -> None:
    p, t_plan = _timed(lambda: plan(hw, wl, mapping))
    sched, t_sched = _timed(lambda: schedule(p.phases, shortcut=True, timeline_rows=0))
    body = sum(len(ph.tasks) for ph in p.phases)
    print(f"{name}: program of {body:,} tasks per body in {t_plan:.3f} s (counts, costs, program) = "
          f"{body / t_plan:,.0f} tasks/s; schedule {t_sched:.3f} s ({sched.tasks_walked:,} of "
          f"{sched.tasks_total:,} tiles walked)")


def gemm_candidates(hw, wl, limit: int):
    sizes = dict(wl.ranks)
    splits = [1, 2, 4, 8, 16, 32, 64]
    space = list(itertools.product(splits, splits, splits, itertools.permutations("mnk")))
    random.Random(0).shuffle(space)
    for fm, fn, fk, order in space:
        dram = {"m": fm, "n": fn, "k": fk}
        if any(sizes[r] % (dram[r] * (16 if r in "mn" else 1)) for r in "mnk"):
            continue
        yield mapping_from_dict({"einsums": {"Z": {"unit": "PEArray", "levels": {
            "DRAM": {"temporal": [{r: dram[r]} for r in order]},
            "GlobalBuffer": {"temporal": ["m", "n", "k"], "spatial": [{"m": 16, "axis": 0}, {"n": 16, "axis": 1}]},
        }}}}, hw, wl)
        limit -= 1
        if limit == 0:
            return


def attention_candidates(hw, wl, limit: int):
    base = yaml.safe_load(EXAMPLE.read_text())["mapping"]
    for p2, m1_overlap, p2_overlap in itertools.product([4, 8, 16], ["sequential", "stall", "pipelined"],
                                                        ["sequential", "pipelined"]):
        data = copy.deepcopy(base)
        data["fusion"][0]["loops"] = ["b", "h", {"p": p2}]
        data["fusion"][0]["overlap"] = p2_overlap
        data["fusion"][0]["children"][0]["overlap"] = m1_overlap
        yield mapping_from_dict(data, hw, wl)
        limit -= 1
        if limit == 0:
            return


def mappings_per_second(name: str, hw, wl, candidates) -> None:
    candidates = list(candidates)
    evaluate_many(hw, wl, candidates[:1])
    out, seconds = _timed(lambda: evaluate_many(hw, wl, candidates), repeat=1)
    feasible = sum(x is not None for x in out)
    print(f"{name}: {len(candidates)} mappings ({feasible} feasible) in {seconds:.2f} s = "
          f"{len(candidates) / seconds:,.1f} mappings/s")


def batched_mappings_per_second(name: str, hw, wl, candidates, repeat: int = 1) -> None:
    """Group candidates by structure (template), prepare each once, evaluate the arrays in batches."""
    candidates = list(candidates)
    reference = evaluate_many(hw, wl, candidates)
    groups: dict[tuple, list[int]] = {}
    for i, m in enumerate(candidates):
        groups.setdefault((m.root, tuple((n, e.unit) for n, e in m.einsums.items())), []).append(i)
    prepared, t_prepare = _timed(lambda: [prepare(hw, wl, candidates[ix[0]]) for ix in groups.values()], repeat=1)
    arrays = [p.encode([candidates[i] for i in ix] * repeat) for p, ix in zip(prepared, groups.values(), strict=True)]
    prepared[0].evaluate(arrays[0])
    results, seconds = _timed(lambda: [p.evaluate(a) for p, a in zip(prepared, arrays, strict=True)])
    for ix, result in zip(groups.values(), results, strict=True):
        for j, i in enumerate(ix):
            expected = reference[i]
            got = result.latency_cycles[j] if result.feasible[j] else None
            assert got == expected, (i, got, expected)
    count = sum(len(a) for a in arrays)
    print(f"{name} (batched): {count} mappings in {len(groups)} template(s): {seconds * 1e3:.1f} ms = "
          f"{count / seconds:,.0f} mappings/s; prepare {t_prepare / len(groups) * 1e3:.1f} ms per template")


def evaluator_mappings_per_second(name: str, hw, wl, candidates) -> None:
    """Mapping objects end to end through BatchEvaluator (grouping, encoding and kernel; templates warm)."""
    candidates = list(candidates)
    evaluator = BatchEvaluator(hw, wl)
    evaluator(candidates)
    out, seconds = _timed(lambda: evaluator(candidates))
    print(f"{name} (BatchEvaluator on Mapping objects): {len(candidates)} mappings ({int(out.feasible.sum())} "
          f"feasible) in {seconds * 1e3:.1f} ms = {len(candidates) / seconds:,.0f} mappings/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller cases")
    args = parser.parse_args()
    big = 2048 if args.quick else 8192
    teaching = arch.load_arch("teaching_array")
    gemm = workloads.load_workload("gemm", {"M": big, "N": big, "K": big})
    tiles_per_second(f"GEMM {big}^3 on teaching_array (default mapping)", teaching, gemm,
                     default_mapping(teaching, gemm))
    fusemax = arch.load_arch("fusemax")
    seq = 16384 if args.quick else 65536
    attn = workloads.load_workload("attention_1pass", {"M": seq, "P": seq})
    data = yaml.safe_load(EXAMPLE.read_text())["mapping"]
    data["fusion"][0]["loops"] = ["b", "h", {"p": seq // 1024}]
    data["fusion"][0]["overlap"] = "pipelined"
    mapping = mapping_from_dict(data, fusemax, attn)
    tiles_per_second(f"1-pass attention M=P={seq} on fusemax (+Binding mapping)", fusemax, attn, mapping)
    keys = 1 << 18 if args.quick else 1 << 20
    long = workloads.load_workload("attention_1pass", {"B": 1, "H": 12, "M": keys, "P": 1024})
    data["fusion"][0]["loops"] = ["b", "h", {"p": 1}]
    program_tasks_per_second(f"1-pass attention, {keys:,} keys = {keys // 256:,} key blocks (nested M1 group)",
                             fusemax, long, mapping_from_dict(data, fusemax, long))
    small = workloads.load_workload("gemm", {"M": 1024, "N": 1024, "K": 1024})
    gemm_list = list(gemm_candidates(teaching, small, 200 if args.quick else 1000))
    mappings_per_second("GEMM 1024^3 candidates on teaching_array", teaching, small, gemm_list)
    batched_mappings_per_second("GEMM 1024^3 candidates on teaching_array", teaching, small, gemm_list, repeat=10)
    evaluator_mappings_per_second("GEMM 1024^3 candidates on teaching_array", teaching, small, gemm_list)
    attn_small = workloads.load_workload("attention_1pass", {"M": 4096, "P": 4096})
    attn_list = list(attention_candidates(fusemax, attn_small, 18))
    mappings_per_second("1-pass attention 4K candidates on fusemax", fusemax, attn_small, attn_list)
    batched_mappings_per_second("1-pass attention 4K candidates on fusemax", fusemax, attn_small, attn_list,
                                repeat=200)
    evaluator_mappings_per_second("1-pass attention 4K candidates on fusemax", fusemax, attn_small, attn_list * 20)


if __name__ == "__main__":
    main()
