import math

import pytest

from workloads.expr import Access, Binary, Call, Number, Scalar, accesses
from workloads.parser import EinsumSyntaxError, parse_einsum


def test_gemm():
    st = parse_einsum("Z[m,n] = sum_k A[m,k] * B[k,n]")
    assert st.output.tensor == "Z" and st.reduce_op == "sum" and st.reduced == ("k",)
    assert isinstance(st.expr, Binary) and st.expr.op == "*"
    assert [a.tensor for a in accesses(st.expr)] == ["A", "B"]


def test_reduction_over_several_ranks_and_max():
    st = parse_einsum("AV[f,p] = sum_{m1, m0} A[m1,m0,p] * BV[f,m1,m0]")
    assert st.reduced == ("m1", "m0")
    assert parse_einsum("GM[p] = max_m QK[m,p]").reduce_op == "max"


def test_map_operators_and_precedence():
    st = parse_einsum("Y[i] = exp(X[i] - M[i]) / S[i] + 2 * c")
    assert isinstance(st.expr, Binary) and st.expr.op == "+"
    left = st.expr.left
    assert left.op == "/" and isinstance(left.left, Call) and left.left.func == "exp"
    assert st.expr.right == Binary("*", Number(2.0), Scalar("c"))


def test_two_argument_max_is_a_call_not_a_reduction():
    st = parse_einsum("RM[m1+1,p] = max(RM[m1,p], LM[m1,p])")
    assert st.reduce_op is None and isinstance(st.expr, Call) and len(st.expr.args) == 2
    assert str(st.output.indices[0]) == "m1+1"


def test_constant_indices_and_minus_infinity():
    st = parse_einsum("RM[0,p] = -inf")
    assert st.expr == Number(-math.inf) and str(st.output.indices[0]) == "0"
    st = parse_einsum("AV[f,p] = RNV[f,M1,p] / RD[M1,p]")
    assert [str(i) for i in accesses(st.expr)[1].indices] == ["M1", "p"]


def test_affine_tiling_index():
    st = parse_einsum("BK[e,m1,m0] = K[e, m1*M0 + m0]")
    index = accesses(st.expr)[0].indices[1]
    assert set(index.terms) == {(("M0", "m1"), 1), (("m0",), 1)}


@pytest.mark.parametrize("text", [
    "Z[m,n] = sum_k A[m,k] *",
    "Z[m,n] sum_k A[m,k]",
    "Z[m,n] = foo(A[m,n])",
    "= A[m]",
    "Z[m,n] = A[m,n",
])
def test_syntax_errors_point_at_a_column(text):
    with pytest.raises(EinsumSyntaxError, match="column"):
        parse_einsum(text)


def test_full_one_pass_attention_cascade_parses():
    lines = [
        "BQK[m1,m0,p] = sum_e Q[e,p] * BK[e,m1,m0]",
        "LM[m1,p] = max_m0 BQK[m1,m0,p]",
        "RM[m1+1,p] = max(RM[m1,p], LM[m1,p])",
        "SLN[m1,m0,p] = exp(BQK[m1,m0,p] - RM[m1+1,p])",
        "SLD[m1,p] = sum_m0 SLN[m1,m0,p]",
        "SLNV[f,m1,p] = sum_m0 SLN[m1,m0,p] * BV[f,m1,m0]",
        "PRM[m1,p] = exp(RM[m1,p] - RM[m1+1,p])",
        "SPD[m1,p] = PRM[m1,p] * RD[m1,p]",
        "RD[m1+1,p] = SPD[m1,p] + SLD[m1,p]",
        "SPNV[f,m1,p] = PRM[m1,p] * RNV[f,m1,p]",
        "RNV[f,m1+1,p] = SPNV[f,m1,p] + SLNV[f,m1,p]",
        "AV[f,p] = RNV[f,M1,p] / RD[M1,p]",
    ]
    outputs = [parse_einsum(line).output for line in lines]
    assert [o.tensor for o in outputs] == ["BQK", "LM", "RM", "SLN", "SLD", "SLNV", "PRM", "SPD", "RD", "SPNV",
                                          "RNV", "AV"]
    assert all(isinstance(o, Access) for o in outputs)
