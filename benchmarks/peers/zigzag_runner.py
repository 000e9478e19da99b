"""Run ZigZag (zigzag-dse) on GEMM-like layers and print one JSON line per case.

Runs INSIDE a ZigZag virtual environment (it imports ``zigzag``)::

    /tmp/venv-zigzag/bin/python benchmarks/peers/zigzag_runner.py CASES.json > RESULTS.jsonl

CASES.json: list of {name, rows, cols, M, N, K, heads, lpf_limit[, temporal_ordering]}.  Hardware is the wheel's
``tpu_like`` weight-stationary systolic design with its PE array resized to rows x cols.
GEMM out[m, n] = sum_k a[m, k] * b[k, n] is written in ZigZag's conv names: B = m,
K = n (output channels), C = k (input channels), and H = heads for batched attention QK^T.
The spatial mapping is fixed, as in the bundled tpu_like mapping: K over D1 (rows), C over D2
(columns); LOMA searches temporal mappings for minimal latency.  Cost-model evaluations are
counted by wrapping ZigZag's CostModelStage.

Loop orderings are INNERMOST FIRST everywhere (input and output), which is ZigZag's own convention:
``LayerTemporalOrdering.to_legacy_format`` hands the mapping's ``temporal_ordering`` list to
``MemoryAllocator`` unchanged, and ``MemoryAllocator.allocate_node`` walks the memories bottom-up
(``memory_hierarchy.topological_sort()``), giving each one a prefix ``unallocated[:idx]`` of the remaining
list, so element 0 lands in the lowest memory level, i.e. is the innermost loop.

A case may carry ``"temporal_ordering": [[dim, factor], ...]`` (innermost first, ZigZag dim names B, K, C, H).
It is written to the mapping's ``temporal_ordering`` key, so ZigZag skips LOMA and allocates exactly that
ordering to the memories (one cost-model evaluation).  The factors of each dim must multiply to its temporal
loop size after the spatial unrolling (ZigZag's ``LayerTemporalOrdering.is_complete``: ceil(N / rows) for K,
ceil(K / cols) for C, M for B, heads for H; dims of size 1 need no loop); otherwise ZigZag would silently
fall back to a constrained search, so the runner reports an ``error`` instead.

Output keys beyond the scalar results (operands O, I, W; memory levels innermost first):
``search`` ("loma" or "fixed"), ``temporal_ordering`` ([[dim, factor], ...] innermost first, the best
mapping's ordering, which reproduces it when fed back), ``temporal_mapping_loops`` ({operand: [[[dim, factor],
...] per memory level]}, ZigZag's ``mapping_dic_stationary``, the form the cost model uses and ``temporal_mapping``
prints, where loops irrelevant to an operand at the bottom of a level are merged down into the level below),
``allocated_mapping_loops`` (same shape, ``mapping_dic_origin``: where MemoryAllocator put each loop), and
``memory_levels`` ({operand: [memory names]}).
"""

import importlib.resources
import json
import os
import sys
import tempfile
import time

import yaml


def _hardware(rows, cols, folder):
    source = importlib.resources.files("zigzag") / "inputs" / "hardware" / "tpu_like.yaml"
    data = yaml.safe_load(source.read_text())
    data["name"] = f"tpu_like_{rows}x{cols}"
    data["operational_array"]["sizes"] = [rows, cols]
    path = os.path.join(folder, "hardware.yaml")
    with open(path, "w") as handle:
        yaml.safe_dump(data, handle, sort_keys=False)
    return path


def _workload(case, folder):
    heads = case.get("heads", 1)
    if heads > 1:
        equation = "O[h][b][k]+=I[h][b][c]*W[h][c][k]"
        dims, sizes = ["H", "B", "K", "C"], [heads, case["M"], case["N"], case["K"]]
    else:
        equation = "O[b][k]+=I[b][c]*W[c][k]"
        dims, sizes = ["B", "K", "C"], [case["M"], case["N"], case["K"]]
    layer = {"id": 0, "name": case["name"], "operator_type": "Gemm", "equation": equation,
             "loop_dims": dims, "loop_sizes": sizes,
             "operand_precision": {"I": 8, "W": 8, "O": 16, "O_final": 8}}
    path = os.path.join(folder, "workload.yaml")
    with open(path, "w") as handle:
        yaml.safe_dump([layer], handle, sort_keys=False)
    return path


def _mapping(rows, cols, folder, ordering=None):
    mapping = [{"name": "default",
                "spatial_mapping": {"D1": [f"K, {rows}"], "D2": [f"C, {cols}"]},
                "memory_operand_links": {"O": "O", "W": "I2", "I": "I1"}}]
    if ordering:
        mapping[0]["temporal_ordering"] = [[str(dim), int(factor)] for dim, factor in ordering]
    path = os.path.join(folder, "mapping.yaml")
    with open(path, "w") as handle:
        yaml.safe_dump(mapping, handle, sort_keys=False)
    return path


