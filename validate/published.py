"""Published GPU figures, kept as a recorded fixture in the measurement schema.

These are NOT measurements taken by this project. Each row is a rate printed in a cited
source (copied from shared/reference/gpu.md, which names the source), turned into a
time with the case's work: time = FLOPs / (TFLOP/s) for prefill attention, and
time = bytes / (TB/s) for decode attention. Assumptions needed to do that (causal
masking, the shape behind an "up to" figure) are written into each row's notes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from validate.cases import KernelCase
from validate.store import MEASUREMENT_COLUMNS, measurement_frame

TRTLLM = ("NVIDIA/TensorRT-LLM docs/source/blogs/tech_blog/blog16_Accelerating_Long_Context_Inference_with_"
          "Skip_Softmax_Attention.md, dense (0% sparsity) kernel rates; via shared/reference/gpu.md section 7")
FA3 = "Shah et al., FlashAttention-3, arXiv 2407.08608 (abstract: 'up to 740 TFLOPs/s'); via gpu.md section 3"
TRTLLM_PREFILL_NOTE = ("published rate; setup 64 q-heads, 4 kv-heads, d=128, batch 1; causal masking and "
                       "causal FLOPs (half the score matrix) are assumed: the sheet does not state them")
TRTLLM_DECODE_NOTE = ("published rate; setup 64 q-heads, 4 kv-heads, d=128, batch 64; time = KV-cache bytes "
                      "(+ Q and O) / rate")
FA3_NOTE = ("published 'up to' rate; the shape is not in the reference sheet: assumed the FA3 benchmark "
            "layout (batch x seq = 16k, heads x d = 2048) at seq 16k, d 256, non-causal (unverified)")


@dataclass(frozen=True)
class PublishedRate:
    """A rate from a cited source: ``tflops`` (10^12 FLOP/s) or ``tbps`` (10^12 bytes/s)."""

    device_name: str
    arch: str
    case: KernelCase
    rate: float
    metric: str
    citation: str
    note: str

    @property
    def seconds(self) -> float:
        work = self.case.flops if self.metric == "tflops" else self.case.compulsory_bytes
        return work / (self.rate * 1e12)


def _prefill(seq: int, dtype: str) -> KernelCase:
    return KernelCase("sdpa_prefill", {"batch": 1, "heads": 64, "seq": seq, "head_dim": 128, "causal": 1}, dtype)


def _decode(seq: int, dtype: str) -> KernelCase:
    return KernelCase("decode_attention", {"batch": 64, "q_heads": 64, "kv_heads": 4, "kv_len": seq,
                                           "head_dim": 128}, dtype)


_TRTLLM_TABLE = {
    # (device, arch preset): {seq: (prefill bf16, prefill fp8, decode bf16, decode fp8)}; gpu.md section 7.
    ("NVIDIA H200", "h200"): {16384: (594, 853, 4.31, 4.03), 65536: (610, 874, 4.37, 4.10)},
    ("NVIDIA B200", "b200"): {16384: (1029, 1524, 7.08, 5.46), 65536: (1038, 1621, 7.10, 5.68)},
}


def published_rates() -> list[PublishedRate]:
    rates = []
    for (device, arch), by_seq in _TRTLLM_TABLE.items():
        for seq, (pre_bf16, pre_fp8, dec_bf16, dec_fp8) in by_seq.items():
            rates += [
                PublishedRate(device, arch, _prefill(seq, "bf16"), pre_bf16, "tflops", TRTLLM, TRTLLM_PREFILL_NOTE),
                PublishedRate(device, arch, _prefill(seq, "fp8"), pre_fp8, "tflops", TRTLLM, TRTLLM_PREFILL_NOTE),
                PublishedRate(device, arch, _decode(seq, "bf16"), dec_bf16, "tbps", TRTLLM, TRTLLM_DECODE_NOTE),
                PublishedRate(device, arch, _decode(seq, "fp8"), dec_fp8, "tbps", TRTLLM, TRTLLM_DECODE_NOTE),
            ]
    fa3_case = KernelCase("sdpa_prefill", {"batch": 1, "heads": 8, "seq": 16384, "head_dim": 256, "causal": 0}, "fp16")
    rates.append(PublishedRate("NVIDIA H100 SXM5", "h100", fa3_case, 740, "tflops", FA3, FA3_NOTE))
    return rates


def published_frame() -> pd.DataFrame:
    """The fixture as measurement rows (source='published', timer='published')."""
    rows = []
    for item in published_rates():
        seconds = item.seconds
        row = dict.fromkeys(MEASUREMENT_COLUMNS, None)
        row.update({
            "run_id": "published", "timestamp_utc": "", "source": "published", "citation": item.citation,
            "family": item.case.family, "case": item.case.name, "params_json": item.case.params_json(),
            "dtype": item.case.dtype, "flops": item.case.flops, "compulsory_bytes": item.case.compulsory_bytes,
            "device_kind": "cuda", "device_name": item.device_name, "driver_version": "", "timer": "published",
            "flush_bytes": 0, "warmup_runs": 0, "repeats": 0, "median_s": seconds, "p25_s": seconds,
            "p75_s": seconds, "min_s": seconds, "max_s": seconds, "mean_s": seconds, "iqr_fraction": 0.0,
            "noisy": False, "arch": item.arch,
            "notes": f"{item.note}; published {item.rate:g} {'TFLOP/s' if item.metric == 'tflops' else 'TB/s'}",
        })
        rows.append(row)
    return measurement_frame(rows)


def write_fixture(path: str | None = None) -> str:
    """Regenerate validate/data/gpu_published.csv: ``python -m validate.published``."""
    from pathlib import Path

    from validate.store import write_table

    target = Path(path) if path else Path(__file__).parent / "data" / "gpu_published.csv"
    return str(write_table(published_frame(), target))


if __name__ == "__main__":
    print(write_fixture())
