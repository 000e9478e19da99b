"""Hardware parameters of one systolic array (the model's own view, independent of YAML)."""

from __future__ import annotations

from dataclasses import dataclass

DATAFLOWS = ("os", "ws", "is")
SCALESIM_SETS = 100
MIN_SRAM_WORDS = SCALESIM_SETS


@dataclass(frozen=True)
class SystolicConfig:
    """An R x C array with double-buffered ifmap/filter/ofmap SRAMs in front of DRAM.

    ``dram_bandwidth_words_per_cycle`` of None means stall-free (SCALE-Sim's CALC mode: the
    DRAM is assumed to keep up, and the model reports the bandwidth that would need).
    ``scalesim_write_lines`` replays SCALE-Sim's ofmap write buffer (its line-granular DRAM
    write count and write-buffer stalls, one step per cycle row); False takes the physical
    write count and no write stalls, in time proportional to the number of folds (for searches).
    """

    rows: int
    cols: int
    dataflow: str
    ifmap_sram_words: int
    filter_sram_words: int
    ofmap_sram_words: int
    word_bytes: int = 1
    dram_bandwidth_words_per_cycle: float | None = None
    scalesim_write_lines: bool = True

    def __post_init__(self) -> None:
        if self.rows < 1 or self.cols < 1:
            raise ValueError(f"array must be at least 1x1, got {self.rows}x{self.cols}")
        if self.dataflow not in DATAFLOWS:
            raise ValueError(f"dataflow {self.dataflow!r} not one of {', '.join(DATAFLOWS)}")
        for name in ("ifmap_sram_words", "filter_sram_words", "ofmap_sram_words"):
            if getattr(self, name) < MIN_SRAM_WORDS:
                raise ValueError(f"{name} must be >= {MIN_SRAM_WORDS} words, "
                                 f"got {getattr(self, name)}")
        bandwidth = self.dram_bandwidth_words_per_cycle
        if bandwidth is not None and bandwidth <= 0:
            raise ValueError(f"dram_bandwidth_words_per_cycle must be > 0, got {bandwidth}")

    @property
    def pes(self) -> int:
        return self.rows * self.cols

    @property
    def stall_free(self) -> bool:
        return self.dram_bandwidth_words_per_cycle is None