class _Counter:
    """Counts cost-model evaluations and the time spent inside them."""

    def __init__(self):
        from zigzag.stages.evaluation.cost_model_evaluation import CostModelStage

        self.calls = 0
        self.seconds = 0.0
        original = CostModelStage.run
        counter = self

        def counted(stage):
            start = time.perf_counter()
            items = list(original(stage))
            counter.seconds += time.perf_counter() - start
            counter.calls += 1
            yield from items

        CostModelStage.run = counted


def _reject_incomplete_orderings():
    """Make an incomplete user ordering an error instead of ZigZag's silent fallback to a constrained search."""
    from zigzag.workload.layer_attributes import LayerTemporalOrdering

    original = LayerTemporalOrdering.is_complete

    def checked(ordering, temporal_loop_sizes):
        complete = original(ordering, temporal_loop_sizes)
        if complete or ordering.is_empty():
            return complete
        given = [[str(dim), factor] for dim, factor in ordering.data]
        needed = {str(dim): size for dim, size in temporal_loop_sizes.items()}
        raise ValueError(f"temporal_ordering {given} does not multiply to the temporal loop sizes {needed}")

    LayerTemporalOrdering.is_complete = checked


def _number(value):
    value = float(value)
    return int(value) if value.is_integer() else value


def _loops(loops):
    return [[str(dim), _number(factor)] for dim, factor in loops]


def _levels(mapping_dict, operands):
    return {str(operand): [_loops(level) for level in mapping_dict[operand]] for operand in operands}


def _memory_levels(cme, operands):
    links = cme.layer.memory_operand_links
    hierarchy = cme.accelerator.mem_hierarchy_dict
    return {str(operand): [level.name for level in hierarchy[links.layer_to_mem_op(operand)]] for operand in operands}


def _mapping_details(cme):
    mapping = getattr(cme, "temporal_mapping", None)
    if mapping is None:
        return {}
    operands = mapping.operand_list
    allocated = mapping.mapping_dic_origin
    return dict(temporal_ordering=_loops(loop for level in allocated[operands[0]] for loop in level),
                temporal_mapping_loops=_levels(mapping.mapping_dic_stationary, operands),
                allocated_mapping_loops=_levels(allocated, operands), memory_levels=_memory_levels(cme, operands))


def run_case(case, counter):
    from zigzag.api import get_hardware_performance_zigzag

    with tempfile.TemporaryDirectory() as folder:
        hardware = _hardware(case["rows"], case["cols"], folder)
        workload = _workload(case, folder)
        mapping = _mapping(case["rows"], case["cols"], folder, case.get("temporal_ordering"))
        calls, seconds = counter.calls, counter.seconds
        start = time.perf_counter()
        start_cpu = time.process_time()
        energy, latency, cmes = get_hardware_performance_zigzag(
            workload, hardware, mapping, opt="latency", lpf_limit=case.get("lpf_limit", 6),
            dump_folder=os.path.join(folder, "out"), loma_show_progress_bar=False)
        wall = time.perf_counter() - start
        cpu = time.process_time() - start_cpu
    best = cmes[0][1][0][0] if cmes and cmes[0][1] else cmes[0][0]
    result = dict(case)
    result.update(
        latency_cycles=float(latency), energy_pj=float(energy), wall_s=wall, cpu_s=cpu,
        evaluations=counter.calls - calls, cost_model_s=counter.seconds - seconds,
        ideal_cycle=float(getattr(best, "ideal_cycle", float("nan"))),
        ideal_temporal_cycle=float(getattr(best, "ideal_temporal_cycle", float("nan"))),
        onload_cycles=float(getattr(best, "data_onloading_cycle", float("nan"))),
        offload_cycles=float(getattr(best, "data_offloading_cycle", float("nan"))),
        systolic_drain_cycles=float(getattr(best, "systolic_drain_cycle", float("nan"))),
        latency_total0=float(getattr(best, "latency_total0", float("nan"))),
        temporal_mapping=str(getattr(best, "temporal_mapping", "")),
        search="fixed" if case.get("temporal_ordering") else "loma",
    )
    result.update(_mapping_details(best))
    return result


def main(argv):
    with open(argv[1]) as handle:
        cases = json.load(handle)
    import logging

    logging.disable(logging.WARNING)
    counter = _Counter()
    _reject_incomplete_orderings()
    for case in cases:
        try:
            result = run_case(case, counter)
        except Exception as error:  # report the peer's failure and go on
            result = dict(case, error=f"{type(error).__name__}: {error}")
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv)
