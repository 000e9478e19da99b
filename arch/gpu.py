"""The ``gpu:`` section of an architecture file: the SM-level facts a CTA/wave model needs.

The generic ``compute`` list carries per-SM unit rates (tensor cores, FP32 lanes, MUFU),
the ``storage`` list carries HBM, L2, shared memory and the register file. This section adds
what the generic lists cannot say: occupancy limits, launch and latency costs, and the
calibration knobs (each with its source in the preset's ``sources``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from specbase.types import Fraction, NonNegNum, PosInt, PosNum

Generation = Literal["ampere", "hopper", "blackwell"]


class GpuSection(BaseModel):
    """SM occupancy limits, latencies and calibration knobs of an NVIDIA-style GPU."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    generation: Generation = Field(description="SM generation; selects kernel styles (FA3 needs hopper+).")
    sm_count: PosInt = Field(description="Streaming multiprocessors enabled on the part.")
    warp_size_threads: PosInt = Field(32, description="Threads per warp.")
    warp_schedulers_per_sm_count: PosInt = Field(4, description="Warp schedulers per SM; each issues one warp "
                                                 "instruction per cycle (the issue limit of FP32 + MUFU work).")
    max_ctas_per_sm_count: PosInt = Field(32, description="Resident CTAs (thread blocks) per SM, hardware limit.")
    max_threads_per_sm_count: PosInt = Field(2048, description="Resident threads per SM, hardware limit.")
    registers_per_sm_count: PosInt = Field(65536, description="32-bit registers per SM (256 KB register file).")
    max_registers_per_thread_count: PosInt = Field(255, description="Registers one thread can address.")
    max_smem_per_cta_bytes: PosNum = Field(description="Shared memory one CTA may allocate, bytes.")
    warpgroup_mma: bool = Field(False, description="Asynchronous warpgroup MMA + TMA (Hopper wgmma, "
                                "Blackwell tcgen05): enables warp-specialized, ping-pong kernels.")
    sustained_clock_fraction: Fraction = Field(1.0, description="Clock sustained under full tensor-core load "
                                               "divided by the rated clock_hz (power/thermal limit); scales "
                                               "every SM-side rate, not HBM bandwidth. Calibration knob.")
    mma_issue_efficiency: Fraction = Field(1.0, description="Fraction of tensor-core peak that a pipelined "
                                           "MMA instruction stream sustains (issue and operand-fetch "
                                           "bubbles). Calibration knob.")
    memory_latency_cycles: PosNum = Field(description="Load-to-use latency of an HBM access seen by an SM, "
                                          "cycles; with the pipeline depth it caps one CTA's bandwidth "
                                          "(Little's law).")
    sm_port_bandwidth_bytes_per_cycle: PosNum = Field(description="Most bytes per cycle one SM can pull "
                                                      "from L2/HBM (its NoC/L1 fill port).")
    l2_reuse_fraction: Fraction = Field(0.5, description="Fraction of L2 capacity usable for reuse between "
                                        "concurrently running CTAs (data is duplicated across the two L2 "
                                        "partitions of GA100/GH100).")
    kernel_launch_overhead_s: NonNegNum = Field(description="Time between back-to-back kernels on one stream "
                                                "(launch + drain), seconds.")
    loop_iteration_overhead_cycles: NonNegNum = Field(0.0, description="Fixed cost of one main-loop iteration "
                                                      "of a CTA (barrier/mbarrier waits, loop bookkeeping), "
                                                      "cycles. Calibration knob.")
    hbm_level: str = Field("HBM", description="Name of the storage level that is device memory.")
    l2_level: str = Field("L2", description="Name of the storage level that is the L2 cache.")
    smem_level: str = Field("SMEM", description="Name of the per-SM shared-memory storage level.")
    register_level: str = Field("RF", description="Name of the per-SM register-file storage level.")
