"""``sim reproduce fusemax``: the FuseMax evaluation on the Einsum-cascade engine."""

from __future__ import annotations

import time

from sim.report import emit_text
from sim.reproduce import pareto, render
from sim.reproduce.study import run_study
from specbase import SpecError
from workloads.models import MODELS, SEQUENCE_LENGTHS, model

FORMATS = ("table", "json", "csv", "markdown")
ARRAY_SIZE = 256


def add_arguments(parser) -> None:
    parser.add_argument("--models", default=",".join(MODELS),
                        help=f"comma-separated models (default: all: {', '.join(MODELS)})")
    parser.add_argument("--lengths", default=",".join(_label(n) for n in SEQUENCE_LENGTHS),
                        help="comma-separated sequence lengths, e.g. 1K,4K,1M (default: 1K..1M)")
    parser.add_argument("--no-e2e", action="store_true", help="skip the end-to-end layer (GEMMs + attention)")
    parser.add_argument("--no-pareto", action="store_true", help="skip the PE-array Pareto sweep")
    parser.add_argument("--pareto-model", default="bert_base", help="model of the Pareto sweep")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("--output", help="write to this file instead of standard output")


def _label(n: int) -> str:
    return f"{n >> 20}M" if n >= 1 << 20 else f"{n >> 10}K"


def parse_length(text: str) -> int:
    """'1K' -> 1024, '1M' -> 1048576, '4096' -> 4096."""
    value = text.strip().upper()
    scale = {"K": 1 << 10, "M": 1 << 20}.get(value[-1:], 1)
    digits = value[:-1] if scale > 1 else value
    if not digits.isdigit() or int(digits) <= 0:
        raise SpecError.single("--lengths", "", f"cannot read sequence length {text!r}",
                               allowed="positive integers with an optional K or M suffix, e.g. 1K, 64K, 1M")
    return int(digits) * scale


def main(args) -> int:
    models = [model(name.strip()) for name in args.models.split(",") if name.strip()]
    lengths = [parse_length(t) for t in args.lengths.split(",") if t.strip()]
    for n in lengths:
        if n % ARRAY_SIZE:
            raise SpecError.single("--lengths", "", f"sequence length {n} is not a multiple of the {ARRAY_SIZE}-PE "
                                   "array (the 1-pass cascade splits keys into blocks of one array height)",
                                   allowed=f"multiples of {ARRAY_SIZE}, e.g. 1K, 4K, 1M")
    start = time.perf_counter()
    study = run_study(models, lengths, e2e=not args.no_e2e)
    sweep = () if args.no_pareto else pareto.sweep(model(args.pareto_model))
    wall = time.perf_counter() - start
    if args.format == "json":
        text = render.to_json(study, sweep)
    elif args.format == "csv":
        text = render.to_csv(study)
    elif args.format == "markdown":
        text = render.to_markdown(study, sweep, wall)
    else:
        text = render.to_text(study, sweep, wall)
    emit_text(text, args.output)
    return 0
