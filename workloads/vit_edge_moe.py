"""Generator ``vit_edge_moe``: ViT encoder layers (M3ViT / Edge-MoE style) as an Einsum cascade.

Parameters (defaults are M3ViT-small as run by Edge-MoE, arXiv 2305.18691):

* ``tokens`` 129, ``dim`` 192, ``heads`` 3, ``mlp_hidden`` 768;
* ``experts`` 16, ``top_k`` 2, ``expert_hidden`` 384;
* ``layers`` 1; ``ffn``: ``moe``, ``mlp`` or ``alternate`` (even layers MLP, odd layers MoE);
* ``patch_embed`` 0/1 with ``patch_pixels`` 768 (16x16 RGB): adds the patch-embedding linear;
* ``activation_bits`` 32, ``weight_bits`` 16 (``ap_fixed<32,10>`` / ``ap_fixed<16,2>``).

Per layer: LayerNorm, Q/K/V linears, QK^T, softmax, AV, output projection, residual,
LayerNorm, then an MLP (fc1, GELU, fc2) or an MoE block, then the residual. Weights are the
inputs whose names start with ``W``. GELU is the sigmoid form x*sigmoid(1.702x).

MoE routing is data dependent and cannot be written as an affine Einsum. The cascade uses
a uniform-routing stand-in with the same costs: every expert takes
T = round(tokens*top_k/experts) tokens, gathered as a window ``N2[g*S + t, d]`` with stride
S = (tokens - T) // (experts - 1); each expert's weighted output is added back into its
window (one Einsum per expert, as Edge-MoE combines expert by expert). The top-k selection
itself (a compare per expert per token) is not modelled.
"""

from __future__ import annotations

from typing import Any

GELU_SCALE = -1.702


def _int(params: dict, name: str, default: int) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def vit_layers(params: dict) -> dict:
    cfg = {name: _int(params, name, default) for name, default in (
        ("tokens", 129), ("dim", 192), ("heads", 3), ("mlp_hidden", 768), ("experts", 16), ("top_k", 2),
        ("expert_hidden", 384), ("layers", 1), ("patch_pixels", 768), ("activation_bits", 32),
        ("weight_bits", 16))}
    ffn = str(params.get("ffn", "moe")).lower()
    if ffn not in ("moe", "mlp", "alternate"):
        raise ValueError(f"ffn must be moe, mlp or alternate; got {ffn!r}")
    if cfg["dim"] % cfg["heads"]:
        raise ValueError(f"dim ({cfg['dim']}) must be divisible by heads ({cfg['heads']})")
    patch_embed = bool(int(params.get("patch_embed", 0)))
    doc = _Doc(cfg)
    current = doc.patch_embedding() if patch_embed else doc.input("X", ["n", "d"])
    for layer in range(cfg["layers"]):
        moe = ffn == "moe" or (ffn == "alternate" and layer % 2 == 1)
        current = doc.layer(f"L{layer}", current, moe)
    return doc.document(current, ffn, patch_embed)


