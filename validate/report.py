"""Measured vs simulated: the comparison table, MAPE per kernel family, and the report files.

A report is rebuilt from a measurement file alone (plus the simulator), so results taken
on a device can be re-scored later, on another machine, against a changed model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from specbase import SpecError
from validate.cases import FAMILIES, case_from_row
from validate.env import CONTENDED_FRACTION
from validate.simulate import Estimate, choose_workloads, estimate, load_hardware
from validate.store import COMPARISON_COLUMNS, SUMMARY_COLUMNS, write_table


@dataclass(frozen=True)
class Report:
    comparison: pd.DataFrame
    summary: pd.DataFrame

    def family_mape(self, source: str = "measured") -> dict[str, float]:
        rows = self.summary[self.summary["source"] == source]
        return dict(zip(rows["family"], rows["mape"], strict=True))


def compare(measurements: pd.DataFrame, arch_override: str | None = None,
            workload_choices: Mapping[str, str] | None = None,
            estimator: Callable[..., Estimate] = estimate) -> Report:
    """Simulate every measured row against its architecture and score the estimates."""
    workloads = choose_workloads(workload_choices)
    hardware_cache: dict[tuple, object] = {}
    rows = []
    for record in measurements.to_dict("records"):
        arch_name = arch_override or record["arch"]
        cores = _cores(record)
        if (arch_name, cores) not in hardware_cache:
            hardware_cache[arch_name, cores] = _load_or_error(arch_name, cores)
        hardware = hardware_cache[arch_name, cores]
        case = case_from_row(record["family"], record["params_json"], record["dtype"])
        if isinstance(hardware, Exception):
            est = Estimate(workloads[case.family], float("nan"), "", "", f"no estimate: {hardware}")
        else:
            est = estimator(case, hardware, workloads[case.family])
        rows.append(_comparison_row(record, case, arch_name, est))
    comparison = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    return Report(comparison, summarize(comparison))


def _cores(record: Mapping) -> int | None:
    """CPU rows were timed with ``threads`` threads: a calibrated arch is simulated with that many cores."""
    threads = record.get("threads")
    if record.get("device_kind") != "cpu" or threads is None or threads != threads:
        return None
    return int(threads)


def _load_or_error(arch_name: str, cores: int | None):
    try:
        return load_hardware(arch_name, cores)
    except (SpecError, OSError, ValueError, KeyError) as exc:
        return exc


def _comparison_row(record: Mapping, case, arch_name: str, est: Estimate) -> dict:
    measured = float(record["median_s"])
    rel = (est.estimated_s - measured) / measured if measured > 0 else float("nan")
    notes = "; ".join(n for n in (str(record.get("notes") or ""), est.notes) if n)
    return {
        "family": case.family, "case": case.name, "dtype": case.dtype, "shape": case.shape_label,
        "source": record["source"], "arch": arch_name, "workload": est.workload,
        "measured_s": measured, "estimated_s": est.estimated_s, "rel_error": rel, "abs_rel_error": abs(rel),
        "measured_gflops": case.flops / measured / 1e9,
        "estimated_gflops": case.flops / est.estimated_s / 1e9 if est.estimated_s > 0 else float("nan"),
        "measured_gbps": case.compulsory_bytes / measured / 1e9, "bound": est.bound, "model": est.model,
        "noisy": bool(record["noisy"]), "contended": _contended(record), "notes": notes,
    }


def _contended(record: Mapping) -> bool:
    busy = record.get("host_busy_fraction")
    try:
        return float(busy) > CONTENDED_FRACTION
    except (TypeError, ValueError):
        return False


def summarize(comparison: pd.DataFrame) -> pd.DataFrame:
    """MAPE, median and max APE, and the signed bias, per (family, source)."""
    out = []
    order = {f: i for i, f in enumerate(FAMILIES)}
    for (family, source), group in comparison.groupby(["family", "source"], sort=False):
        scored = group.dropna(subset=["rel_error"])
        clean = scored[~scored["noisy"].astype(bool) & ~scored["contended"].astype(bool)]
        out.append({
            "family": family, "source": source, "cases": len(scored),
            "mape": scored["abs_rel_error"].mean() if len(scored) else float("nan"),
            "median_ape": scored["abs_rel_error"].median() if len(scored) else float("nan"),
            "max_ape": scored["abs_rel_error"].max() if len(scored) else float("nan"),
            "mean_signed_error": scored["rel_error"].mean() if len(scored) else float("nan"),
            "clean_cases": len(clean),
            "clean_mape": clean["abs_rel_error"].mean() if len(clean) else float("nan"),
            "missing_estimates": len(group) - len(scored),
        })
    summary = pd.DataFrame(out, columns=list(SUMMARY_COLUMNS))
    return summary.sort_values(by=["source", "family"], key=lambda s: s.map(order) if s.name == "family" else s,
                               ignore_index=True)


def markdown(report: Report, environment: Mapping[str, object]) -> str:
    """A self-contained Markdown report: environment, MAPE per family, every case."""
    lines = ["# Validation report: measured vs simulated", "", "## Environment", ""]
    lines += [f"- **{k}**: {v}" for k, v in environment.items()]
    lines += ["", "## Error per kernel family", "", _md_table(report.summary, {
        "family": "family", "source": "source", "cases": "cases", "mape": "MAPE", "median_ape": "median APE",
        "max_ape": "max APE", "mean_signed_error": "mean signed", "clean_cases": "clean cases",
        "clean_mape": "clean MAPE", "missing_estimates": "no estimate"})]
    lines += ["", "Signed error > 0: the simulator is slower than the measurement. Clean cases are neither "
              "noisy (IQR > 10 % of the median) nor contended (other processes used > 10 % of the cores).",
              "", "## Cases", "",
              _md_table(report.comparison, {
                  "family": "family", "shape": "shape", "dtype": "dtype", "source": "source",
                  "measured_s": "measured ms", "estimated_s": "estimated ms", "rel_error": "rel. error",
                  "bound": "bound", "noisy": "noisy", "contended": "contended", "notes": "notes"})]
    return "\n".join(lines) + "\n"


def _md_table(frame: pd.DataFrame, columns: Mapping[str, str]) -> str:
    head = "| " + " | ".join(columns.values()) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(_fmt(col, row[col]) for col in columns) + " |" for _, row in frame.iterrows()]
    return "\n".join([head, rule, *body])


def _fmt(column: str, value: object) -> str:
    if isinstance(value, float):
        if value != value:
            return "–"
        if column.endswith("_s"):
            return f"{value * 1e3:.4g}"
        if "error" in column or "ape" in column:
            return f"{value:+.1%}" if column in ("rel_error", "mean_signed_error") else f"{value:.1%}"
        return f"{value:.4g}"
    return " ".join(str(value).split()).replace("|", "/")


def write_report(report: Report, out_dir: str | Path, environment: Mapping[str, object], fmt: str = "csv"
                 ) -> dict[str, Path]:
    """comparison.<fmt>, summary.<fmt>, report.md, report.html (and PNG when vl-convert is installed)."""
    from validate.plots import write_plots

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "comparison": write_table(report.comparison, out / f"comparison.{fmt}"),
        "summary": write_table(report.summary, out / f"summary.{fmt}"),
    }
    files["markdown"] = out / "report.md"
    files["markdown"].write_text(markdown(report, environment))
    (out / "environment.json").write_text(json.dumps(dict(environment), indent=2, default=str))
    files["environment"] = out / "environment.json"
    files.update(write_plots(report, out))
    return files
