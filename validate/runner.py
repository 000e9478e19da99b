"""The validation workflow: measure (or load stored measurements), simulate, report."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from specbase import SpecError
from validate.report import Report, compare, write_report
from validate.store import read_measurements, write_table

PUBLISHED_FIXTURE = Path(__file__).parent / "data" / "gpu_published.csv"
CPU_MEASUREMENTS = Path(__file__).parent / "data" / "cpu_host_measurements.csv"


@dataclass(frozen=True)
class MeasureRequest:
    """What to time: device, suite size, families, timing policy, flush and threads."""

    device: str = "auto"
    size: str = "default"
    families: tuple[str, ...] | None = None
    flush: bool = True
    threads: int | None = None


@dataclass(frozen=True)
class Outcome:
    measurements: pd.DataFrame
    report: Report
    files: Mapping[str, Path]
    environment: Mapping[str, Any]


def measure_suite(request: MeasureRequest, arch: str | None,
                  progress: Callable[[Any, dict], None] | None = None) -> pd.DataFrame:
    """Time the suite on the device; ``arch`` names the preset to compare against (default: by device)."""
    import torch

    from validate.measure import resolve_device, run_suite
    from validate.simulate import default_arch
    from validate.store import measurement_frame
    from validate.suites import suite
    from validate.timing import DEFAULT_POLICY, FULL_POLICY, QUICK_POLICY

    if request.threads:
        torch.set_num_threads(request.threads)
    try:
        device = resolve_device(torch, request.device)
    except RuntimeError as exc:
        raise SpecError.single("--device", request.device, str(exc), allowed="cpu, auto") from None
    policy = {"quick": QUICK_POLICY, "default": DEFAULT_POLICY, "full": FULL_POLICY}[request.size]
    if arch is None:
        name = torch.cuda.get_device_name(torch.device(device)) if device.startswith("cuda") else ""
        arch = default_arch("cuda" if device.startswith("cuda") else "cpu", name)
    cases = suite(device, request.size, request.families)
    return measurement_frame(run_suite(torch, cases, device, arch, policy, request.flush, progress))


def load_measurements(paths: Sequence[str | Path]) -> pd.DataFrame:
    return pd.concat([read_measurements(p) for p in paths], ignore_index=True)


def environment_of(measurements: pd.DataFrame, arch_override: str | None) -> dict[str, Any]:
    """The environment lines of the report, one per distinct device in the measurements."""
    env: dict[str, Any] = {}
    measured = measurements[measurements["source"] == "measured"]
    for i, (_, row) in enumerate(measured.drop_duplicates("run_id").iterrows()):
        tag = f" (run {i + 1})" if measured["run_id"].nunique() > 1 else ""
        env[f"device{tag}"] = f"{row['device_kind']}: {row['device_name']}"
        env[f"software{tag}"] = (f"torch {row['torch_version']}, numpy {row['numpy_version']}, "
                                 f"python {row['python_version']}, driver {row['driver_version'] or '-'}")
        env[f"threads / load average{tag}"] = f"{row['threads']} / {float(row['load_average']):.2f}"
        run_rows = measured[measured["run_id"] == row["run_id"]]
        env[f"other processes' share of the cores{tag}"] = _busy(run_rows["host_busy_fraction"].max())
        env[f"clock at start / end{tag}"] = f"{_hz(row['clock_hz_start'])} / {_hz(row['clock_hz_end'])}"
        env[f"timer / flush{tag}"] = f"{row['timer']} / {int(row['flush_bytes']) >> 20} MiB"
        env[f"run id{tag}"] = f"{row['run_id']} at {row['timestamp_utc']}"
    published = measurements[measurements["source"] == "published"]
    if len(published):
        env["published figures"] = (f"{len(published)} rows from cited sources (not measured here): "
                                    + "; ".join(sorted(set(published["citation"]))))
    env["architecture"] = arch_override or ", ".join(sorted(set(measurements["arch"])))
    return env


def _busy(value: Any) -> str:
    busy = float(value)
    if busy != busy:
        return "unknown"
    warning = " (other processes were using the cores: timings are inflated)" if busy > 0.1 else ""
    return f"up to {busy:.0%} of all cores while a case was timed{warning}"


def _hz(value: Any) -> str:
    try:
        return f"{float(value) / 1e9:.3f} GHz" if value == value and value is not None else "unknown"
    except (TypeError, ValueError):
        return "unknown"


def finish(measurements: pd.DataFrame, out_dir: str | Path, fmt: str, arch_override: str | None,
           workload_choices: Mapping[str, str] | None, save_measurements: bool) -> Outcome:
    """Simulate, score and write every file of the report."""
    out = Path(out_dir)
    files: dict[str, Path] = {}
    if save_measurements:
        files["measurements"] = write_table(measurements, out / f"measurements.{fmt}")
    report = compare(measurements, arch_override, workload_choices)
    environment = environment_of(measurements, arch_override)
    files.update(write_report(report, out, environment, fmt))
    return Outcome(measurements, report, files, environment)
