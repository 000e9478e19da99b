"""Pick a reuse factor that fits the device, and sweep the latency/resource trade-off."""

from __future__ import annotations

from dataclasses import replace

from sim.fpga.calibration import DEFAULT_PORT_COSTS, PortCosts
from sim.fpga.datapath import DatapathConfig
from sim.fpga.hls4ml import NetworkEstimate, estimate_network
from sim.fpga.layers import MacLayer
from sim.fpga.resources import FpgaDevice
from sim.fpga.reuse import valid_reuse_factors


def candidate_requests(layers: tuple[MacLayer, ...]) -> tuple[int, ...]:
    """Every RF that is legal for at least one layer, ascending (the requests worth trying)."""
    values: set[int] = set()
    for layer in layers:
        values.update(valid_reuse_factors(layer.n_in, layer.n_out))
    return tuple(sorted(values))


def sweep(layers: tuple[MacLayer, ...], config: DatapathConfig, device: FpgaDevice,
          requests: tuple[int, ...] | None = None, port_costs: PortCosts = DEFAULT_PORT_COSTS,
          max_utilization: float = 1.0) -> tuple[NetworkEstimate, ...]:
    """One estimate per distinct legalized RF tuple, in order of the requests."""
    out: list[NetworkEstimate] = []
    seen: set[tuple[int, ...]] = set()
    for request in requests or candidate_requests(layers):
        estimate = estimate_network(layers, replace(config, reuse_factor=request), device,
                                    port_costs, max_utilization)
        if estimate.reuse_factors not in seen:
            seen.add(estimate.reuse_factors)
            out.append(estimate)
    return tuple(out)


def choose_reuse_factor(layers: tuple[MacLayer, ...], config: DatapathConfig, device: FpgaDevice,
                        port_costs: PortCosts = DEFAULT_PORT_COSTS,
                        max_utilization: float = 1.0) -> NetworkEstimate:
    """The lowest-latency uniform RF request whose network fits; the largest RF if none fits."""
    estimates = sweep(layers, config, device, None, port_costs, max_utilization)
    fitting = [item for item in estimates if item.fits]
    if fitting:
        best = min(fitting, key=lambda item: (item.latency_cycles, item.resources.dsp))
        note = "reuse factor chosen automatically: the lowest-latency uniform request that fits"
    else:
        best = estimates[-1]
        note = "no reuse factor fits the device; showing the largest legal one"
    return replace(best, notes=(note, *best.notes))
