"""The published GPU fixture: sourced figures only, time derived from the rate and the work."""

from __future__ import annotations

import pytest

from validate.published import published_frame, published_rates
from validate.runner import PUBLISHED_FIXTURE
from validate.store import read_measurements


def test_committed_fixture_matches_the_sourced_table():
    committed = read_measurements(PUBLISHED_FIXTURE)
    fresh = published_frame()
    assert committed["case"].tolist() == fresh["case"].tolist()
    assert committed["median_s"].tolist() == pytest.approx(fresh["median_s"].tolist(), rel=1e-9)
    assert (committed["source"] == "published").all() and (committed["timer"] == "published").all()
    assert committed["citation"].str.len().min() > 20


def test_h200_decode_time_by_hand():
    # gpu.md section 7: H200 decode BF16 at 16k is 4.31 TB/s; batch 64, 4 kv heads, d 128.
    kv_bytes = 2 * 64 * 4 * 16384 * 128 * 2
    q_and_o = 2 * 64 * 64 * 128 * 2
    row = next(r for r in published_rates() if r.device_name == "NVIDIA H200"
               and r.case.family == "decode_attention" and r.case.dtype == "bf16" and r.case.params["kv_len"] == 16384)
    assert row.rate == 4.31
    assert row.seconds == pytest.approx((kv_bytes + q_and_o) / 4.31e12)


def test_prefill_rows_state_their_assumptions():
    for item in published_rates():
        if item.case.family == "sdpa_prefill":
            assert "assumed" in item.note
        assert item.citation


def test_committed_cpu_measurements_rebuild_a_report_for_every_family():
    from validate.cases import FAMILIES
    from validate.report import compare
    from validate.runner import CPU_MEASUREMENTS

    frame = read_measurements(CPU_MEASUREMENTS)
    assert set(frame["family"]) == set(FAMILIES)
    assert (frame["source"] == "measured").all() and (frame["device_kind"] == "cpu").all()
    report = compare(frame)
    assert set(report.summary["family"]) == set(FAMILIES)
    assert report.comparison["estimated_s"].notna().all()
