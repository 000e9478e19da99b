"""Generator ``cnn_layers``: an hls4ml-style CNN (conv2d + dense) as an Einsum cascade.

Parameters:

* ``input``: ``HxWxC``, e.g. ``"32x32x3"``;
* ``layers``: layers joined by ``-``: ``c<filters>k<kernel>`` is a 2-D convolution (stride 1,
  no padding) and ``d<width>`` a dense layer (the first one flattens), e.g. ``"c16k3-c16k3-d10"``;
* ``precision``, ``activation`` (relu | none), ``bias``: as for ``dense_layers``;
* ``reuse_factor``, ``strategy``, ``io_type``, ``parallelization_factor``: hls4ml knobs read by
  the FPGA backend (``sim.fpga.knobs``).

A conv layer k reads a sliding window:
``Y{k}[h{k},w{k},c{k}] = sum_{c{k-1},r{k},s{k}} A{k-1}[h{k}+r{k},w{k}+s{k},c{k-1}] * W{k}[r{k},s{k},c{k-1},c{k}]``.
"""

from __future__ import annotations

import re

from workloads.dense import precision_bits

_CONV = re.compile(r"^c(\d+)k(\d+)$")
_DENSE = re.compile(r"^d(\d+)$")


def parse_input(value: object) -> tuple[int, int, int]:
    parts = str(value).lower().split("x")
    if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ValueError(f"input must be HxWxC with positive integers, e.g. '32x32x3'; got {value!r}")
    h, w, c = (int(p) for p in parts)
    return h, w, c


def cnn_layers(params: dict) -> dict:
    height, width, channels = parse_input(params.get("input", "32x32x3"))
    specs = [s.strip() for s in str(params.get("layers", "c16k3-d10")).split("-")]
    bits = precision_bits(params.get("precision", 16))
    activation = str(params.get("activation", "relu")).lower()
    if activation not in ("relu", "none"):
        raise ValueError(f"activation must be 'relu' or 'none'; got {activation!r}")
    bias = bool(int(params.get("bias", 1)))
    net = _Net(height, width, channels)
    for k, spec in enumerate(specs, start=1):
        conv, dense = _CONV.match(spec), _DENSE.match(spec)
        if conv:
            net.conv(k, int(conv.group(1)), int(conv.group(2)))
        elif dense:
            net.dense(k, int(dense.group(1)))
        else:
            raise ValueError(f"layer {spec!r} must be c<filters>k<kernel> or d<width> (e.g. 'c16k3-d10')")
        net.epilogue(k, bias, activation == "relu" and k < len(specs))
    return {
        "name": f"cnn_{height}x{width}x{channels}_{'-'.join(specs)}",
        "description": f"hls4ml-style CNN on {height}x{width}x{channels}: {'-'.join(specs)}, {bits}-bit fixed point",
        "dtype": f"fixed{bits}",
        "ranks": net.ranks,
        "inputs": net.inputs,
        "outputs": [net.current],
        "einsums": net.einsums,
        "sources": ["hls4ml conv2d/dense layers (fastmachinelearning/hls4ml)"],
    }


class _Net:
    def __init__(self, height: int, width: int, channels: int):
        self.ranks = {"h0": height, "w0": width, "c0": channels}
        self.inputs: dict[str, list[str]] = {"X": ["h0", "w0", "c0"]}
        self.einsums: list[str] = []
        self.current = "X"
        self.out_ranks = ["h0", "w0", "c0"]

    def conv(self, k: int, filters: int, kernel: int) -> None:
        if len(self.out_ranks) != 3:
            raise ValueError(f"layer {k}: a convolution cannot follow a dense layer")
        h, w = (self.ranks[r] for r in self.out_ranks[:2])
        if kernel > min(h, w):
            raise ValueError(f"layer {k}: kernel {kernel} is larger than the {h}x{w} input")
        cp = self.out_ranks[2]
        self.ranks.update({f"h{k}": h - kernel + 1, f"w{k}": w - kernel + 1, f"c{k}": filters,
                           f"r{k}": kernel, f"s{k}": kernel})
        self.inputs[f"W{k}"] = [f"r{k}", f"s{k}", cp, f"c{k}"]
        self.einsums.append(
            f"Y{k}[h{k},w{k},c{k}] = sum_{{{cp},r{k},s{k}}} "
            f"{self.current}[h{k}+r{k},w{k}+s{k},{cp}] * W{k}[r{k},s{k},{cp},c{k}]")
        self.out_ranks = [f"h{k}", f"w{k}", f"c{k}"]

    def dense(self, k: int, width: int) -> None:
        self.ranks[f"n{k}"] = width
        reduced = ",".join(self.out_ranks)
        self.inputs[f"W{k}"] = [*self.out_ranks, f"n{k}"]
        sum_ranks = f"{{{reduced}}}" if len(self.out_ranks) > 1 else reduced
        self.einsums.append(f"Y{k}[n{k}] = sum_{sum_ranks} {self.current}[{reduced}] * W{k}[{reduced},n{k}]")
        self.out_ranks = [f"n{k}"]

    def epilogue(self, k: int, bias: bool, relu: bool) -> None:
        self.current = f"Y{k}"
        if not bias and not relu:
            return
        idx = f"[{','.join(self.out_ranks)}]"
        value = f"Y{k}{idx}"
        if bias:
            channel = self.out_ranks[-1]
            self.inputs[f"Wb{k}"] = [channel]
            value = f"{value} + Wb{k}[{channel}]"
        out = f"A{k}" if relu else f"Z{k}"
        self.einsums.append(f"{out}{idx} = max({value}, 0)" if relu else f"{out}{idx} = {value}")
        self.current = out
