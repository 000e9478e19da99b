"""Transformer model hyperparameters, applied to workload presets as parameter overrides.

The table holds the four encoder models of the FuseMax evaluation (shared/reference/fusemax.md
section 3). FlauBERT is left out there because it has TrXL-wt103's hyperparameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from specbase import SpecError

BATCH = 64
SEQUENCE_LENGTHS = (1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20)


@dataclass(frozen=True)
class TransformerModel:
    """One encoder layer's shape: heads, per-head dims, model width and FFN width."""

    name: str
    label: str
    heads: int
    head_dim: int
    d_model: int
    ffn_hidden: int

    def attention_overrides(self, tokens: int, batch: int = BATCH) -> dict[str, int]:
        """Parameters of the attention presets (B, H, E, F, M, P) for self-attention."""
        return {"B": batch, "H": self.heads, "E": self.head_dim, "F": self.head_dim, "M": tokens, "P": tokens}

    def layer_overrides(self, tokens: int, batch: int = BATCH) -> dict[str, int]:
        """Parameters of the ``transformer_layer`` preset."""
        return {"B": batch, "H": self.heads, "E": self.head_dim, "D": self.d_model,
                "FFN": self.ffn_hidden, "P": tokens}

    def gemms(self, tokens: int, batch: int = BATCH) -> tuple[tuple[str, dict[str, int]], ...]:
        """The layer's GEMMs as ``gemm`` preset overrides (M rows, K reduced, N columns)."""
        rows = batch * tokens
        width = self.heads * self.head_dim
        return (
            ("QKV projection", {"M": rows, "K": self.d_model, "N": 3 * width}),
            ("output projection", {"M": rows, "K": width, "N": self.d_model}),
            ("FFN up", {"M": rows, "K": self.d_model, "N": self.ffn_hidden}),
            ("FFN down", {"M": rows, "K": self.ffn_hidden, "N": self.d_model}),
        )


MODELS: dict[str, TransformerModel] = {m.name: m for m in (
    TransformerModel("bert_base", "BERT-Base", heads=12, head_dim=64, d_model=768, ffn_hidden=3072),
    TransformerModel("trxl_wt103", "TrXL-wt103", heads=16, head_dim=64, d_model=1024, ffn_hidden=4096),
    TransformerModel("t5_small", "T5-small (encoder)", heads=8, head_dim=64, d_model=512, ffn_hidden=2048),
    TransformerModel("xlm", "XLM", heads=16, head_dim=128, d_model=2048, ffn_hidden=8192),
)}


def model(name: str) -> TransformerModel:
    """The model called ``name``; unknown names raise a :class:`SpecError` listing the known ones."""
    try:
        return MODELS[name]
    except KeyError:
        raise SpecError.single("--model", "", f"unknown model {name!r}", allowed=", ".join(MODELS)) from None
