"""``sim reproduce fusemax``: runs, prints the comparison, rejects bad arguments clearly."""

import json

import pytest

from sim.cli import main
from sim.reproduce.fusemax import parse_length
from sim.reproduce.pareto import ParetoPoint, mark_pareto


def test_json_output_has_points_summary_and_comparison(capsys):
    code = main(["reproduce", "fusemax", "--models", "t5_small", "--lengths", "1K", "--no-pareto", "--no-e2e",
                 "--format", "json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    (point,) = data["points"]
    assert point["model"] == "T5-small (encoder)" and point["tokens"] == 1024
    assert point["speedup_vs_flat"] > 1 and point["speedup_vs_unfused"] > point["speedup_vs_flat"]
    keys = {row["key"] for row in data["comparison"]}
    assert {"attention_speedup_vs_flat", "fusemax_util2d_1k", "flat_util2d_e64"} <= keys


def test_table_output_names_the_targets(capsys):
    assert main(["reproduce", "fusemax", "--models", "bert_base", "--lengths", "1K", "--no-pareto"]) == 0
    out = capsys.readouterr().out
    assert "Summary vs the paper" in out and "End-to-end speedup vs FLAT" in out and "BERT-Base" in out


@pytest.mark.parametrize("args, fragment", [
    (["--lengths", "12Q"], "cannot read sequence length"),
    (["--models", "gpt9"], "unknown model 'gpt9'"),
    (["--lengths", "1000"], "not a multiple of the 256-PE array"),
])
def test_bad_arguments_are_spec_errors(capsys, args, fragment):
    assert main(["reproduce", "fusemax", "--no-pareto", *args]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "allowed" in err


def test_length_suffixes():
    assert parse_length("1K") == 1024 and parse_length("1m") == 1 << 20 and parse_length("4096") == 4096


def test_pareto_marks_only_undominated_points():
    points = [ParetoPoint("a", 16, 1.0, 10.0, 1.0), ParetoPoint("a", 32, 2.0, 5.0, 1.0),
              ParetoPoint("b", 16, 1.5, 12.0, 1.0), ParetoPoint("b", 32, 2.0, 5.0, 1.0)]
    flags = [p.pareto_optimal for p in mark_pareto(points)]
    assert flags == [True, True, False, True]
