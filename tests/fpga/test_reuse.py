"""hls4ml's reuse-factor legality rule (reference sheet fpga.md section 2)."""

import math

from hypothesis import given
from hypothesis import strategies as st

from sim.fpga.reuse import is_valid_reuse_factor, legal_reuse_factor, valid_reuse_factors


def _rule(n_in, n_out, rf):
    """The three conditions, written out again from the reference sheet."""
    return ((n_in * n_out) % rf == 0
            and (rf < n_in or rf % n_in == 0)
            and (rf >= n_in or math.ceil(n_in * n_out / min(n_in, rf)) % n_out == 0))


sizes = st.integers(min_value=1, max_value=48)


@given(sizes, sizes)
def test_divisor_enumeration_matches_brute_force(n_in, n_out):
    brute = tuple(rf for rf in range(1, n_in * n_out + 1) if _rule(n_in, n_out, rf))
    assert valid_reuse_factors(n_in, n_out) == brute


@given(sizes, sizes, st.integers(min_value=1, max_value=5000))
def test_legalized_rf_is_valid_and_closest(n_in, n_out, request):
    rf = legal_reuse_factor(n_in, n_out, request)
    assert is_valid_reuse_factor(n_in, n_out, rf)
    target = min(request, n_in * n_out)
    for other in valid_reuse_factors(n_in, n_out):
        assert abs(other - target) >= abs(rf - target)
        if abs(other - target) == abs(rf - target):
            assert rf <= other


@given(sizes, sizes)
def test_valid_request_is_kept(n_in, n_out):
    for rf in valid_reuse_factors(n_in, n_out):
        assert legal_reuse_factor(n_in, n_out, rf) == rf


def test_hand_derived_cases():
    # 80x24 = 1920: RF >= 80 must be a multiple of 80 dividing 1920 -> 960 is closest to 1024.
    assert legal_reuse_factor(80, 24, 1024) == 960
    # Capped at n_in*n_out.
    assert legal_reuse_factor(80, 24, 4093) == 1920
    # 56x96 = 5376: multiples of 56 dividing 5376 around 4093 are 2688 and 5376; 5376 is closer.
    assert legal_reuse_factor(56, 96, 4093) == 5376
    # 4x4 = 16: legal RFs are 1, 2, 4, 8, 16 (3 does not divide 16). Request 6 sits between
    # 4 and 8 at equal distance -> the smaller one.
    assert valid_reuse_factors(4, 4) == (1, 2, 4, 8, 16)
    assert legal_reuse_factor(4, 4, 6) == 4


def test_rf_below_n_in_needs_whole_output_blocks():
    # 10 inputs, 3 outputs: RF 5 gives ceil(30/5) = 6 multipliers, a multiple of 3 -> legal;
    # RF 3 gives 10 multipliers, not a multiple of 3 -> illegal.
    assert is_valid_reuse_factor(10, 3, 5)
    assert not is_valid_reuse_factor(10, 3, 3)
