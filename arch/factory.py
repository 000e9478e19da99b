"""Build frozen :class:`~arch.model.Architecture` objects from validated specs."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel

from arch.model import Architecture, ComputeUnit, Op, StorageLevel
from arch.schema import ArchSpec, ComputeSpec, OpSpec, StorageSpec


def build_arch(spec: ArchSpec, sections: Mapping[str, BaseModel], params: Mapping[str, Any],
               file: str) -> Architecture:
    return Architecture(
        name=spec.name,
        kind=spec.kind,
        description=spec.description,
        technology=spec.technology,
        clock_hz=spec.clock_hz,
        storage=tuple(_storage(s, spec.clock_hz) for s in spec.storage),
        compute=tuple(_unit(u) for u in spec.compute),
        parameters=MappingProxyType(dict(params)),
        sections=MappingProxyType(dict(sections)),
        sources=tuple(spec.sources),
        file=file,
    )


def _storage(s: StorageSpec, clock_hz: float) -> StorageLevel:
    read = s.read_bandwidth_bytes_per_cycle
    if read is None:
        read = s.bandwidth_bytes_per_s / clock_hz
    write = s.write_bandwidth_bytes_per_cycle
    if write is None:
        write = s.write_bandwidth_bytes_per_s / clock_hz if s.write_bandwidth_bytes_per_s else read
    return StorageLevel(
        name=s.name,
        size_bytes=s.size_bytes,
        word_bits=s.word_bits,
        access_bits=s.access_bits or s.word_bits,
        instances=s.instances,
        read_bandwidth_bytes_per_cycle=read * s.achievable_fraction,
        write_bandwidth_bytes_per_cycle=write * s.achievable_fraction,
        shared_bandwidth=s.shared_bandwidth,
        read_energy_pj=s.read_energy_pj,
        write_energy_pj=s.read_energy_pj if s.write_energy_pj is None else s.write_energy_pj,
        area_um2=s.area_um2,
        leakage_power_mw=s.leakage_power_mw,
    )


def _unit(u: ComputeSpec) -> ComputeUnit:
    native = {k: _native(k, o) for k, o in u.ops.items() if not o.implemented_as}
    ops = dict(native)
    for kind, spec in u.ops.items():
        if spec.implemented_as:
            ops[kind] = _composite(kind, spec, native)
    return ComputeUnit(
        name=u.name,
        kind=u.kind,
        mesh=tuple(u.mesh),
        instances=u.instances,
        storage=u.storage,
        ops=MappingProxyType(ops),
        pe_area_um2=u.pe_area_um2,
        leakage_power_mw=u.leakage_power_mw,
        spatial_reduction=u.spatial_reduction,
    )


def _native(kind: str, spec: OpSpec) -> Op:
    rate = spec.ops_per_cycle or (1.0 / spec.cycles_per_op if spec.cycles_per_op else 1.0)
    return Op(kind, rate, spec.energy_pj or 0.0, MappingProxyType({}),
              MappingProxyType(dict(spec.ops_per_cycle_by_dtype)))


def _composite(kind: str, spec: OpSpec, native: Mapping[str, Op]) -> Op:
    cycles = sum(n / native[k].ops_per_cycle for k, n in spec.implemented_as.items())
    energy = spec.energy_pj
    if energy is None:
        energy = sum(n * native[k].energy_pj for k, n in spec.implemented_as.items())
    return Op(kind, 1.0 / cycles, energy, MappingProxyType(dict(spec.implemented_as)),
              MappingProxyType(dict(spec.ops_per_cycle_by_dtype)))
