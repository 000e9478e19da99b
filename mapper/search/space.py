"""The abstract map space every strategy searches.

A mapping is a genome: one integer per gene, gene ``i`` taking values ``0..sizes[i]-1``.
A space evaluates genomes in batches and may offer two cheap helpers: ``prune`` (a mask
of genomes worth evaluating, e.g. tiles that fit) and ``canonical`` (a key per genome;
genomes with equal keys are the same mapping, e.g. loop orders differing only in
loops of extent 1), which let searches skip work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Costs:
    """Per-genome results of one batch (arrays of equal length)."""

    latency_cycles: np.ndarray
    energy_pj: np.ndarray
    valid: np.ndarray

    def __len__(self) -> int:
        return len(self.valid)


class MapSpace(Protocol):
    @property
    def sizes(self) -> np.ndarray:
        """Choices per gene (int64, every entry >= 1)."""

    def evaluate(self, genomes: np.ndarray) -> Costs:
        """Costs of a batch of genomes (n x genes, int64)."""

    def prune(self, genomes: np.ndarray) -> np.ndarray:
        """Boolean mask: genomes that can be valid (a cheap check before evaluation)."""

    def canonical(self, genomes: np.ndarray) -> np.ndarray:
        """Genomes rewritten so that equivalent mappings are equal rows."""


def space_size(sizes: np.ndarray) -> int:
    return math.prod(int(s) for s in sizes)


def decode_indices(indices: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Mixed-radix digits of ``indices`` (the first gene varies slowest)."""
    out = np.empty((len(indices), len(sizes)), dtype=np.int64)
    rest = indices.astype(np.int64).copy()
    for gene in range(len(sizes) - 1, -1, -1):
        out[:, gene] = rest % sizes[gene]
        rest //= sizes[gene]
    return out


def random_genomes(rng: np.random.Generator, sizes: np.ndarray, count: int) -> np.ndarray:
    return rng.integers(0, sizes, size=(count, len(sizes)), dtype=np.int64)
