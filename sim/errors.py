"""Errors raised while simulating (as opposed to spec errors in the input files)."""


class SimulationError(Exception):
    """A valid input that cannot be simulated, e.g. a mapping that does not fit."""


class InfeasibleMapping(SimulationError):
    """A mapping that is well-formed but cannot run on the architecture (e.g. tiles too big)."""
