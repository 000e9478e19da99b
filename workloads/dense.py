"""Generator ``dense_layers``: an hls4ml-style dense network as an Einsum cascade.

Parameters (all optional except ``layers``):

* ``layers``: widths joined by ``-``, input first, e.g. ``"64-32-10"`` (3 widths = 2 layers);
* ``precision``: bits (``16``) or ``"ap_fixed<16,6>"``: sets the tensors' ``fixedN`` dtype;
* ``activation``: ``relu`` (default) between layers, or ``none``;
* ``bias``: 1 (default) adds a bias per layer, fused with the activation;
* ``reuse_factor``, ``strategy``, ``io_type``: hls4ml datapath knobs. They are not part of
  the cascade; they stay in the workload's ``parameters`` where the FPGA backend reads them
  (``sim.fpga.knobs``). ``reuse_factor: auto`` lets the backend pick one that fits.

Layer k computes ``Y{k}[n{k}] = sum_n{k-1} A{k-1}[n{k-1}] * W{k}[n{k-1},n{k}]``; weights
and biases are inputs whose names start with ``W``.
"""

from __future__ import annotations

import re
from typing import Any

_AP_FIXED_WIDTH = re.compile(r"^\s*ap_u?fixed\s*<\s*(\d+)")


def parse_widths(value: Any) -> list[int]:
    """``"64-32-10"`` -> [64, 32, 10]; raises ValueError naming the expected form."""
    text = str(value).strip()
    parts = text.split("-")
    if len(parts) < 2 or not all(p.strip().isdigit() and int(p) > 0 for p in parts):
        raise ValueError(f"layers must be positive widths joined by '-', input first, e.g. '64-32-10'; "
                         f"got {value!r}")
    return [int(p) for p in parts]


def precision_bits(value: Any) -> int:
    """Bit width from ``16``, ``"16"`` or ``"ap_fixed<16,6>"``."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 64:
        return value
    text = str(value).strip()
    if text.isdigit() and 1 <= int(text) <= 64:
        return int(text)
    match = _AP_FIXED_WIDTH.match(text)
    if match and 1 <= int(match.group(1)) <= 64:
        return int(match.group(1))
    raise ValueError(f"precision must be a bit width 1..64 or ap_fixed<W,I>; got {value!r}")


def dense_layers(params: dict) -> dict:
    widths = parse_widths(params.get("layers", "64-32-10"))
    bits = precision_bits(params.get("precision", 16))
    activation = str(params.get("activation", "relu")).lower()
    if activation not in ("relu", "none"):
        raise ValueError(f"activation must be 'relu' or 'none'; got {activation!r}")
    bias = bool(int(params.get("bias", 1)))
    ranks = {f"n{i}": w for i, w in enumerate(widths)}
    inputs: dict[str, list[str]] = {"X": ["n0"]}
    einsums: list[str] = []
    current = "X"
    last = len(widths) - 1
    for k in range(1, last + 1):
        inputs[f"W{k}"] = [f"n{k - 1}", f"n{k}"]
        product = f"Y{k}"
        einsums.append(f"{product}[n{k}] = sum_n{k - 1} {current}[n{k - 1}] * W{k}[n{k - 1},n{k}]")
        current = _epilogue(einsums, inputs, k, product, bias, activation == "relu" and k < last)
    return {
        "name": f"dense_{'-'.join(map(str, widths))}",
        "description": f"hls4ml-style dense network {'-'.join(map(str, widths))}, {bits}-bit fixed point",
        "dtype": f"fixed{bits}",
        "ranks": ranks,
        "inputs": inputs,
        "outputs": [current],
        "einsums": einsums,
        "sources": ["hls4ml dense layers (fastmachinelearning/hls4ml, nnet_dense_resource.h)"],
    }


def _epilogue(einsums: list[str], inputs: dict, k: int, product: str, bias: bool, relu: bool) -> str:
    if not bias and not relu:
        return product
    idx = f"[n{k}]"
    value = f"{product}{idx}"
    if bias:
        inputs[f"Wb{k}"] = [f"n{k}"]
        value = f"{value} + Wb{k}{idx}"
    out = f"A{k}" if relu else f"Z{k}"
    einsums.append(f"{out}{idx} = max({value}, 0)" if relu else f"{out}{idx} = {value}")
    return out
