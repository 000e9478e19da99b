"""Extra ``sim`` subcommands, each a module whose ``register(subparsers)`` adds its parser.

The parser it adds sets ``func`` (a callable taking the parsed args and returning an
exit code) with ``parser.set_defaults(func=...)``.
"""

COMMANDS: dict[str, str] = {
    "fpga-sweep": "sim.fpga.sweep_cli:register",
    "validate": "validate.cli:register_validate",
    "calibrate": "validate.cli:register_calibrate",
    "streaming-table": "sim.streaming.table:register",
    "reproduce": "sim.reproduce:register",
    "search": "mapper.cli:register_search",
    "sweep": "mapper.cli:register_sweep",
    "dashboard": "sim.dashboard_cli:register",
}
