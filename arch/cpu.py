"""The ``cpu:`` section of an architecture file: what a CPU is beyond storage and compute lists.

The generic storage and compute lists carry the numbers the simulator uses (bandwidth
per cache level, ops per cycle per vector lane). This section records the core
structure they were derived from and, for a calibrated host, the raw microbenchmark
results and the conditions they were taken under, so the derivation can be checked.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from specbase.types import NonNegNum, PosInt, PosNum


class CpuSection(BaseModel):
    """Core structure of a CPU and, when calibrated, the measurements behind its numbers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model_name: str = Field("", description="CPU model as reported by the OS, e.g. 'AMD EPYC 7B13'.")
    core_count: PosInt = Field(description="Cores used (one thread per core), i.e. compute-unit instances.")
    simd_width_bits: PosInt = Field(256, description="Vector register width, bits (AVX2: 256, AVX-512: 512).")
    fma_units_per_core: PosInt = Field(2, description="Vector FMA pipes per core.")
    peak_fp32_flops_per_cycle_per_core: PosNum | None = Field(
        None, description="Nominal fp32 FLOPs per cycle per core: lanes x FMA pipes x 2.")
    calibrated: bool = Field(False, description="True when the numbers come from `sim calibrate` on this host.")
    calibration_threads_count: PosInt | None = Field(
        None, description="Threads the microbenchmarks (and the validation suite) ran with.")
    calibration_load_average: NonNegNum | None = Field(
        None, description="Host one-minute load average while calibrating (other work competing for cores).")
    calibration_contention_fraction: NonNegNum | None = Field(
        None, description="Share of all cores other processes used during the calibration (0 = quiet host).")
    calibration_software: str = Field("", description="Versions of the libraries the microbenchmarks used.")
    calibration_date_utc: str = Field("", description="When the calibration ran (ISO-8601).")
    measured_matmul_flops_per_s_by_dtype: dict[str, PosNum] = Field(
        default_factory=dict, description="torch matmul FLOP/s, all cores, by dtype (fp32, bf16, fp16).")
    measured_read_bandwidth_bytes_per_s_by_level: dict[str, PosNum] = Field(
        default_factory=dict, description="Read bandwidth per instance of each storage level, bytes/s.")
    measured_write_bandwidth_bytes_per_s_by_level: dict[str, PosNum] = Field(
        default_factory=dict, description="Write bandwidth per instance of each storage level, bytes/s.")
    measured_elementwise_ops_per_s_per_core: dict[str, PosNum] = Field(
        default_factory=dict, description="In-cache fp32 elementwise rate of one core (exp, log, sqrt, div), ops/s.")
