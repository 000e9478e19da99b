"""Tile candidates of the reproduction, checked by hand; the engine picks the first that fits."""

from sim.reproduce import tiles
from sim.reproduce.runner import hardware
from workloads.models import MODELS


def _shape(model, tokens):
    return MODELS[model].attention_overrides(tokens)


def test_flat_candidates_go_from_head_to_rows_to_spill():
    cands = tiles.flat_candidates(hardware("flat"), _shape("bert_base", 4096))
    assert [c["R"] for c in cands] == [4096, 1024, 512, 256, 256]
    assert [c["SPILL"] for c in cands] == [False, False, False, False, True]
    assert cands[-1]["KEY_TILES"] == 4096 // 256 and cands[1]["ROW_TILES"] == 4


def test_flat_candidates_at_1k_never_exceed_the_sequence():
    cands = tiles.flat_candidates(hardware("flat"), _shape("bert_base", 1024))
    assert all(c["R"] <= 1024 and c["R"] * c["ROW_TILES"] == 1024 for c in cands)


def test_one_pass_query_tile_starts_from_the_buffer_bound():
    """Per query 2*(64 + 2*64 + 8) = 400 B; half of 16 MiB / 400 B = 20971 -> 16384 first, then halving."""
    cands = tiles.one_pass_candidates(hardware("fusemax"), _shape("bert_base", 1 << 20))
    assert [c["P1"] for c in cands] == [16384, 8192, 4096, 2048, 1024, 512, 256]
    assert all(c["P1"] * c["P2"] == 1 << 20 for c in cands)


def test_one_pass_query_tile_at_1k_is_the_whole_sequence_first():
    cands = tiles.one_pass_candidates(hardware("fusemax"), _shape("bert_base", 1024))
    assert cands[0]["P1"] == 1024 and cands[0]["P2"] == 1


def test_gemm_candidates_split_k_only_after_every_row_block():
    cands = tiles.gemm_candidates(hardware("fusemax"), {"M": 65536, "K": 8192, "N": 2048})
    order = [(c["K_TILES"], c["M_TILE"]) for c in cands]
    assert order[:4] == [(1, 1024), (1, 512), (1, 256), (2, 1024)]
    assert all(c["M_TILE"] * c["M_TILES"] == 65536 for c in cands)


def test_array_params_follow_overrides():
    hw = hardware("fusemax", {"pe_rows": 32, "pe_cols": 32, "pe_1d": 32})
    assert tiles.array_params(hw) == {"PE_ROWS": 32, "PE_COLS": 32, "PE_1D": 32}


def test_unfused_softmax_row_blocks_largest_first():
    cands = tiles.unfused_candidates(hardware("flat"), _shape("bert_base", 1024))
    assert [c["R"] for c in cands] == [256, 64, 16, 4, 1]
    assert all(c["R"] * c["ROW_TILES"] == 1024 for c in cands)
