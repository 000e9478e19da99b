"""Extra ``sim`` subcommands, each a module whose ``register(subparsers)`` adds its parser.

The parser it adds sets ``func`` (a callable taking the parsed args and returning an
exit code) with ``parser.set_defaults(func=...)``.
"""

COMMANDS: dict[str, str] = {}
