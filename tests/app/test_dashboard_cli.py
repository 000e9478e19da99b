"""``sim dashboard``: registered with the CLI and runs ``streamlit run`` on the app."""

from __future__ import annotations

from pathlib import Path

from sim import cli
from sim.dashboard_cli import APP


def test_dashboard_command_runs_streamlit_on_the_app(capsys):
    assert cli.main(["dashboard", "--port", "8765", "--headless", "--dry-run"]) == 0
    command = capsys.readouterr().out.split()
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert Path(command[4]) == APP and APP.exists()
    assert command[command.index("--server.port") + 1] == "8765"
    assert command[command.index("--server.headless") + 1] == "true"


def test_dashboard_rejects_a_bad_port(capsys):
    assert cli.main(["dashboard", "--port", "70000", "--dry-run"]) == 2
    assert "--port" in capsys.readouterr().err
