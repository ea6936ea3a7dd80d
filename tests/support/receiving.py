"""Starting and reading the callback receiver process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx

from . import processes
from .server import free_port

RECEIVER = Path(__file__).with_name("receiver.py")


class Receiver:
    def __init__(self, log: Path, port: int | None = None, **behaviour) -> None:
        self.log = log
        self.port = port or free_port()
        self.behaviour = behaviour
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Receiver:
        args = [sys.executable, str(RECEIVER), "--port", str(self.port), "--log", str(self.log)]
        for name, value in self.behaviour.items():
            args += [f"--{name.replace('_', '-')}", str(value)]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        processes.track(self)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                httpx.get(self.url, timeout=0.5)
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("receiver did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)

    def received(self) -> list[dict]:
        if not self.log.exists():
            return []
        entries = []
        for line in self.log.read_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # the line being written right now: read it next time
            entry["json"] = json.loads(entry["body"])
            entries.append(entry)
        return entries

    def wait_for(self, predicate, timeout: float = 60) -> list[dict]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            entries = self.received()
            if predicate(entries):
                return entries
            time.sleep(0.1)
        raise AssertionError(f"receiver did not get what was expected in {timeout}s: {self.received()}")
