"""The GPU code path, checked structurally with fakes (no GPU is measured here)."""

from __future__ import annotations

import types

import pytest

from validate.flush import CPU_MIN_FLUSH_BYTES, GPU_MIN_FLUSH_BYTES, flush_bytes_for, make_flusher
from validate.measure import resolve_device, timer_for
from validate.timing import CpuTimer, CudaEventTimer


def _fake_torch(cuda_available: bool):
    cuda = types.SimpleNamespace(is_available=lambda: cuda_available)
    return types.SimpleNamespace(cuda=cuda)


def test_device_resolution():
    assert resolve_device(_fake_torch(True), "auto") == "cuda"
    assert resolve_device(_fake_torch(False), "auto") == "cpu"
    assert resolve_device(_fake_torch(True), "cuda:1") == "cuda:1"
    with pytest.raises(RuntimeError, match="is_available"):
        resolve_device(_fake_torch(False), "cuda")
    with pytest.raises(ValueError, match="allowed: cpu, cuda, auto"):
        resolve_device(_fake_torch(False), "tpu")


def test_timer_choice():
    assert isinstance(timer_for(_fake_torch(True), "cuda"), CudaEventTimer)
    assert isinstance(timer_for(_fake_torch(False), "cpu"), CpuTimer)


def test_flush_buffer_exceeds_l2():
    mib = 1 << 20
    assert flush_bytes_for(50 * 10**6, GPU_MIN_FLUSH_BYTES) == 256 * mib        # H100: 50 MB L2
    assert flush_bytes_for(126 * 10**6, GPU_MIN_FLUSH_BYTES) == 256 * mib       # B200: ~126 MB L2
    assert flush_bytes_for(200 * mib, GPU_MIN_FLUSH_BYTES) == 400 * mib
    assert flush_bytes_for(None, CPU_MIN_FLUSH_BYTES) == CPU_MIN_FLUSH_BYTES


def test_flusher_allocates_on_the_device_and_zeroes():
    calls = []

    class Buffer:
        def zero_(self):
            calls.append("zero")

    def empty(size, dtype, device):
        calls.append((size, device))
        return Buffer()

    torch = types.SimpleNamespace(empty=empty, uint8="uint8")
    flush, size = make_flusher(torch, "cuda:0", 50 * 10**6)
    assert size == GPU_MIN_FLUSH_BYTES and calls == [(GPU_MIN_FLUSH_BYTES, "cuda:0")]
    flush()
    assert calls[-1] == "zero"


def test_cuda_environment_records_driver_and_clocks(monkeypatch):
    from validate import env

    smi = env.parse_nvidia_smi("NVIDIA H100 80GB HBM3, 550.54.15, 1755, 1980, 2619, 40, 350.0, 0x0000000000000004")
    monkeypatch.setattr(env, "query_nvidia_smi", lambda index=0: smi)
    cuda = types.SimpleNamespace(get_device_name=lambda index: "NVIDIA H100 80GB HBM3")
    torch = types.SimpleNamespace(__version__="2.13.0", get_num_threads=lambda: 16, cuda=cuda,
                                  version=types.SimpleNamespace(cuda="12.8"),
                                  device=lambda name: types.SimpleNamespace(index=0))
    record = env.capture(torch, "cuda:0")
    assert record.device_kind == "cuda" and record.device_name == "NVIDIA H100 80GB HBM3"
    assert record.driver_version == "550.54.15"
    assert record.clock_hz_start == 1.755e9 and record.clock_hz_max == 1.98e9
    assert record.memory_clock_hz == 2.619e9 and record.throttle_reasons == "0x0000000000000004"
