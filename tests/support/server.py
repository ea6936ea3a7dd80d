"""Starting Reelay as a real process for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from . import backends

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reelay_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "reelay"), *args], env=env, capture_output=True, text=True, timeout=60, check=True
    )


def create_key(env: dict[str, str], name: str = "test") -> str:
    """`reelay keys create` prints the key alone on its last line."""
    return create_key_and_secret(env, name)[0]


def create_key_and_secret(env: dict[str, str], name: str = "test") -> tuple[str, str]:
    lines = reelay_cli("keys", "create", "--name", name, env=env).stdout.strip().splitlines()
    secret = next(line.rsplit(" ", 1)[-1] for line in lines if line.startswith("Callback signing secret"))
    return lines[-1], secret


@dataclass
class ReelayProcess:
    data_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    output: list[str] = field(default_factory=list)
    workers: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(backends.env_for(self.data_dir))
        env.update(
            {
                "REELAY_DATA_DIR": str(self.data_dir),
                "REELAY_ALLOW_PRIVATE_URLS": "true",
                "REELAY_LEASE_SECONDS": "3",
                "REELAY_RENDER_PROCESSES": "2",
            }
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60) -> "ReelayProcess":
        self.process = subprocess.Popen(
            [str(BIN / "reelay"), "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._collect, daemon=True).start()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("reelay exited:\n" + "".join(self.output))
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("reelay did not start:\n" + "".join(self.output))

    def _collect(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)

    def start_worker(self, *args: str, timeout: float = 60) -> subprocess.Popen:
        """A `reelay worker` process on the same data dir, database and storage."""
        worker = subprocess.Popen(
            [str(BIN / "reelay"), "worker", *args], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        worker.lines = []
        started = threading.Event()

        def collect() -> None:
            for line in worker.stdout:
                worker.lines.append(line)
                if line.startswith("Reelay worker"):
                    started.set()

        threading.Thread(target=collect, daemon=True).start()
        if not started.wait(timeout):
            worker.kill()
            raise RuntimeError("reelay worker did not start:\n" + "".join(worker.lines))
        self.workers.append(worker)
        return worker

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(10)
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def create_key(self, name: str = "test") -> str:
        return create_key(self.env, name)

    def admin_key(self) -> str | None:
        for line in self.output:
            if line.startswith("Admin key"):
                return line.rsplit(" ", 1)[-1].strip()
        return None
