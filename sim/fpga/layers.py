"""Layers of an hls4ml network, reduced to the sizes the cost model needs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LayerKind(StrEnum):
    DENSE = "dense"
    CONV = "conv"


@dataclass(frozen=True)
class MacLayer:
    """A dense or convolution layer as hls4ml sees it.

    ``n_in`` x ``n_out`` is the matrix the multipliers implement (for conv: kernel
    window x input channels by output channels); ``positions`` is how many times it is
    applied per inference (out_h * out_w for conv, 1 for dense).
    """

    name: str
    n_in: int
    n_out: int
    positions: int = 1
    kind: LayerKind = LayerKind.DENSE

    def __post_init__(self) -> None:
        for label in ("n_in", "n_out", "positions"):
            if getattr(self, label) < 1:
                raise ValueError(f"layer {self.name!r}: {label} must be >= 1, got {getattr(self, label)}")

    @property
    def n_weights(self) -> int:
        return self.n_in * self.n_out

    @property
    def macs(self) -> int:
        return self.n_weights * self.positions


def dense_chain(widths: tuple[int, ...] | list[int], prefix: str = "Y") -> tuple[MacLayer, ...]:
    """Dense layers for widths ``(w0, w1, ..., wL)``: layer i maps w(i-1) -> w(i)."""
    if len(widths) < 2:
        raise ValueError(f"need at least two widths (input and one layer), got {list(widths)}")
    return tuple(MacLayer(f"{prefix}{i}", widths[i - 1], widths[i]) for i in range(1, len(widths)))
