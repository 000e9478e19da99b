import pytest

from specbase import SpecError, parse_overrides, resolve_parameters, split_overrides


def test_dependency_order_and_text_values():
    params = resolve_parameters({"M1": "M // M0", "M": 1024, "M0": 256, "dataflow": "ws",
                                 "layers": "64-32-10"}, {}, "f.yaml")
    assert params == {"M1": 4, "M": 1024, "M0": 256, "dataflow": "ws", "layers": "64-32-10"}


def test_overrides_propagate_to_dependents():
    params = resolve_parameters({"M": 1024, "M0": 256, "M1": "M // M0"}, {"M": 4096}, "f.yaml")
    assert params["M1"] == 16


def test_cycle_is_reported():
    with pytest.raises(SpecError, match="cycle: a, b"):
        resolve_parameters({"a": "b + 1", "b": "a + 1"}, {}, "f.yaml")


def test_unknown_override_lists_declared():
    with pytest.raises(SpecError) as info:
        resolve_parameters({"M": 1}, {"Q": 2}, "f.yaml")
    problem = info.value.problems[0]
    assert problem.path == "parameters.Q" and problem.allowed == "M"


def test_parse_overrides_types():
    assert parse_overrides(["M=512", "f=0.5", "dataflow=ws", "layers=64-32-10", "arch.rows=32"]) == {
        "M": 512, "f": 0.5, "dataflow": "ws", "layers": "64-32-10", "arch.rows": 32}


def test_parse_overrides_rejects_missing_equals():
    with pytest.raises(SpecError, match="expected NAME=VALUE"):
        parse_overrides(["M512"])


def test_split_routes_unique_names():
    routed = split_overrides({"rows": 32, "M": 512}, {"arch": ["rows"], "workload": ["M"]})
    assert routed == {"arch": {"rows": 32}, "workload": {"M": 512}}


def test_split_requires_qualifying_shared_names():
    with pytest.raises(SpecError) as info:
        split_overrides({"dtype": "fp8"}, {"arch": ["dtype"], "workload": ["dtype"]})
    assert info.value.problems[0].allowed == "arch.dtype, workload.dtype"
    routed = split_overrides({"workload.dtype": "fp8"}, {"arch": ["dtype"], "workload": ["dtype"]})
    assert routed["workload"] == {"dtype": "fp8"} and routed["arch"] == {}


def test_split_unknown_name_lists_both_scopes():
    with pytest.raises(SpecError) as info:
        split_overrides({"bogus": 1}, {"arch": ["rows"], "workload": ["M", "N"]})
    assert info.value.problems[0].allowed == "arch: rows; workload: M, N"
