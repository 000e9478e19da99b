"""Mappings as YAML documents that ``sim run --mapping`` accepts (the engine's format)."""

from __future__ import annotations

from typing import Any

import yaml

from sim.engine.mapping import EinsumMapping, FusionGroup, LevelMapping, Loop, Mapping


def mapping_to_dict(mapping: Mapping) -> dict[str, Any]:
    body: dict[str, Any] = {"double_buffering": mapping.double_buffering,
                            "einsums": {name: _einsum(em) for name, em in mapping.einsums.items()}}
    groups = [_group(c) for c in mapping.root.children if isinstance(c, FusionGroup)]
    if groups:
        body["fusion"] = groups
    return {"mapping": body}


def mapping_to_yaml(mapping: Mapping, header: str = "") -> str:
    text = yaml.safe_dump(mapping_to_dict(mapping), sort_keys=False, default_flow_style=None, width=110)
    return header + text


def _einsum(em: EinsumMapping) -> dict[str, Any]:
    levels = {}
    for level in em.levels:
        entry = _level(level)
        if entry or level.level != em.unit:
            levels[level.level] = entry
    out: dict[str, Any] = {"unit": em.unit, "levels": levels}
    if em.pass_overhead_cycles:
        out["pass_overhead_cycles"] = em.pass_overhead_cycles
    return out


def _level(level: LevelMapping) -> dict[str, Any]:
    out: dict[str, Any] = {"temporal": [_loop(lp) for lp in level.temporal]}
    if level.spatial:
        out["spatial"] = [_loop(lp) for lp in level.spatial]
    if level.keep is not None:
        out["keep"] = list(level.keep)
    if level.bypass:
        out["bypass"] = list(level.bypass)
    return out


def _loop(loop: Loop) -> dict[str, int]:
    out = {loop.rank: int(loop.factor)}
    if loop.spatial and loop.axis is not None:
        out["axis"] = int(loop.axis)
    return out


def _group(group: FusionGroup) -> dict[str, Any]:
    out: dict[str, Any] = {"name": group.name, "loops": [_loop(lp) for lp in group.loops],
                           "overlap": group.overlap}
    if group.keep_level is not None:
        out["keep_level"] = group.keep_level
    out["children"] = [_group(c) if isinstance(c, FusionGroup) else c for c in group.children]
    return out
