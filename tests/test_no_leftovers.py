"""Nothing outlives a Reelay process: not its render pool, not the pool's resource tracker.

A SIGKILLed server or worker runs no shutdown code: its pool children watch it and exit by
themselves. One stopped by SIGTERM stops its pools and frees their semaphores, so the resource
tracker finds none to report leaked.
"""

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from support import processes
from support.official import auth
from support.server import LEAKED, ReelayProcess
from support.tasks import wait_official

pytestmark = pytest.mark.e2e  # real processes: make test-fast leaves these out


def start_render(server: ReelayProcess) -> None:
    """A sandbox task RUNNING, so that the render pool has started."""
    http = httpx.Client(base_url=server.url, headers=auth(server.create_key()))
    body = {"model": "gen4.5", "promptText": "[sandbox:delay=30] still rendering", "ratio": "1280:720", "duration": 2}
    task_id = http.post("/v1/text_to_video", json=body).json()["id"]
    wait_official(http, task_id, until={"RUNNING"}, timeout=60)


def pool_of(pid: int, timeout: float = 30) -> list[int]:
    """The process's descendants, once its render pool's children are among them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = processes.descendants(pid)
        if any("spawn_main" in processes.command(child) for child in found):
            return found
        time.sleep(0.1)
    raise AssertionError(f"no render pool under {pid}: {[processes.command(c) for c in processes.descendants(pid)]}")


def assert_gone(pids: list[int], within: float) -> None:
    left = processes.wait_gone(pids, within)
    assert not left, f"still running {within} s later: {[processes.command(pid) for pid in left]}"


def test_a_sigkilled_servers_pool_children_exit_within_seconds(tmp_path):
    server = ReelayProcess(tmp_path / "data").start()
    try:
        start_render(server)
        pool = pool_of(server.process.pid)
        server.kill()
        assert_gone(pool, within=3)
    finally:
        server.stop()


def test_a_server_stopped_by_sigterm_stops_its_pool_and_leaks_no_semaphore(tmp_path):
    server = ReelayProcess(tmp_path / "data").start()
    try:
        start_render(server)
        pool = pool_of(server.process.pid)
        server.process.terminate()
        server.process.wait(20)
        assert_gone(pool, within=3)
        assert LEAKED not in server.all_output()
    finally:
        server.stop()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_a_stopped_or_killed_worker_leaves_nothing_behind(tmp_path, signum):
    server = ReelayProcess(tmp_path / "data", extra_env={"REELAY_WORKER": "false"}).start()
    try:
        worker = server.start_worker()
        start_render(server)
        pool = pool_of(worker.pid)
        worker.send_signal(signum)
        code = worker.wait(20)
        assert_gone(pool, within=3)
        if signum == signal.SIGTERM:
            worker.collector.join(10)
            assert code == 0 and LEAKED not in "".join(worker.lines)
    finally:
        server.stop()


# A pool owner killed while its child is still starting: the child, not yet watching, must not
# take init (its parent by then) for its parent and outlive the owner. Prints the pids, then dies.
OWNER_DIES_AT_ONCE = """
import multiprocessing, os, signal
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import resource_tracker
from reelay.orphans import exit_with_parent

if __name__ == "__main__":
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(1, mp_context=context, initializer=exit_with_parent, initargs=(os.getpid(),))
    pool.submit(print)
    print(*pool._processes, resource_tracker._resource_tracker._pid, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_child_still_starting_when_its_owner_dies_exits_too(tmp_path):
    script = tmp_path / "owner.py"
    script.write_text(OWNER_DIES_AT_ONCE)
    owner = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert owner.returncode == -signal.SIGKILL, owner.stderr
    children = [int(pid) for pid in owner.stdout.split()]
    assert len(children) == 2 and os.getpid() not in children
    assert_gone(children, within=5)
