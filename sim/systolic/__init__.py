"""Systolic-array model, cycle-exact with SCALE-Sim v3 in its stall-free mode.

``evaluate(SystolicConfig, ConvLayer) -> SystolicReport`` is the library entry point;
``sim.systolic.backend`` adapts it to the simulator's arch/workload/Result contract.
"""

from sim.systolic.config import DATAFLOWS, SystolicConfig
from sim.systolic.layer import ConvLayer
from sim.systolic.model import SystolicReport, evaluate

__all__ = ["DATAFLOWS", "ConvLayer", "SystolicConfig", "SystolicReport", "evaluate"]
