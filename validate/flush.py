"""Cache flushing between timed runs.

Before each timed call a buffer larger than the last-level cache is overwritten, so
the kernel's inputs start in DRAM/HBM, as the simulator assumes. On GPU the buffer is
at least 256 MiB and twice the L2 (Triton's ``do_bench`` uses 256 MiB; H100 L2 is
50 MB, B200 ~126 MB).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MIB = 1 << 20
GPU_MIN_FLUSH_BYTES = 256 * MIB
CPU_MIN_FLUSH_BYTES = 64 * MIB


def flush_bytes_for(last_level_cache_bytes: int | None, minimum_bytes: int) -> int:
    """Twice the last-level cache, never less than ``minimum_bytes``."""
    return max(minimum_bytes, 2 * int(last_level_cache_bytes or 0))


def make_flusher(torch: Any, device: str, last_level_cache_bytes: int | None) -> tuple[Callable[[], None], int]:
    """A function that evicts the caches of ``device``, and the bytes it writes."""
    minimum = GPU_MIN_FLUSH_BYTES if device.startswith("cuda") else CPU_MIN_FLUSH_BYTES
    size = flush_bytes_for(last_level_cache_bytes, minimum)
    buffer = torch.empty(size, dtype=torch.uint8, device=device)

    def flush() -> None:
        buffer.zero_()

    return flush, size


def no_flush() -> None:
    """Used with ``--no-flush``: caches keep what the previous run left."""
