"""One layer as a systolic array sees it: a convolution lowered to a GEMM (im2col).

A GEMM M x N x K is the convolution of an M x K "image" with N filters of 1 x K and one
channel, exactly as SCALE-Sim lowers it; so both share one address scheme.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConvLayer:
    """A convolution layer (no padding); every size counts elements, not bytes."""

    ifmap_h: int
    ifmap_w: int
    filter_h: int
    filter_w: int
    channels: int
    num_filters: int
    stride_h: int = 1
    stride_w: int = 1
    name: str = "layer"

    def __post_init__(self) -> None:
        for field_name in ("ifmap_h", "ifmap_w", "filter_h", "filter_w", "channels",
                           "num_filters", "stride_h", "stride_w"):
            if getattr(self, field_name) < 1:
                raise ValueError(f"{field_name} must be >= 1, got {getattr(self, field_name)}")
        if self.filter_h > self.ifmap_h or self.filter_w > self.ifmap_w:
            raise ValueError(f"filter {self.filter_h}x{self.filter_w} larger than ifmap "
                             f"{self.ifmap_h}x{self.ifmap_w}")

    @classmethod
    def gemm(cls, m: int, n: int, k: int, name: str = "gemm") -> ConvLayer:
        """The GEMM out[m, n] += a[m, k] * b[k, n] as SCALE-Sim lowers it."""
        return cls(ifmap_h=m, ifmap_w=k, filter_h=1, filter_w=k, channels=1, num_filters=n,
                   name=name)

    @property
    def ofmap_h(self) -> int:
        return (self.ifmap_h - self.filter_h) // self.stride_h + 1

    @property
    def ofmap_w(self) -> int:
        return (self.ifmap_w - self.filter_w) // self.stride_w + 1

    @property
    def ofmap_px(self) -> int:
        """Output pixels per filter: rows of the im2col ifmap matrix (GEMM M)."""
        return self.ofmap_h * self.ofmap_w

    @property
    def window(self) -> int:
        """Reduction length: columns of the im2col ifmap matrix (GEMM K)."""
        return self.filter_h * self.filter_w * self.channels

    @property
    def macs(self) -> int:
        return self.ofmap_px * self.window * self.num_filters

    @property
    def ifmap_words(self) -> int:
        return self.ifmap_h * self.ifmap_w * self.channels

    @property
    def filter_words(self) -> int:
        return self.window * self.num_filters

    @property
    def ofmap_words(self) -> int:
        return self.ofmap_px * self.num_filters

    @property
    def ifmap_words_touched(self) -> int:
        """Distinct ifmap elements that some window reads (the compulsory ifmap traffic)."""
        rows = _covered(self.ofmap_h, self.stride_h, self.filter_h)
        cols = _covered(self.ofmap_w, self.stride_w, self.filter_w)
        return rows * cols * self.channels


def _covered(outputs: int, stride: int, extent: int) -> int:
    if stride <= extent:
        return (outputs - 1) * stride + extent
    return outputs * extent
