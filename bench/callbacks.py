"""Callback delivery throughput and lag: 1,000 tasks finish at once, one local receiver.

    .venv/bin/python bench/callbacks.py [--tasks 1000] [--per-host 4 16 64]

Builds Reelay's real pieces on a fresh SQLite data dir (task store, outbox, dispatcher), starts the
test receiver (tests/support/receiver.py) as its own process, creates the tasks with a callback URL,
then moves every task to RUNNING and SUCCEEDED as fast as the store allows.
- live: the dispatcher runs while the changes are committed; lag is from each change's commit to
  the receiver reading its POST.
- backlog drain: all 2,000 changes are committed first, then the dispatcher starts; the rate is
  how fast it empties the outbox.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from reelay.callbacks.dispatcher import Dispatcher  # noqa: E402
from reelay.callbacks.schedule import RetrySchedule  # noqa: E402
from reelay.dialects.registry import task_object  # noqa: E402
from reelay.domain.request import GenerationRequest  # noqa: E402
from reelay.domain.status import Status  # noqa: E402
from reelay.domain.task import Task  # noqa: E402
from reelay.media.fetch import FetchPolicy  # noqa: E402
from reelay.storage.signing import UrlSigner  # noqa: E402
from reelay.store.callbacks import CallbackStore  # noqa: E402
from reelay.store.db import migrate, open_engine  # noqa: E402
from reelay.store.keys import KeyStore  # noqa: E402
from reelay.store.tasks import TaskStore  # noqa: E402


def start_receiver(log: Path) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    receiver = ROOT / "tests" / "support" / "receiver.py"
    process = subprocess.Popen(
        [sys.executable, str(receiver), "--port", str(port), "--log", str(log)], stdout=subprocess.PIPE
    )
    process.stdout.readline()
    return process, f"http://127.0.0.1:{port}/hook"


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


async def run(tasks_count: int, per_host: int, backlog: bool) -> dict:
    work = Path(tempfile.mkdtemp(prefix="reelay-bench-callbacks-"))
    log = work / "received.jsonl"
    receiver, url = start_receiver(log)
    db = open_engine(f"sqlite+aiosqlite:///{work / 'reelay.db'}")
    await migrate(db)
    keys, store, outbox = KeyStore(db), TaskStore(db), CallbackStore(db)
    key, _ = await keys.create("bench")
    now = datetime.now(UTC)
    request = GenerationRequest(
        "pro", "text_to_video", "gen4_turbo", "gen4_turbo", "16:9", 1280, 720, 5, prompt="bench", callback_url=url
    )
    ids = []
    for _ in range(tasks_count):
        task = Task(str(uuid.uuid4()), key.id, request, Status.PENDING, now, now)
        await store.create(task)
        ids.append(task.id)

    dispatcher = Dispatcher(
        outbox,
        store,
        keys,
        UrlSigner("x" * 64, 3600),
        task_object=task_object,
        base_url="http://127.0.0.1:8000",
        policy=FetchPolicy(allow_private=True),
        schedule=RetrySchedule(),
        per_host=per_host,
        poll_seconds=0.05,
    )
    changed: dict[tuple[str, str], float] = {}

    async def finish_all() -> None:
        for task_id in ids:  # every task finishes "at once": as fast as the store commits changes
            await store.transition(task_id, Status.RUNNING)
            changed[(task_id, "1")] = time.time()
            await store.transition(task_id, Status.SUCCEEDED)
            changed[(task_id, "3")] = time.time()

    if backlog:
        # Drain rate: every change is already in the outbox when the dispatcher starts.
        await finish_all()
        started = time.time()
        running = asyncio.create_task(dispatcher.run())
    else:
        # Lag: the dispatcher runs while the changes are being committed.
        running = asyncio.create_task(dispatcher.run())
        started = time.time()
        await finish_all()
    changes_done = time.time()
    expected = 2 * tasks_count
    # Count the receiver's lines reading only what it added since the last look: rereading the
    # whole file every 50 ms took CPU from the dispatcher it measures.
    received, offset = 0, 0
    while received < expected:
        await asyncio.sleep(0.05)
        if log.exists():
            with log.open("rb") as f:
                f.seek(offset)
                added = f.read()
            complete = added.rfind(b"\n") + 1
            received += added.count(b"\n", 0, complete)
            offset += complete
    finished = time.time()
    lines = log.read_text().splitlines()
    await dispatcher.stop()
    await running
    receiver.kill()
    await db.dispose()

    lags = []
    for line in lines:
        entry = json.loads(line)
        body = json.loads(entry["body"])
        lags.append(entry["received_at"] - changed[(body["task_id"], body["status"])])
    return {
        "mode": "backlog drain" if backlog else "live",
        "tasks": tasks_count,
        "deliveries": len(lines),
        "per_host": per_host,
        "changes_seconds": changes_done - started,
        "total_seconds": finished - started,
        "deliveries_per_second": len(lines) / (finished - started),
        "lag_p50_ms": statistics.median(lags) * 1000,
        "lag_p99_ms": percentile(lags, 99) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--per-host", type=int, nargs="+", default=[4, 16, 64])
    args = parser.parse_args()
    print("| mode | per-host limit | deliveries | all delivered in | deliveries/s | lag p50 | lag p99 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for backlog in (False, True):
        for per_host in args.per_host:
            r = asyncio.run(run(args.tasks, per_host, backlog))
            lag = "" if backlog else f"{r['lag_p50_ms']:.0f} ms | {r['lag_p99_ms']:.0f} ms"
            print(
                f"| {r['mode']} | {r['per_host']} | {r['deliveries']} | {r['total_seconds']:.2f} s | "
                f"{r['deliveries_per_second']:.0f} | {lag or 'n/a | n/a'} |"
            )


if __name__ == "__main__":
    main()
