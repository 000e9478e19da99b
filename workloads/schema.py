"""Pydantic schema of a workload file (the validator's input)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from specbase.types import FROZEN, PosInt
from workloads.dtypes import ALLOWED, dtype_bits


def _check_dtype(value: str | None) -> str | None:
    if value is None:
        return value
    try:
        dtype_bits(value)
    except ValueError:
        raise ValueError(f"unknown dtype {value!r}; allowed: {ALLOWED}") from None
    return value


class TensorDecl(BaseModel):
    """An input tensor: its ranks (outermost first) and element type."""

    model_config = FROZEN
    ranks: list[str] = Field(description="Rank names, e.g. [e, p].")
    dtype: str | None = Field(None, description="Element type (default: the workload's dtype).")

    _dtype = field_validator("dtype")(classmethod(lambda cls, v: _check_dtype(v)))


class EinsumDecl(BaseModel):
    """An Einsum with an explicit name."""

    model_config = FROZEN
    name: str = Field(description="Name of the Einsum (default: its output tensor).")
    einsum: str = Field(description="Extended Einsum text, e.g. 'Z[m,n] = sum_k A[m,k]*B[k,n]'.")


class WorkloadSpec(BaseModel):
    model_config = FROZEN
    name: str = Field(description="Name of the workload.")
    description: str = Field("", description="Free text.")
    parameters: dict[str, Any] = Field(default_factory=dict, description="Named defaults used in expressions.")
    dtype: str = Field("fp16", description="Default element type of every tensor.")
    batch_ranks: dict[str, PosInt] = Field(
        default_factory=dict, description="Implicit ranks (e.g. batch, heads) prepended to every tensor.")
    ranks: dict[str, PosInt] = Field(description="Rank name -> size.")
    iterative_ranks: list[str] = Field(
        default_factory=list, description="Ranks carried across iterations (running max/sum).")
    inputs: dict[str, TensorDecl | list[str]] = Field(description="Input tensors: NAME: [ranks] or {ranks, dtype}.")
    outputs: list[str] | None = Field(None, description="Output tensors (default: written but never read).")
    tensor_dtypes: dict[str, str] = Field(default_factory=dict, description="Element type of intermediates.")
    einsums: list[str | EinsumDecl] = Field(min_length=1, description="The cascade, in order.")
    sources: list[str] = Field(default_factory=list, description="Where the cascade comes from.")

    _dtype = field_validator("dtype")(classmethod(lambda cls, v: _check_dtype(v)))

    @field_validator("tensor_dtypes")
    @classmethod
    def _dtypes(cls, value: dict[str, str]) -> dict[str, str]:
        for dtype in value.values():
            _check_dtype(dtype)
        return value
