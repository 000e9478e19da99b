"""Fixtures of the dashboard tests: an AppTest of the whole app (pages reached by navigation)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"


@pytest.fixture
def dashboard():
    """A started dashboard; ``dashboard(page)`` opens a page (``"views/run.py"`` etc.)."""

    def open_page(page: str = "views/run.py") -> AppTest:
        at = AppTest.from_file(str(MAIN), default_timeout=120)
        at.run()
        if page != "views/run.py":
            at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return open_page
