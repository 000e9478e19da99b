"""Tile-level engine for spatial accelerators and CPUs: mappings, access counts, schedule, energy.

Public entry points:

- :mod:`sim.engine.mapping` -- frozen mapping objects and YAML parsing.
- :func:`sim.engine.backend.run` / :func:`sim.engine.backend.parse_mapping` -- the backend.
- :func:`sim.engine.evaluate.evaluate` -- one mapping to a :class:`~sim.result.Result`.
- :func:`sim.engine.default.default_mapping` -- the heuristic mapping used when none is given.
"""
