"""The attention cascades and the transformer layer: values and op counts checked by hand."""

import numpy as np
import pytest

import workloads
from workloads.models import MODELS

from .cascade_eval import evaluate

SMALL = {"B": 2, "H": 3, "E": 4, "F": 5, "M": 12, "P": 6}


def _attention_reference(q, k, v):
    """softmax over m of Q.K, times V: q[b,h,e,p], k[b,h,e,m], v[b,h,f,m] -> [b,h,f,p]."""
    scores = np.einsum("bhep,bhem->bhmp", q, k)
    weights = np.exp(scores - scores.max(axis=2, keepdims=True))
    weights /= weights.sum(axis=2, keepdims=True)
    return np.einsum("bhmp,bhfm->bhfp", weights, v)


def _random_qkv(seed=0):
    rng = np.random.default_rng(seed)
    b, h, e, f, m, p = (SMALL[k] for k in "BHEFMP")
    return rng.normal(size=(b, h, e, p)) * 2, rng.normal(size=(b, h, e, m)) * 2, rng.normal(size=(b, h, f, m))


@pytest.mark.parametrize("preset, extra", [
    ("attention_3pass", {}),
    ("attention_3pass_deferred", {}),
    ("attention_2pass", {"M0": 4}),
    ("attention_1pass", {"M0": 4}),
    ("attention_1pass", {"M0": 3}),
])
def test_every_cascade_computes_softmax_attention(preset, extra):
    q, k, v = _random_qkv()
    w = workloads.load_workload(preset, {**SMALL, **extra})
    out = evaluate(w, {"Q": q, "K": k, "V": v})["AV"]
    np.testing.assert_allclose(out, _attention_reference(q, k, v), rtol=1e-10, atol=1e-12)


def test_transformer_layer_matches_a_numpy_layer():
    rng = np.random.default_rng(1)
    b, p, d, h, e, n = 2, 8, 6, 2, 3, 10
    w = workloads.load_workload("transformer_layer", {"B": b, "P": p, "D": d, "H": h, "E": e, "FFN": n, "M0": 4})
    t = {"X": rng.normal(size=(b, p, d)), "WQ": rng.normal(size=(d, h, e)), "WK": rng.normal(size=(d, h, e)),
         "WV": rng.normal(size=(d, h, e)), "WO": rng.normal(size=(h, e, d)), "W1": rng.normal(size=(d, n)),
         "W2": rng.normal(size=(n, d))}
    q = np.einsum("bpd,dhe->bhep", t["X"], t["WQ"])
    k = np.einsum("bpd,dhe->bhep", t["X"], t["WK"])
    v = np.einsum("bpd,dhe->bhep", t["X"], t["WV"])
    o = np.einsum("bhfp,hfd->bpd", _attention_reference(q, k, v), t["WO"])
    expected = o @ t["W1"] @ t["W2"]
    np.testing.assert_allclose(evaluate(w, t)["Y"], expected, rtol=1e-9)


B, H, E, F, M, P, M0 = 64, 12, 64, 64, 4096, 4096, 256
M1 = M // M0


def test_two_pass_op_counts_by_hand():
    w = workloads.load_workload("attention_2pass", {"M": M, "P": P})
    c = {e.name: e.op_counts for e in w.einsums}
    assert c["BQK"] == {"mac": B * H * M * P * E}
    assert c["LM"] == {"max": B * H * M * P}
    assert c["SLN"] == {"exp": B * H * M * P, "add": B * H * M * P}
    assert c["SLD"] == {"add": B * H * M * P}
    assert c["GM"] == {"max": B * H * M1 * P}
    assert c["PRM"] == {"exp": B * H * M1 * P, "add": B * H * M1 * P}
    assert c["SD"] == {"mac": B * H * M1 * P}
    assert c["A"] == {"mul": B * H * M * P, "div": B * H * M * P}
    assert c["AV"] == {"mac": B * H * M * P * F}
    assert w.einsum("BK").is_copy and w.einsum("BV").is_copy


def test_two_pass_has_exactly_one_blocking_reduction():
    """GM reads all of LM over m1; PRM needs GM, so the m1 fiber is traversed twice."""
    w = workloads.load_workload("attention_2pass")
    assert w.einsum("GM").reduced_ranks == ("m1",)
    assert "GM" in w.dependencies["PRM"] and "PRM" in w.dependencies["A"]
    assert w.iterative_ranks == ()


def test_deferred_three_pass_divides_once_per_output():
    w = workloads.load_workload("attention_3pass_deferred", {"M": M, "P": P})
    plain = workloads.load_workload("attention_3pass", {"M": M, "P": P})
    assert w.einsum("AV").op_counts == {"div": B * H * F * P}
    assert plain.einsum("A").op_counts == {"div": B * H * M * P}
    assert w.einsum("SNV").op_counts == {"mac": B * H * M * P * F}
    per_score = sum(n for name in ("GM", "SN", "SD") for n in w.einsum(name).op_counts.values())
    assert per_score == 4 * B * H * M * P


def test_transformer_layer_gemm_counts_by_hand():
    tokens = 2048
    model = MODELS["bert_base"]
    w = workloads.load_workload("transformer_layer", model.layer_overrides(tokens))
    rows, d, width, ffn = 64 * tokens, 768, 12 * 64, 3072
    assert w.einsum("Q").op_counts == {"mac": rows * d * width}
    assert w.einsum("K").op_counts == w.einsum("V").op_counts == {"mac": rows * d * width}
    assert w.einsum("O").op_counts == {"mac": rows * width * d}
    assert w.einsum("U").op_counts == {"mac": rows * d * ffn}
    assert w.einsum("Y").op_counts == {"mac": rows * ffn * d}
    assert w.einsum("BQK").op_counts == {"mac": 64 * 12 * tokens * tokens * 64}
    assert w.tensor("WQ").shape == (d, 12, 64), "weights are shared across the batch"


def test_model_gemms_cover_the_layer_macs():
    model = MODELS["xlm"]
    layer = workloads.load_workload("transformer_layer", model.layer_overrides(1024, batch=2))
    gemm_macs = sum(o["M"] * o["K"] * o["N"] for _, o in model.gemms(1024, batch=2))
    layer_gemms = sum(layer.einsum(n).op_counts["mac"] for n in ("Q", "K", "V", "O", "U", "Y"))
    assert gemm_macs == layer_gemms


def test_model_table_matches_the_reference_sheet():
    rows = {m.label: (m.heads, m.head_dim, m.d_model, m.ffn_hidden) for m in MODELS.values()}
    assert rows == {"BERT-Base": (12, 64, 768, 3072), "TrXL-wt103": (16, 64, 1024, 4096),
                    "T5-small (encoder)": (8, 64, 512, 2048), "XLM": (16, 128, 2048, 8192)}
    for m in MODELS.values():
        assert m.heads * m.head_dim <= m.d_model and m.ffn_hidden == 4 * m.d_model
