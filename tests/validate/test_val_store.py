from __future__ import annotations

import pandas as pd
import pytest

from specbase import SpecError
from validate.published import published_frame
from validate.store import MEASUREMENT_COLUMNS, measurement_frame, read_measurements, write_table


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_round_trip_keeps_values_and_flags(tmp_path, suffix):
    frame = published_frame()
    frame.loc[0, "noisy"] = True
    back = read_measurements(write_table(frame, tmp_path / f"m{suffix}"))
    assert list(back.columns) == list(MEASUREMENT_COLUMNS)
    assert back["median_s"].tolist() == pytest.approx(frame["median_s"].tolist())
    assert back["noisy"].tolist() == [True] + [False] * (len(frame) - 1)
    assert back["case"].tolist() == frame["case"].tolist()


def test_missing_column_names_the_file_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    published_frame().drop(columns=["median_s"]).to_csv(path, index=False)
    with pytest.raises(SpecError, match=r"bad\.csv.*median_s"):
        read_measurements(path)


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(SpecError, match=r"allowed: \.csv, \.parquet"):
        write_table(pd.DataFrame(), tmp_path / "x.xlsx")
    with pytest.raises(SpecError, match="not found"):
        read_measurements(tmp_path / "none.csv")


def test_unknown_measurement_keys_are_rejected():
    with pytest.raises(ValueError, match="unknown measurement columns"):
        measurement_frame([{"median_s": 1.0, "speed": 3}])
