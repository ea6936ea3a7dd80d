"""The upstream emulator (`python -m reelay.emulator`) as a real process, and its control API."""

from __future__ import annotations

import re
import subprocess
import sys
import threading

import httpx

from . import processes


class Emulator:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reelay.emulator", "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        processes.track(self)
        line = self.process.stdout.readline()
        match = re.search(r"http://[\d.]+:(\d+)", line)
        if not match:
            self.stop()
            raise RuntimeError(f"emulator did not start: {line}{self.process.stdout.read()}")
        self.url = f"http://127.0.0.1:{match.group(1)}"
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        self.control = httpx.Client(base_url=self.url + "/_control", timeout=30)

    def reset(self, **behaviour) -> None:
        self.control.post("/reset").raise_for_status()
        if behaviour:
            self.control.post("/behaviour", json=behaviour).raise_for_status()

    def faults(self, *rules: dict) -> None:
        self.control.post("/faults", json={"rules": list(rules)}).raise_for_status()

    def requests(self, path: str = "") -> list[dict]:
        return self.control.get("/requests", params={"path": path} if path else None).json()

    def stats(self) -> dict:
        return self.control.get("/stats").json()

    def task(self, task_id: str) -> dict:
        return self.control.get(f"/tasks/{task_id}").json()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(5)
