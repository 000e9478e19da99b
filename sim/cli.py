"""The ``sim`` command line."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from sim import api
from sim.commands import COMMANDS
from sim.errors import SimulationError
from sim.report import FORMATS, emit_text, render
from specbase import SpecError, parse_overrides


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except SpecError as exc:
        print(f"error: {exc.render()}", file=sys.stderr)
        return 2
    except SimulationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sim", description="Accelerator simulator for Einsum cascades.")
    sub = parser.add_subparsers(title="commands")
    _add_run(sub)
    _add_presets(sub)
    for module_name in COMMANDS.values():
        module_path, _, attr = module_name.partition(":")
        getattr(importlib.import_module(module_path), attr or "register")(sub)
    return parser


def add_set_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                        help="override a parameter (arch.NAME or workload.NAME if both files declare it); "
                             "repeatable")


def _add_run(sub) -> None:
    p = sub.add_parser("run", help="simulate a workload on an architecture")
    p.add_argument("arch", help="architecture YAML file or preset name")
    p.add_argument("workload", help="workload YAML file or preset name")
    p.add_argument("--mapping", help="mapping YAML file (default: the model's own mapping)")
    add_set_option(p)
    p.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    p.add_argument("--output", help="write the result to this file instead of standard output")
    p.add_argument("--model", choices=api.MODELS, default="auto",
                   help="'auto' picks the model for the arch kind; 'first-order' forces the roofline model")
    p.set_defaults(func=_run)


def _run(args) -> int:
    result = api.simulate(args.arch, args.workload, parse_overrides(args.overrides), args.mapping, args.model)
    emit_text(render(result, args.format), args.output)
    return 0


def _add_presets(sub) -> None:
    p = sub.add_parser("presets", help="list bundled architecture and workload presets")
    p.set_defaults(func=_presets)


def _presets(args) -> int:
    for group, names in api.presets().items():
        print(f"{group}: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
