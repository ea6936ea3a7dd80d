"""A real browser for the console's tests: Playwright driving Debian's Chromium, headless.

Debian's package, not Playwright's downloaded build (no download at test time): installed with
apt-get when missing, which needs root; without it the tests say how to install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def ensure_chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], env=env, check=True, capture_output=True, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "chromium"], env=env, check=True, capture_output=True, timeout=1200)
    return CHROMIUM


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium under Playwright; closed (with its driver) at the end of the block."""
    from playwright.sync_api import sync_playwright

    executable = ensure_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), headless=True)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page, screen: str) -> Path:
    """docs/screenshots/<screen>.png, the whole page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{screen}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class Problems:
    """What the page reported going wrong: script errors, console errors, failed requests."""

    def __init__(self, page) -> None:
        self.found: list[str] = []
        page.on("pageerror", lambda error: self.found.append(f"script error: {error}"))
        page.on("console", lambda message: message.type == "error" and self.found.append(f"console: {message.text}"))
        page.on("requestfailed", self._failed)
        self.requested: list[str] = []
        page.on("request", lambda request: self.requested.append(request.url))

    def _failed(self, request) -> None:
        # ERR_ABORTED: the page navigated away before the request ended (a favicon, a poll).
        if "ERR_ABORTED" not in (request.failure or ""):
            self.found.append(f"request failed: {request.url} {request.failure}")


def sign_in(page, base_url: str, key: str) -> None:
    page.goto(base_url + "/console/login")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/tasks**")


def wait_until(page, expression: str, timeout: float = 30) -> None:
    """Until `expression` is true in the page. Polled with evaluate: wait_for_function evaluates a
    string with eval, which the console's Content-Security-Policy (rightly) forbids."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {expression}")
        page.wait_for_timeout(100)
