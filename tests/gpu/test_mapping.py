"""Mapping files: templates, validation errors naming file/field/allowed values, infeasible tiles."""

import pytest

from sim import api
from sim.cli import main
from sim.errors import InfeasibleMapping
from sim.gpu.library import kernel_presets
from specbase import SpecError

GOOD = """name: custom_fa
kernels:
  - name: attn
    grid: {b: 1, h: 1, p: "${2 * 64}"}
    loop: {m1: 1}
    overlap: max
    ctas_per_sm: 1
    threads_per_cta: 384
    registers_per_thread: 168
"""


def _write(tmp_path, text):
    path = tmp_path / "mapping.yaml"
    path.write_text(text)
    return str(path)


def test_custom_mapping_with_template_runs(tmp_path):
    r = api.simulate("h100", "flash_attention", {"seq_len": 4096}, _write(tmp_path, GOOD))
    assert "custom_fa" in r.model
    assert r.metrics["ctas"] == 16 * 4 * (4096 // 128)


def test_overlap_sum_is_never_faster_than_max(tmp_path):
    fast = api.simulate("h100", "flash_attention", {}, _write(tmp_path, GOOD))
    slow = api.simulate("h100", "flash_attention", {}, _write(tmp_path, GOOD.replace("overlap: max", "overlap: sum")))
    assert slow.latency_cycles > fast.latency_cycles


def test_unknown_rank_names_the_field_and_allowed_ranks(tmp_path):
    with pytest.raises(SpecError) as err:
        api.simulate("h100", "flash_attention", {}, _write(tmp_path, GOOD.replace("h: 1, p:", "h: 1, zz:")))
    problem = err.value.problems[0]
    assert problem.path == "kernels[0].grid.zz" and problem.line == 4
    assert "m1" in problem.allowed and "mapping.yaml" in problem.file


def test_bad_overlap_lists_allowed_values(tmp_path):
    with pytest.raises(SpecError, match="'sum', 'max' or 'pipes'"):
        api.simulate("h100", "flash_attention", {}, _write(tmp_path, GOOD.replace("overlap: max", "overlap: avg")))


def test_tile_that_does_not_fit_shared_memory_is_infeasible(tmp_path):
    huge = GOOD.replace('p: "${2 * 64}"', "p: 8192")
    with pytest.raises(InfeasibleMapping, match="shared memory"):
        api.simulate("h100", "flash_attention", {}, _write(tmp_path, huge))


def test_cli_reports_mapping_error_without_traceback(tmp_path, capsys):
    bad = _write(tmp_path, GOOD.replace("h: 1, p:", "h: 1, zz:"))
    code = main(["run", "h100", "flash_attention", "--mapping", bad])
    assert code == 2
    assert "kernels[0].grid.zz" in capsys.readouterr().err


def test_cli_example_prints_kernel_and_einsum_tables(capsys):
    assert main(["run", "h100", "flash_attention", "--set", "seq_len=16384"]) == 0
    out = capsys.readouterr().out
    for needle in ("Per Einsum", "kernels", "SM cycles per CTA step", "tflops", "achieved_hbm_bytes_per_s",
                   "waves", "splits", "TensorCore"):
        assert needle in out


@pytest.mark.parametrize("name", ["flash_attention", "flat_gemm", "softmax_3pass_reload", "softmax_2pass",
                                  "softmax_online", "flash_decoding", "flashdecoding_pp", "lean_attention",
                                  "blasst", "layernorm", "decode_attention", "gemm", "softmax_3pass"])
@pytest.mark.parametrize("arch", ["h100", "a100"])
def test_every_kernel_preset_runs(arch, name):
    r = api.simulate(arch, name)
    assert r.latency_cycles > 0
    assert r.traffic_at("HBM").total_bytes >= 0.999 * _compulsory(name)


def _compulsory(name):
    import workloads
    return workloads.load_workload(name).compulsory_bytes


def test_kernel_presets_listed():
    assert {"fa2", "fa3", "fa4", "flash_decoding", "lean_attention", "blasst", "gemm"} <= set(kernel_presets())
