"""``sim reproduce``: published results rebuilt from cascades, mappings and architecture files.

Targets: ``fusemax`` (Nayak et al., MICRO 2024: FuseMax vs FLAT vs unfused attention, the
configuration ladder, end-to-end layers and the PE-array Pareto sweep).
"""

from __future__ import annotations

TARGETS = {"fusemax": "sim.reproduce.fusemax:main"}


def register(subparsers) -> None:
    from sim.reproduce.fusemax import add_arguments

    parser = subparsers.add_parser("reproduce", help="reproduce a published result (fusemax)")
    parser.add_argument("target", choices=sorted(TARGETS), help="which paper to reproduce")
    add_arguments(parser)
    parser.set_defaults(func=_dispatch)


def _dispatch(args) -> int:
    import importlib

    module, _, attr = TARGETS[args.target].partition(":")
    return getattr(importlib.import_module(module), attr)(args)