class _Doc:
    """Accumulates ranks, inputs and Einsums while the layers are written."""

    def __init__(self, cfg: dict[str, int]):
        self.cfg = cfg
        self.inputs: dict[str, Any] = {}
        self.einsums: list[str] = []
        tokens_per_expert = max(1, round(cfg["tokens"] * cfg["top_k"] / cfg["experts"]))
        tokens_per_expert = min(tokens_per_expert, cfg["tokens"])
        self.stride = (cfg["tokens"] - tokens_per_expert) // max(1, cfg["experts"] - 1)
        self.ranks = {
            "n": cfg["tokens"], "m": cfg["tokens"], "d": cfg["dim"], "f": cfg["dim"], "h": cfg["heads"],
            "e": cfg["dim"] // cfg["heads"], "x": cfg["mlp_hidden"], "g": cfg["experts"],
            "t": tokens_per_expert, "y": cfg["expert_hidden"],
        }

    def input(self, name: str, ranks: list[str]) -> str:
        self.inputs[name] = ranks
        return name

    def weight(self, name: str, ranks: list[str]) -> str:
        self.inputs[name] = {"ranks": ranks, "dtype": f"fixed{self.cfg['weight_bits']}"}
        return name

    def add(self, text: str) -> None:
        self.einsums.append(text)

    def patch_embedding(self) -> str:
        self.ranks["q"] = self.cfg["tokens"] - 1
        self.ranks["c"] = self.cfg["patch_pixels"]
        self.input("IMG", ["q", "c"])
        self.weight("Wpe", ["c", "d"])
        self.weight("Wpos", ["n", "d"])
        self.add("PE[q,d] = sum_c IMG[q,c] * Wpe[c,d]")
        self.add("X0[0,d] = Wpos[0,d]")
        self.add("X0[q+1,d] = PE[q,d] + Wpos[q+1,d]")
        return "X0"

    def layernorm(self, p: str, k: int, x: str) -> str:
        inv = repr(1.0 / self.cfg["dim"])
        g, b = self.weight(f"W{p}_ln{k}g", ["d"]), self.weight(f"W{p}_ln{k}b", ["d"])
        self.add(f"{p}_MU{k}[n] = sum_d {x}[n,d]")
        self.add(f"{p}_XC{k}[n,d] = {x}[n,d] - {p}_MU{k}[n] * {inv}")
        self.add(f"{p}_VAR{k}[n] = sum_d {p}_XC{k}[n,d] * {p}_XC{k}[n,d]")
        self.add(f"{p}_N{k}[n,d] = {p}_XC{k}[n,d] * recip(sqrt({p}_VAR{k}[n] * {inv} + 0.000001)) "
                 f"* {g}[d] + {b}[d]")
        return f"{p}_N{k}"

    def attention(self, p: str, x: str, n1: str) -> str:
        scale = repr(1.0 / (self.ranks["e"] ** 0.5))
        for name, rank in (("Q", "n"), ("K", "m"), ("V", "m")):
            w = self.weight(f"W{p}_{name.lower()}", ["d", "h", "e"])
            self.add(f"{p}_{name}[h,{rank},e] = sum_d {n1}[{rank},d] * {w}[d,h,e]")
        self.add(f"{p}_S[h,n,m] = sum_e {p}_Q[h,n,e] * {p}_K[h,m,e]")
        self.add(f"{p}_SM[h,n] = max_m {p}_S[h,n,m]")
        self.add(f"{p}_SE[h,n,m] = exp(({p}_S[h,n,m] - {p}_SM[h,n]) * {scale})")
        self.add(f"{p}_SL[h,n] = sum_m {p}_SE[h,n,m]")
        self.add(f"{p}_P[h,n,m] = {p}_SE[h,n,m] * recip({p}_SL[h,n])")
        self.add(f"{p}_O[h,n,e] = sum_m {p}_P[h,n,m] * {p}_V[h,m,e]")
        wo = self.weight(f"W{p}_o", ["h", "e", "d"])
        self.add(f"{p}_Z[n,d] = sum_{{h,e}} {p}_O[h,n,e] * {wo}[h,e,d]")
        self.add(f"{p}_R[n,d] = {x}[n,d] + {p}_Z[n,d]")
        return f"{p}_R"

    def mlp(self, p: str, n2: str) -> str:
        w1, w2 = self.weight(f"W{p}_1", ["d", "x"]), self.weight(f"W{p}_2", ["x", "d"])
        self.add(f"{p}_H[n,x] = sum_d {n2}[n,d] * {w1}[d,x]")
        self.add(f"{p}_G[n,x] = {p}_H[n,x] * recip(1 + exp({p}_H[n,x] * {GELU_SCALE}))")
        self.add(f"{p}_Y[n,d] = sum_x {p}_G[n,x] * {w2}[x,d]")
        return f"{p}_Y"

    def moe(self, p: str, n2: str) -> str:
        s = self.stride
        wg = self.weight(f"W{p}_gate", ["d", "g"])
        w1, w2 = self.weight(f"W{p}_e1", ["g", "d", "y"]), self.weight(f"W{p}_e2", ["g", "y", "d"])
        self.add(f"{p}_GT[n,g] = sum_d {n2}[n,d] * {wg}[d,g]")
        self.add(f"{p}_GM[n] = max_g {p}_GT[n,g]")
        self.add(f"{p}_GE[n,g] = exp({p}_GT[n,g] - {p}_GM[n])")
        self.add(f"{p}_GS[n] = sum_g {p}_GE[n,g]")
        self.add(f"{p}_GP[n,g] = {p}_GE[n,g] * recip({p}_GS[n])")
        self.add(f"{p}_XE[g,t,d] = {n2}[g*{s}+t,d]")
        self.add(f"{p}_GW[g,t] = {p}_GP[g*{s}+t,g]")
        self.add(f"{p}_HE[g,t,y] = sum_d {p}_XE[g,t,d] * {w1}[g,d,y]")
        self.add(f"{p}_GE2[g,t,y] = {p}_HE[g,t,y] * recip(1 + exp({p}_HE[g,t,y] * {GELU_SCALE}))")
        self.add(f"{p}_YE[g,t,d] = sum_y {p}_GE2[g,t,y] * {w2}[g,y,d]")
        self.add(f"{p}_MO[n,d] = 0")
        for expert in range(self.cfg["experts"]):
            self.add(f"{p}_MO[t+{expert * s},d] = {p}_YE[{expert},t,d] * {p}_GW[{expert},t]")
        return f"{p}_MO"

    def layer(self, p: str, x: str, moe: bool) -> str:
        n1 = self.layernorm(p, 1, x)
        r = self.attention(p, x, n1)
        n2 = self.layernorm(p, 2, r)
        ffn = self.moe(p, n2) if moe else self.mlp(p, n2)
        self.add(f"{p}_OUT[n,d] = {r}[n,d] + {ffn}[n,d]")
        return f"{p}_OUT"

    def document(self, output: str, ffn: str, patch_embed: bool) -> dict:
        c = self.cfg
        name = f"vit_{c['layers']}x_{ffn}{'_pe' if patch_embed else ''}"
        return {
            "name": name,
            "description": (f"ViT encoder, {c['layers']} layer(s), {c['tokens']} tokens, dim {c['dim']}, "
                            f"{c['heads']} heads, FFN {ffn} (MLP {c['mlp_hidden']}; MoE {c['experts']} "
                            f"experts top-{c['top_k']}, hidden {c['expert_hidden']})"),
            "dtype": f"fixed{c['activation_bits']}",
            "ranks": self.ranks,
            "inputs": self.inputs,
            "outputs": [output],
            "einsums": self.einsums,
            "sources": ["Edge-MoE, ICCAD'23, arXiv 2305.18691 (sharc-lab/Edge-MoE)",
                        "M3ViT, NeurIPS'22 (ViT-small backbone with MoE layers)"],
        }
