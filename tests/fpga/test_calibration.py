"""LUT/FF per-port costs: the shipped constants are the fit, and the fit predicts held-out rows."""

from sim.fpga.calibration import DEFAULT_PORT_COSTS, WA_HLS4ML_ROWS, fit_port_costs, row_terms


def test_shipped_constants_are_the_rounded_fit():
    fit = fit_port_costs()
    assert round(fit.lut_per_port) == DEFAULT_PORT_COSTS.lut_per_port
    assert round(fit.ff_per_port) == DEFAULT_PORT_COSTS.ff_per_port


def test_leave_one_out_errors_stay_within_stated_bounds():
    lut_errors, ff_errors = [], []
    for i, row in enumerate(WA_HLS4ML_ROWS):
        costs = fit_port_costs(WA_HLS4ML_ROWS[:i] + WA_HLS4ML_ROWS[i + 1:])
        ports, mult_lut, mult_ff = row_terms(row)
        lut_errors.append(abs(costs.lut_per_port * ports + mult_lut - row.lut) / row.lut)
        ff_errors.append(abs(costs.ff_per_port * ports + mult_ff - row.ff) / row.ff)
    assert max(lut_errors) < 0.40
    assert max(ff_errors) < 0.15
    assert sorted(lut_errors)[len(lut_errors) // 2] < 0.15


def test_rows_carry_the_legal_rfs_of_the_reference():
    for row in WA_HLS4ML_ROWS:
        assert len(row.reuse_factors) == len(row.widths) - 1
