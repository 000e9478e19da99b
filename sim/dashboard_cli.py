"""``sim dashboard``: open the Streamlit design-space dashboard (``app/main.py``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app" / "main.py"


def register(sub) -> None:
    p = sub.add_parser("dashboard", help="open the design-space dashboard in a browser (Streamlit)",
                       description="Run, explore sweeps, timelines, validation and comparisons in a browser.")
    p.add_argument("--port", type=int, default=8501, help="port to serve on (default: 8501)")
    p.add_argument("--address", default="localhost", help="address to bind (default: localhost; 0.0.0.0 for all)")
    p.add_argument("--headless", action="store_true", help="do not open a browser window")
    p.add_argument("--dry-run", action="store_true", help="print the streamlit command instead of running it")
    p.set_defaults(func=_dashboard)


def streamlit_command(port: int, address: str, headless: bool) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
            "--server.address", address, "--server.headless", str(headless).lower(),
            "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal"]


def _dashboard(args) -> int:
    """Replace this process by the Streamlit server (so Ctrl-C and kill reach it directly)."""
    from specbase import SpecError

    if not 0 < args.port < 65536:
        raise SpecError.single("--port", "", f"port must be between 1 and 65535 (got {args.port})")
    command = streamlit_command(args.port, args.address, args.headless)
    if args.dry_run:
        print(" ".join(command))
        return 0
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(APP.parents[1]),
                                                                       os.environ.get("PYTHONPATH")]))}
    os.execve(command[0], command, env)
    return 0
