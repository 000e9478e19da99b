from __future__ import annotations

import math

import pytest

from validate.cases import KernelCase
from validate.report import compare, markdown, write_report
from validate.simulate import Estimate
from validate.store import measurement_frame


def _row(case: KernelCase, seconds: float, source: str = "measured") -> dict:
    return {"run_id": "r1", "source": source, "family": case.family, "case": case.name,
            "params_json": case.params_json(), "dtype": case.dtype, "flops": case.flops,
            "compulsory_bytes": case.compulsory_bytes, "median_s": seconds, "noisy": False,
            "arch": "host_cpu", "notes": "", "device_kind": "cpu", "device_name": "t", "timer": "perf_counter",
            "flush_bytes": 0, "load_average": 0.0, "host_busy_fraction": 0.0, "threads": 2}


A = KernelCase("matmul", {"m": 8, "n": 8, "k": 8})
B = KernelCase("matmul", {"m": 16, "n": 8, "k": 8})
C = KernelCase("softmax", {"rows": 4, "cols": 8})


def _fake_estimator(table):
    def fake(case, hardware, workload):
        seconds = table[case.name]
        return Estimate(workload, seconds, "DRAM" if seconds == seconds else "", "fake", "")
    return fake


def test_relative_error_and_mape_by_hand():
    frame = measurement_frame([_row(A, 2.0), _row(B, 4.0), _row(C, 1.0)])
    est = _fake_estimator({A.name: 3.0, B.name: 3.0, C.name: float("nan")})
    report = compare(frame, estimator=est)
    rel = dict(zip(report.comparison["case"], report.comparison["rel_error"], strict=True))
    assert rel[A.name] == pytest.approx(0.5)      # (3 - 2) / 2
    assert rel[B.name] == pytest.approx(-0.25)    # (3 - 4) / 4
    assert math.isnan(rel[C.name])
    mm = report.summary.set_index("family").loc["matmul"]
    assert mm["mape"] == pytest.approx((0.5 + 0.25) / 2)
    assert mm["mean_signed_error"] == pytest.approx((0.5 - 0.25) / 2)
    assert mm["max_ape"] == pytest.approx(0.5)
    sm = report.summary.set_index("family").loc["softmax"]
    assert sm["cases"] == 0 and sm["missing_estimates"] == 1
    assert mm["clean_cases"] == 2 and mm["clean_mape"] == pytest.approx(0.375)
    assert report.family_mape()["matmul"] == pytest.approx(0.375)
    assert report.comparison.set_index("case").loc[A.name, "measured_gflops"] == pytest.approx(A.flops / 2.0 / 1e9)


def test_clean_mape_leaves_out_noisy_and_contended_rows():
    noisy, busy, fine = _row(A, 2.0), _row(B, 4.0), _row(C, 1.0)
    noisy["noisy"] = True
    busy["host_busy_fraction"] = 0.5
    frame = measurement_frame([noisy, busy, fine, {**_row(A, 2.0), "run_id": "r9"}])
    report = compare(frame, estimator=_fake_estimator({A.name: 4.0, B.name: 4.0, C.name: 1.5}))
    mm = report.summary.set_index("family").loc["matmul"]
    assert mm["cases"] == 3 and mm["clean_cases"] == 1
    assert mm["clean_mape"] == pytest.approx(1.0)        # only the quiet A row: (4 - 2) / 2
    assert mm["mape"] == pytest.approx((1.0 + 0.0 + 1.0) / 3)
    assert report.comparison["contended"].tolist() == [False, True, False, False]


def test_sources_are_scored_separately():
    frame = measurement_frame([_row(A, 2.0), _row(A, 1.0, "published")])
    report = compare(frame, estimator=_fake_estimator({A.name: 2.0}))
    mape = {(r.family, r.source): r.mape for r in report.summary.itertuples()}
    assert mape[("matmul", "measured")] == 0.0
    assert mape[("matmul", "published")] == pytest.approx(1.0)


def test_unknown_arch_becomes_a_note_not_a_crash():
    frame = measurement_frame([_row(A, 2.0)])
    report = compare(frame, arch_override="no_such_arch_preset")
    row = report.comparison.iloc[0]
    assert math.isnan(row["estimated_s"]) and "no estimate" in row["notes"]


def test_report_files(tmp_path):
    frame = measurement_frame([_row(A, 2.0), _row(C, 1.0)])
    report = compare(frame, estimator=_fake_estimator({A.name: 3.0, C.name: 0.5}))
    text = markdown(report, {"device": "cpu: test"})
    assert "| matmul | measured | 1 | 50.0% |" in text
    assert "+50.0%" in text and "-50.0%" in text
    files = write_report(report, tmp_path, {"device": "cpu: test"})
    for key in ("comparison", "summary", "markdown", "html", "environment"):
        assert files[key].exists() and files[key].stat().st_size > 0
    assert "vega" in files["html"].read_text().lower()


def test_cpu_rows_are_simulated_with_their_thread_count(tmp_path, host, calibration):
    from validate.calibrate import arch_document, write_arch

    path = write_arch(arch_document(calibration(threads=2), host), tmp_path / "cpu.yaml")
    big = KernelCase("matmul", {"m": 1024, "n": 1024, "k": 1024})
    one, two = _row(big, 1.0), _row(big, 1.0)
    one["threads"], one["run_id"] = 1, "r2"
    report = compare(measurement_frame([one, two]), arch_override=str(path))
    est = report.comparison["estimated_s"].tolist()
    assert est[0] > 1.5 * est[1], "one core has half the compute and private-cache bandwidth of two"
    from validate.simulate import load_hardware

    one_core = load_hardware(str(path), cores=1)
    assert one_core.compute[0].instances == 1 and one_core.level("L1").instances == 1
    assert one_core.level("DRAM").instances == 1 and one_core.section("cpu").core_count == 1
