"""Real-browser check: the dashboard served by ``streamlit run`` runs a preset in headless Chromium.

The fixtures install what they need (Debian's ``chromium`` and the ``playwright`` package);
the test fails, never skips, when the browser cannot be started. The screenshot is kept in
the test's tmp dir; with ``SIM_UPDATE_SCREENSHOT=1`` it also replaces docs/img/dashboard.png.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "docs" / "img" / "dashboard.png"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]
SERVER_START_S = 60


def _install_chromium() -> None:
    if CHROMIUM.exists():
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
    assert CHROMIUM.exists(), "apt-get installed chromium but /usr/bin/chromium is missing"


def _install_playwright() -> None:
    if importlib.util.find_spec("playwright") is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "playwright"], check=True)
        importlib.invalidate_caches()


@pytest.fixture(scope="session")
def browser_tools():
    _install_chromium()
    _install_playwright()
    from playwright.sync_api import sync_playwright

    return sync_playwright


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"streamlit exited early:\n{server.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"streamlit did not answer on {url} within {SERVER_START_S} s")


@pytest.fixture(scope="session")
def dashboard_url(tmp_path_factory):
    port = _free_port()
    home = tmp_path_factory.mktemp("streamlit-home")
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                                                      os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "main.py"), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def test_run_a_preset_in_chromium(browser_tools, dashboard_url, tmp_path):
    with browser_tools() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.goto(dashboard_url, wait_until="domcontentloaded")
            page.get_by_role("heading", name="Run").first.wait_for(timeout=30_000)
            page.get_by_role("button", name="Run", exact=True).click()
            chart = page.locator('[data-testid="stVegaLiteChart"]').first
            chart.wait_for(state="visible", timeout=60_000)
            chart.locator("canvas, svg").first.wait_for(state="visible", timeout=30_000)
            page.get_by_text("Latency per Einsum").first.wait_for(timeout=30_000)
            metric_labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
            assert {"latency", "energy", "bound"} <= {label.strip() for label in metric_labels}
            page.evaluate("document.querySelectorAll('[data-testid=stSidebarContent], "
                          "[data-testid=stSidebarUserContent]').forEach(e => e.scrollTo(0, 0))")
            page.wait_for_timeout(500)
            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot), full_page=False)
        finally:
            context.close()
    assert shot.stat().st_size > 10_000
    if os.environ.get("SIM_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)
