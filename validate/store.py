"""Stored results: the file schema of measurements and comparisons (CSV or Parquet).

A measurement file holds one row per timed kernel with everything needed to rebuild a
report later without the device: the case (family, params, dtype), the statistics of
the runs, and the environment (device, driver, versions, clocks). Column names and
meanings are listed in ``MEASUREMENT_COLUMNS`` and in docs/validation.md.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from specbase.errors import SpecError

MEASUREMENT_COLUMNS: dict[str, str] = {
    "run_id": "identifier shared by all rows of one `sim validate` run",
    "timestamp_utc": "ISO-8601 time the case was measured",
    "source": "'measured' (timed here) or 'published' (a figure from a cited source)",
    "citation": "for published rows: where the figure comes from",
    "family": "kernel family: matmul, softmax, layernorm, sdpa_prefill, decode_attention",
    "case": "case identifier (family, shape, dtype)",
    "params_json": "shape parameters as a JSON object",
    "dtype": "fp32, fp16 or bf16",
    "flops": "useful FLOPs of the case (multiply-add = 2; causal attention = half the scores)",
    "compulsory_bytes": "bytes of inputs read once plus outputs written once",
    "device_kind": "cpu or cuda",
    "device_name": "CPU model or GPU name",
    "driver_version": "GPU driver (empty on CPU)",
    "torch_version": "torch.__version__",
    "numpy_version": "numpy.__version__",
    "python_version": "Python version",
    "threads": "torch intra-op threads",
    "clock_hz_start": "core/SM clock read before the run, Hz (empty if unknown)",
    "clock_hz_end": "core/SM clock read after the run, Hz",
    "clock_hz_max": "maximum SM clock reported by the driver, Hz",
    "memory_clock_hz": "memory clock, Hz",
    "throttle_reasons": "active clock throttle reasons reported by the driver",
    "load_average": "host one-minute load average when the run started (CPU contention)",
    "host_busy_fraction": "share of all cores other processes used while this case was timed (0 = idle host)",
    "timer": "perf_counter, cuda_event, or published",
    "flush_bytes": "bytes overwritten before each timed call to evict caches (0: no flush)",
    "warmup_runs": "untimed calls before measurement",
    "repeats": "timed calls",
    "median_s": "median time of one call, s (published rows: work / published rate)",
    "p25_s": "25th percentile, s",
    "p75_s": "75th percentile, s",
    "min_s": "fastest call, s",
    "max_s": "slowest call, s",
    "mean_s": "mean, s",
    "iqr_fraction": "(p75 - p25) / median",
    "noisy": "true when the spread exceeds the noise threshold or too few runs were taken",
    "arch": "architecture preset the simulator compares against",
    "notes": "free text (assumptions, warnings)",
}

COMPARISON_COLUMNS: dict[str, str] = {
    "family": "kernel family", "case": "case identifier", "dtype": "data type", "shape": "shape parameters",
    "source": "measured or published", "arch": "architecture preset simulated",
    "workload": "workload preset simulated",
    "measured_s": "median measured time, s", "estimated_s": "simulated latency, s",
    "rel_error": "(estimated - measured) / measured", "abs_rel_error": "|rel_error|",
    "measured_gflops": "flops / measured_s / 1e9", "estimated_gflops": "flops / estimated_s / 1e9",
    "measured_gbps": "compulsory_bytes / measured_s / 1e9", "bound": "what limits the estimate",
    "model": "which simulator model produced the estimate", "noisy": "measurement flagged noisy",
    "contended": "other processes used more than 10% of the cores while the case was timed",
    "notes": "simulation or measurement notes",
}

SUMMARY_COLUMNS: dict[str, str] = {
    "family": "kernel family", "source": "measured or published", "cases": "cases compared",
    "mape": "mean |rel_error| over the family's cases with an estimate",
    "median_ape": "median |rel_error|", "max_ape": "largest |rel_error|",
    "mean_signed_error": "mean rel_error (positive: simulator slower than measured)",
    "clean_cases": "cases neither noisy nor contended", "clean_mape": "MAPE over the clean cases",
    "missing_estimates": "cases the simulator could not estimate",
}

_FORMATS = (".csv", ".parquet")


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as CSV or Parquet, chosen by the file extension."""
    path = Path(path)
    _check_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


def read_measurements(path: str | Path) -> pd.DataFrame:
    """Read and check a measurement file; a missing column is a SpecError naming it."""
    path = Path(path)
    _check_format(path)
    if not path.exists():
        raise SpecError.single(str(path), "", "measurement file not found")
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, keep_default_na=False,
                                                                                 na_values=[""])
    missing = [c for c in MEASUREMENT_COLUMNS if c not in frame.columns]
    if missing:
        raise SpecError.single(str(path), missing[0], f"missing column(s) {', '.join(missing)}",
                               allowed=", ".join(MEASUREMENT_COLUMNS))
    frame["noisy"] = frame["noisy"].map(_as_bool)
    for text_col in ("citation", "notes", "driver_version", "throttle_reasons", "arch"):
        frame[text_col] = frame[text_col].astype("string").fillna("").astype(str)
    return frame


def measurement_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows in the documented column order; unknown keys are an error."""
    extra = sorted({k for row in rows for k in row} - set(MEASUREMENT_COLUMNS))
    if extra:
        raise ValueError(f"unknown measurement columns {extra}")
    return pd.DataFrame(rows, columns=list(MEASUREMENT_COLUMNS))


def _as_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _check_format(path: Path) -> None:
    if path.suffix not in _FORMATS:
        raise SpecError.single(str(path), "", f"unsupported results format {path.suffix!r}",
                               allowed=", ".join(_FORMATS))
