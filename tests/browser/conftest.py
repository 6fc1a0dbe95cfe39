"""A real `courtyard sandbox` and a real headless Chromium (Debian's chromium + chromedriver).

Without the browser the tests skip, unless COURTYARD_BROWSER_TESTS=required (set by
.ci/run), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("COURTYARD_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("COURTYARD_CHROMEDRIVER", "/usr/bin/chromedriver")
REQUIRED = os.environ.get("COURTYARD_BROWSER_TESTS") == "required"
STARTUP_SECONDS = 180.0
# Chromium must not reach for Google's services: this machine has no network but loopback.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
)


def _missing_browser() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).exists() or shutil.which(path)):
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="session")
def browser_available() -> None:
    reason = _missing_browser()
    if reason is None:
        return
    if REQUIRED:
        pytest.fail(f"COURTYARD_BROWSER_TESTS=required but {reason}")
    pytest.skip(f"no headless browser: {reason}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RunningSandbox:
    """`python -m bot sandbox` in a subprocess, exactly as a person starts it."""

    def __init__(self, language: str, folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.lines: list[str] = []
        self._ready = threading.Event()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "sandbox", "--port", str(self.port), "--lang", language],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=folder,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("Ready."):
                self._ready.set()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._ready.wait(0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = "\n".join(self.lines[-40:])
                raise AssertionError(f"the sandbox did not get ready:\n{output}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_sandbox(language: str, folder: Path) -> Iterator[RunningSandbox]:
    sandbox = RunningSandbox(language, folder)
    try:
        sandbox.wait_ready()
        yield sandbox
    finally:
        sandbox.stop()


def chrome(profile: Path, window: str):  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={window}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
