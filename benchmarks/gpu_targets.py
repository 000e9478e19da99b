"""Print the GPU model's published-target table (model vs paper) and how long the model takes.

Run: python benchmarks/gpu_targets.py
"""

from __future__ import annotations

import time

from sim import api
from sim.gpu.splitkv import num_splits_heuristic


def _fa(arch, **params):
    return api.simulate(arch, "flash_attention", params)


def _rows():
    r = _fa("h100", seq_len=16384, head_dim=128)
    yield "H100 FA3 fp16 d=128 16k TFLOP/s", r.metrics["tflops"], 740.0
    r = _fa("b200", seq_len=16384, head_dim=128, dtype="bf16")
    yield "B200 FA4-style bf16 d=128 16k TFLOP/s", r.metrics["tflops"], 1613.0
    fracs = [_fa("a100", seq_len=s, head_dim=d).metrics["tensor_peak_fraction"]
             for d in (64, 128) for s in (1024, 4096, 16384)]
    yield "A100 FA2 min fraction of peak (d 64/128, 1k-16k)", min(fracs), 0.50
    yield "A100 FA2 max fraction of peak (d 64/128, 1k-16k)", max(fracs), 0.73
    d = api.simulate("h200", "flash_decoding", {"seq_len": 65536})
    yield "H200 decode bf16 64k achieved HBM TB/s", d.metrics["achieved_hbm_bytes_per_s"] / 1e12, 4.37
    d = api.simulate("b200", "flash_decoding", {"seq_len": 65536})
    yield "B200 decode bf16 64k achieved HBM TB/s", d.metrics["achieved_hbm_bytes_per_s"] / 1e12, 7.10
    yield "FlashDecoding splits, 48 units on 108 SMs", num_splits_heuristic(48, 108, 64), 2
    for arch in ("h100", "b200"):
        dense = api.simulate(arch, "blasst", {"sparsity": 0.0}).latency_s
        for s, paper in ((0.49, 1.33), (0.76, 1.56), (0.94, 1.79), (0.985, 1.83)):
            sparse = api.simulate(arch, "blasst", {"sparsity": s}).latency_s
            yield f"{arch} BLASST prefill 16k speedup at {s:.1%} (paper: B200)", dense / sparse, paper
    for arch, paper in (("h100", 0.5), ("b200", 1.0)):
        yield f"{arch} exp / MMA time at d=128", _fa(arch).metrics["exp_to_mma_time_ratio"], paper
    for arch, seq, paper in (("h200", 16384, 594), ("h200", 65536, 610), ("b200", 16384, 1029), ("b200", 65536, 1038)):
        p = api.simulate(arch, "flash_attention", {"seq_len": seq, "batch": 1, "heads": 64, "head_dim": 128,
                                                   "dtype": "bf16", "causal": 1})
        yield f"{arch} causal {seq // 1024}k TFLOP/s vs TRT-LLM kernel (not modelled)", p.metrics["tflops"], paper


def main() -> None:
    start = time.perf_counter()
    print(f"{'target':58s} {'model':>10s} {'paper':>10s} {'rel err':>8s}")
    for name, model, paper in _rows():
        print(f"{name:58s} {model:10.3f} {paper:10.3f} {(model - paper) / paper:8.1%}")
    print(f"\nmodel time for the whole table: {time.perf_counter() - start:.2f} s")
    for wl in ("flash_attention", "flash_decoding", "gemm", "softmax_3pass"):
        t = time.perf_counter()
        for _ in range(5):
            api.simulate("h100", wl)
        print(f"sim run h100 {wl}: {(time.perf_counter() - t) / 5 * 1e3:.1f} ms per call")


if __name__ == "__main__":
    main()
