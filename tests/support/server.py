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

from . import backends, processes

BIN = Path(sys.executable).parent
LEAKED = "leaked semaphore"  # in resource_tracker's warning about semaphores left behind
# REELAY_SANDBOX_SCALE of test servers: the sandbox renders a quarter of each side asked for.
# A test that checks a video's size, or a server that must render as in production (chaos,
# benchmarks), passes render_scale=None.
SMALL = 0.25

_servers: list[ReelayProcess] = []  # every one the session started, for the check at its end
# The admin key of each data dir, as its first server printed it (a restarted one prints none).
_admin_keys: dict[Path, str] = {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reelay_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "reelay"), *args], env=env, capture_output=True, text=True, timeout=60, check=True)


@dataclass
class ReelayProcess:
    data_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    output: list[str] = field(default_factory=list)
    workers: list = field(default_factory=list)
    render_scale: float | None = SMALL
    _stopped: bool = field(default=False, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _collector: threading.Thread | None = field(default=None, init=False, repr=False)

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
        if self.render_scale is not None:
            env["REELAY_SANDBOX_SCALE"] = str(self.render_scale)
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60) -> ReelayProcess:
        self._stopped = False
        self.process = subprocess.Popen(
            [str(BIN / "reelay"), "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        processes.track(self)
        _servers.append(self)
        self._collector = threading.Thread(target=self._collect, daemon=True)
        self._collector.start()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("reelay exited:\n" + "".join(self.output))
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    self._remember_admin_key(wait=2)  # none printed: the data dir's database had one
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("reelay did not start:\n" + "".join(self.output))

    def _collect(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)

    def all_output(self, timeout: float = 10) -> str:
        """The output once every process writing it has exited: its pool children and their
        resource tracker too, which reports leaked semaphores as it exits."""
        self._collector.join(timeout)
        return "".join(self.output)

    def start_worker(self, *args: str, timeout: float = 60) -> subprocess.Popen:
        """A `reelay worker` process on the same data dir, database and storage."""
        with self._lock:
            # Listed at once, so that a stop() while it starts (from another thread) stops it too.
            if self._stopped:
                raise RuntimeError("reelay was stopped: no more workers")
            worker = subprocess.Popen(
                [str(BIN / "reelay"), "worker", *args],
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            self.workers.append(worker)
        worker.lines = []
        started = threading.Event()

        def collect() -> None:
            for line in worker.stdout:
                worker.lines.append(line)
                if line.startswith("Reelay worker"):
                    started.set()

        worker.collector = threading.Thread(target=collect, daemon=True)
        worker.collector.start()
        if not started.wait(timeout):
            _end(worker, 0)
            raise RuntimeError("reelay worker did not start:\n" + "".join(worker.lines))
        return worker

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it: the workers first (they hand their tasks back
        and stop their render pools), then the server; SIGKILL for any that takes too long."""
        with self._lock:
            self._stopped = True
            workers = list(self.workers)
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
        for worker in workers:
            _end(worker, 20)
        if self.process and self.process.poll() is None:
            self.process.terminate()
            _end(self.process, 15)

    def _remember_admin_key(self, wait: float = 0) -> None:
        """Keep the admin key this process printed, for the servers started later on its data
        dir. It is printed before the server listens, but the collector may read it later."""
        data_dir = self.data_dir.resolve()
        deadline = time.time() + wait
        while data_dir not in _admin_keys:
            printed = self.admin_key()
            if printed:
                _admin_keys[data_dir] = printed
            elif time.time() >= deadline:
                return
            else:
                time.sleep(0.02)

    def create_key(self, name: str = "test", **fields) -> str:
        return self.new_key(name, **fields)["key"]

    def new_key(self, name: str = "test", **fields) -> dict:
        """A client key made through the admin API (no CLI process): the answer of POST
        /admin/keys, with `key`, `id`, `prefix` and `signing_secret`. `fields`: points,
        max_concurrent, rate_limit_per_second, daily_limit, monthly_spend_limit."""
        answer = httpx.post(
            self.url + "/admin/keys",
            json={"name": name, **fields},
            headers={"Authorization": f"Bearer {self.admin}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    @property
    def admin(self) -> str:
        """The data dir's admin key: printed by its first server, which may be this one or one
        stopped before it (a restarted server prints none)."""
        self._remember_admin_key(wait=10)
        known = _admin_keys.get(self.data_dir.resolve())
        if known is None:
            raise RuntimeError(f"no admin key known for {self.data_dir}:\n" + "".join(self.output))
        return known

    def admin_key(self) -> str | None:
        """The admin key this process printed (only the first start of a data dir prints one)."""
        for line in self.output:
            if line.startswith("Admin key"):
                return line.rsplit(" ", 1)[-1].strip()
        return None


def _end(process: subprocess.Popen, grace: float) -> None:
    """Wait `grace` seconds for the process to exit, then SIGKILL it."""
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def leaked_semaphores() -> list[str]:
    """The servers and workers that were stopped, not SIGKILLed, yet whose resource tracker
    reported leaked semaphores (after a SIGKILL it rightly does). Call once they have all exited."""
    found = []
    for server in _servers:
        server._collector.join(5)
        for worker in server.workers:
            worker.collector.join(5)
        named = [(server.process, server.output, f"reelay serve ({server.data_dir})")]
        named += [(worker, worker.lines, f"reelay worker ({server.data_dir})") for worker in server.workers]
        for process, lines, name in named:
            if process.poll() != -signal.SIGKILL and any(LEAKED in line for line in lines):
                found.append(name + ":\n" + "".join(lines))
    return found
