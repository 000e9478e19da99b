import pytest

import workloads
from specbase import SpecError

B, H, E, F, M, P, M0 = 64, 12, 64, 64, 1024, 1024, 256


def _workload(write_yaml, einsums, **extra):
    data = {"name": "w", "parameters": {"N": 8, "K": 4}, "ranks": {"n": "N", "k": "K"},
            "inputs": {"A": ["n", "k"], "x": ["k"]}, "einsums": einsums, **extra}
    return workloads.load_workload(write_yaml(data))


def _problems(write_yaml, einsums, **extra):
    with pytest.raises(SpecError) as info:
        _workload(write_yaml, einsums, **extra)
    return info.value.problems


def test_one_pass_attention_op_counts_by_hand():
    w = workloads.load_workload("attention_1pass")
    counts = {e.name: e.op_counts for e in w.einsums}
    M1 = M // M0
    assert counts["BQK"] == {"mac": B * H * M * P * E}
    assert counts["SLNV"] == {"mac": B * H * M * P * F}
    assert counts["SLN"] == {"exp": B * H * M * P, "add": B * H * M * P}
    assert counts["LM"] == {"max": B * H * M * P}
    assert counts["RM"] == {"max": B * H * M1 * P}
    assert counts["PRM"] == {"exp": B * H * M1 * P, "add": B * H * M1 * P}
    assert counts["SPNV"] == {"mul": B * H * M1 * P * F}
    assert counts["AV"] == {"div": B * H * F * P}
    assert counts["BK"] == {} and w.einsum("BK").is_copy


def test_one_pass_attention_shapes_roles_and_iterative_extent():
    w = workloads.load_workload("attention_1pass")
    assert w.tensor("RM").shape == (B, H, M // M0 + 1, P)
    assert w.tensor("BK").shape == (B, H, E, M // M0, M0)
    assert w.tensor("AV").role == "output" and w.tensor("Q").role == "input"
    assert w.tensor("SLN").role == "intermediate"
    assert w.compulsory_bytes == 4 * B * H * E * M * 2


def test_loop_carried_reads_are_not_dependencies():
    w = workloads.load_workload("attention_1pass")
    assert "RD" not in w.dependencies["SPD"]
    assert "SPD" in w.dependencies["RD"]
    assert "RM" in w.dependencies["PRM"]
    assert set(w.dependencies["AV"]) >= {"RNV", "RD"}


def test_three_pass_softmax_dependencies():
    w = workloads.load_workload("softmax_3pass", {"rows": 2, "N": 8})
    assert w.dependencies == {"GM": (), "SD": ("GM",), "Y": ("GM", "SD")}
    assert w.einsum("SD").ops_per_point == {"exp": 1, "add": 2}


def test_batch_ranks_prefix_every_tensor():
    w = workloads.load_workload("attention_3pass", {"B": 2, "H": 3, "M": 8, "P": 8, "E": 4, "F": 4})
    assert all(t.ranks[:2] == ("b", "h") for t in w.tensors.values())
    assert w.einsum("QK").points == 2 * 3 * 8 * 8 * 4


def test_overrides_change_sizes():
    w = workloads.load_workload("gemm", {"M": 8, "N": 16, "K": 4})
    assert w.einsum("Z").op_counts == {"mac": 8 * 16 * 4}
    assert w.tensor("Z").size_bytes == 8 * 16 * 2


def test_dtype_parameter_templated():
    w = workloads.load_workload("gemm", {"dtype": "fp8", "M": 4, "N": 4, "K": 4})
    assert w.tensor("A").bits == 8


def test_valid_custom_cascade(write_yaml):
    w = _workload(write_yaml, ["y[n] = sum_k A[n,k] * x[k]", "z[n] = max(y[n], 0)"])
    assert [t.name for t in w.outputs] == ["z"] and w.tensor("y").role == "intermediate"


def test_undefined_tensor(write_yaml):
    problem = _problems(write_yaml, ["y[n] = sum_k A[n,k] * w[k]"])[0]
    assert problem.path == "einsums[0]" and "undefined tensor 'w'" in problem.message
    assert "A" in problem.message and problem.line is not None


def test_rank_mismatch(write_yaml):
    problem = _problems(write_yaml, ["y[n] = sum_k A[k,n] * x[k]"])[0]
    assert "spans" in problem.message or "mismatch" in problem.message


def test_wrong_number_of_indices(write_yaml):
    problem = _problems(write_yaml, ["y[n] = sum_k A[n] * x[k]"])[0]
    assert "has 2 ranks [n, k] but is indexed with 1" in problem.message


def test_free_rank_must_be_reduced(write_yaml):
    problem = _problems(write_yaml, ["y[n] = A[n,k] * x[k]"])[0]
    assert "not on the left-hand side" in problem.message and "sum_k" in problem.message


def test_reducing_a_rank_kept_on_the_left(write_yaml):
    problem = _problems(write_yaml, ["y[n,k] = sum_k A[n,k]"])[0]
    assert "also on the left-hand side" in problem.message


def test_dependency_cycle_without_iterative_rank(write_yaml):
    problem = _problems(write_yaml, ["y[n] = z[n] + 1", "z[n] = y[n] * 2"])[-1]
    assert problem.path == "einsums" and "dependency cycle: y -> z -> y" in problem.message


def test_iterative_rank_allows_running_values(write_yaml):
    w = _workload(write_yaml, ["r[0] = 0", "r[k+1] = r[k] + x[k]", "out[n] = r[K] * 0 + A[n,0]"],
                  iterative_ranks=["k"])
    assert w.tensor("r").shape == (5,)


def test_running_value_without_iterative_declaration_is_rejected(write_yaml):
    problems = _problems(write_yaml, ["r[0] = 0", "r[k+1] = r[k] + x[k]"])
    assert any("list it in iterative_ranks" in p.message for p in problems)


def test_writing_an_input(write_yaml):
    problem = _problems(write_yaml, ["x[k] = sum_n A[n,k]"])[0]
    assert "writes input tensor 'x'" in problem.message


def test_explicit_batch_rank_in_index(write_yaml):
    problems = _problems(write_yaml, ["y[b,n] = sum_k A[n,k] * x[k]"], batch_ranks={"b": 2})
    assert any("batch rank 'b' is implicit" in p.message for p in problems)


def test_syntax_error_has_field_path_and_line(write_yaml):
    problem = _problems(write_yaml, ["y[n] = sum_k A[n,k] *"])[0]
    assert problem.path == "einsums[0]" and problem.line is not None and "column" in problem.message


def test_unknown_dtype_lists_allowed(write_yaml):
    problems = _problems(write_yaml, ["y[n] = sum_k A[n,k] * x[k]"], dtype="fp13")
    assert any(p.path == "dtype" and "bf16" in p.message for p in problems)


def test_unknown_scalar(write_yaml):
    problem = _problems(write_yaml, ["y[n] = sum_k A[n,k] * x[k] * alpha"])[0]
    assert "unknown scalar 'alpha'" in problem.message


def test_scalar_parameter(write_yaml):
    data = {"name": "w", "parameters": {"N": 8, "K": 4, "alpha": 0.5}, "ranks": {"n": "N", "k": "K"},
            "inputs": {"A": ["n", "k"]}, "einsums": ["y[n] = sum_k A[n,k] * alpha"]}
    w = workloads.load_workload(write_yaml(data))
    assert w.einsum("y").ops_per_point == {"mac": 1}


def test_several_problems_at_once(write_yaml):
    problems = _problems(write_yaml, ["y[n] = sum_k A[n,k] * w[k]", "z[q] = y[q]"])
    assert len(problems) >= 2
