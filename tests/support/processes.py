"""The processes a test session starts: stopped when their test ends, and none outliving the session.

Every process started while the session runs inherits REELAY_TEST_SESSION from it, down to the
render pools' children and their resource trackers, so /proc finds them all again, orphans too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
import uuid

SESSION_VAR = "REELAY_TEST_SESSION"

started: list = []  # what tests started (anything with an idempotent stop()), oldest first


# -- which tests may start processes ---------------------------------------------------------
# A test that starts a real process (a server, worker, emulator, receiver, moto, a CLI command)
# is marked e2e: by a module's `pytestmark = pytest.mark.e2e`, its own `@pytest.mark.e2e`, or by
# using a fixture decorated with @starts_processes. `make test-fast` leaves e2e tests out, and a
# test that is not marked e2e cannot start a process at all: the attempt raises. (Render pools'
# children, started by multiprocessing in unit tests, are not subprocess.Popen and stay allowed.)


def starts_processes(fixture_function):
    """Marks a fixture as starting real processes: every test that uses it is marked e2e."""
    fixture_function.starts_processes = True
    return fixture_function


class NotMarkedE2E(RuntimeError):
    """A test not marked e2e tried to start a process."""


_running_test: str | None = None  # the node id of the running test not marked e2e, if any


def running_test(nodeid: str | None, e2e: bool) -> None:
    """Called around each test: while one not marked e2e runs, starting a process raises."""
    global _running_test
    _running_test = None if e2e else nodeid


def _refuse_unmarked_starts(event: str, args: tuple) -> None:
    if event == "subprocess.Popen" and _running_test is not None:
        raise NotMarkedE2E(
            f"{_running_test} starts a process ({args[1]!r}) but is not marked e2e: "
            "mark it (pytest.mark.e2e, or @starts_processes on its fixture)"
        )


def guard_process_starts() -> None:
    sys.addaudithook(_refuse_unmarked_starts)  # once per session: audit hooks stay for good


def track(thing):
    started.append(thing)
    return thing


def stop_started_since(count: int) -> None:
    """Stop what was started after the first `count` (a failed test may have skipped its stop)."""
    leftovers = started[count:]
    del started[count:]
    for thing in reversed(leftovers):
        thing.stop()


def mark_session() -> None:
    os.environ[SESSION_VAR] = uuid.uuid4().hex


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid); None once the process is gone."""
    try:
        fields = _read(f"/proc/{pid}/stat").rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return fields[0].decode(), int(fields[1])


def alive(pid: int) -> bool:
    """Running: a zombie has ended (the init of a container may never reap the orphans it adopts)."""
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def command(pid: int) -> str:
    try:
        return _read(f"/proc/{pid}/cmdline").replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def _pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for other in _pids():
        stat = _stat(other)
        if stat is not None:
            children.setdefault(stat[1], []).append(other)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def of_this_session() -> list[int]:
    """Live processes started by this session, except this one's own resource tracker, which
    lives as long as this process and ends with it."""
    marker = f"{SESSION_VAR}={os.environ[SESSION_VAR]}".encode()
    me = os.getpid()
    found = []
    for pid in _pids():
        if pid == me:
            continue
        try:
            environ = _read(f"/proc/{pid}/environ").split(b"\0")
        except OSError:
            continue
        stat = _stat(pid)
        if marker not in environ or stat is None or stat[0] in ("Z", "X"):
            continue
        if stat[1] == me and "multiprocessing.resource_tracker" in command(pid):
            continue
        found.append(pid)
    return found


def wait_gone(pids: list[int], timeout: float) -> list[int]:
    """The ones still running after up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while (running := [pid for pid in pids if alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return running


def kill(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
