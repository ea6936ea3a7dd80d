"""Ten thousand upstream tasks in flight on one worker process, against the upstream emulator.

    .venv/bin/python bench/inflight.py                       # 10,000 tasks, 5 s polls, PostgreSQL
    .venv/bin/python bench/inflight.py --tasks 2000 --hold 40 --spread 60
    .venv/bin/python bench/inflight.py --steady-polls        # poll every 5 s whatever the progress
    .venv/bin/python bench/inflight.py --code /path/to/other/checkout   # that checkout's src/ (before/after)

Four processes on this machine: the emulator (`python -m reelay.emulator`), an API process
(`reelay serve --no-worker`), the one `reelay worker` measured, and PostgreSQL (or, with
--database sqlite, one SQLite file shared by the two Reelay processes). The emulator's official
API is the only channel, polled no more often than every --poll seconds.

The tasks are created over HTTP, 16 at a time, and each one's upstream run is set (with the
emulator's `[emu:run=SECONDS]` prompt marker) so that every task is in flight together after
--hold seconds, and they then finish one after another over --spread seconds: a gateway
carrying 10,000 videos at once, finishing at a steady rate, as a busy one does.

Reported, for the worker process: peak tasks in flight; CPU while only tracking (all in flight,
none finishing) and over the whole run; peak memory (VmHWM); upstream requests per task (create,
polls, download); and the lag from the emulator's end of each task to the worker recording
SUCCEEDED (which includes downloading the result, making its poster and last frame, storing
all three, and writing the status and its callback in one transaction).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.databases import create_database, drop_database  # noqa: E402
from support.server import ReelayProcess  # noqa: E402

PENDING_SECONDS = 2.0  # each upstream task queues this long before it runs
FINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


def start_emulator() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "reelay.emulator", "--port", "0", "--log-limit", "1000"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    port = re.search(r":(\d+)", process.stdout.readline()).group(1)
    return process, f"http://127.0.0.1:{port}"


def proc_stats(pid: int) -> tuple[float, int]:
    """CPU seconds (user + system) and peak resident memory in bytes of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM"))
    return ticks / os.sysconf("SC_CLK_TCK"), peak


def children_cpu(pid: int) -> float:
    """CPU seconds of a process's live children (the worker's poster-making process)."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            with contextlib.suppress(FileNotFoundError):  # it ended since the listing
                total += proc_stats(int(child))[0]
    return total


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


class Database:
    """Reads the tasks table of whichever database the Reelay processes share."""

    def __init__(self, url: str) -> None:
        self.url = url

    def rows(self, statement: str) -> list[tuple]:
        async def run() -> list[tuple]:
            engine = create_async_engine(self.url)
            try:
                async with engine.connect() as conn:
                    return [tuple(row) for row in (await conn.execute(text(statement))).all()]
            finally:
                await engine.dispose()

        return asyncio.run(run())

    def counts(self) -> dict[str, int]:
        return dict(self.rows("select status, count(*) from tasks group by status"))


async def create_all(url: str, key: str, count: int, started: float, hold: float, spread: float) -> list[str]:
    """Creates the tasks; task i's upstream run ends at started + hold + spread·i/count."""
    ids: list[str] = []
    limit = asyncio.Semaphore(16)
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {key}", "X-Runway-Version": "2024-11-06"}, timeout=120
    ) as http:

        async def one(index: int) -> None:
            async with limit:
                ends = started + hold + spread * index / count
                run = max(1.0, ends - time.time() - PENDING_SECONDS)
                body = {"model": "veo3", "promptText": f"bench [emu:run={run:.2f}]", "ratio": "1280:720", "duration": 8}
                answer = await http.post("/v1/text_to_video", json=body)
                answer.raise_for_status()
                ids.append(answer.json()["id"])

        await asyncio.gather(*(one(index) for index in range(count)))
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--poll", type=float, default=5.0, help="the channel's poll_seconds")
    parser.add_argument("--max-poll", type=float, default=60.0, help="the channel's max_poll_seconds")
    parser.add_argument("--hold", type=float, default=150.0, help="seconds from the start until the first task ends")
    parser.add_argument("--spread", type=float, default=600.0, help="seconds over which the tasks end")
    parser.add_argument(
        "--steady-polls", action="store_true", help="poll every --poll seconds (poll_by_progress = false)"
    )
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument(
        "--code", help="run the API and worker from another checkout's src/ (a before/after in the same venv)"
    )
    args = parser.parse_args()

    emulator, emulator_url = start_emulator()
    control = httpx.Client(base_url=emulator_url + "/_control", timeout=120)
    control.post("/behaviour", json={"pending_seconds": PENDING_SECONDS}).raise_for_status()
    work = Path(tempfile.mkdtemp(prefix="reelay-bench-inflight-"))
    (work / "reelay.toml").write_text(
        f'[[channels]]\nname = "emu"\nengine = "runway"\nbase_url = "{emulator_url}"\nkeys = ["k"]\n'
        f"poll_seconds = {args.poll}\nmax_poll_seconds = {args.max_poll}\nrequest_timeout_seconds = 60\n"
        f"poll_by_progress = {'false' if args.steady_polls else 'true'}\n"
    )
    env = {"REELAY_CONFIG": str(work / "reelay.toml"), "REELAY_LEASE_SECONDS": "30", "REELAY_WORKER": "false"}
    if args.code:
        env["PYTHONPATH"] = str(Path(args.code).resolve() / "src")
    database_name = None
    if args.database == "postgres":
        database_name, env["REELAY_DATABASE_URL"] = create_database()
        database = Database(env["REELAY_DATABASE_URL"])
    else:
        env["REELAY_DATABASE_URL"] = f"sqlite+aiosqlite:///{work / 'data' / 'reelay.db'}"
        database = Database(env["REELAY_DATABASE_URL"])
    api = ReelayProcess(work / "data", extra_env=env, render_scale=None)  # renders as in production
    api.start()
    key = api.create_key("bench")
    worker = api.start_worker()
    try:
        started = time.time()
        ids = asyncio.run(create_all(api.url, key, args.tasks, started, args.hold, args.spread))
        created_in = time.time() - started
        print(f"{len(ids)} tasks created over HTTP in {created_in:.1f} s", flush=True)

        # Tracking alone: from the last create until the first task ends upstream.
        tracking_from = time.time()
        tracking_cpu_from, _ = proc_stats(worker.pid)
        tracking_requests_from = control.get("/stats").json()["requests"]
        time.sleep(max(0.0, started + args.hold - 2 - time.time()))
        tracking_seconds = time.time() - tracking_from
        tracking_cpu = proc_stats(worker.pid)[0] - tracking_cpu_from
        tracking_requests = control.get("/stats").json()["requests"] - tracking_requests_from

        peak_live = 0
        while True:
            counts = database.counts()
            live = sum(n for status, n in counts.items() if status not in FINAL)
            peak_live = max(peak_live, live)
            done = sum(counts.get(status, 0) for status in FINAL)
            print(f"  {time.time() - started:6.0f} s: {live} in flight, {done} final", flush=True)
            if done >= args.tasks:
                break
            time.sleep(10)
        total = time.time() - started
        cpu, peak_memory = proc_stats(worker.pid)
        helper_cpu = children_cpu(worker.pid)
        requests = control.get("/stats").json()["requests"]
        rows = database.rows("select updated_at, engine_state, status from tasks")
    finally:
        api.stop()
    lags, failed = [], 0
    with httpx.Client(base_url=emulator_url + "/_control", timeout=60) as http:
        for updated_at, state, status in rows:
            if status != "SUCCEEDED":
                failed += 1
                continue
            state = json.loads(state) if isinstance(state, str) else state
            upstream = http.get(f"/tasks/{state['upstream_id']}").json()
            finished_at = updated_at.timestamp() if hasattr(updated_at, "timestamp") else updated_at
            lags.append(finished_at - upstream["timeline"]["final_at"])
    emulator.kill()
    if database_name:
        drop_database(database_name)

    polling = (
        f"every {args.poll:g} s" if args.steady_polls else f"by progress, every {args.poll:g} to {args.max_poll:g} s"
    )
    print(f"\nworker: one process; {args.database}; polling {polling}; code: {args.code or ROOT}")
    print(f"peak in flight at once: {peak_live}; all final after {total:.0f} s; failed: {failed}")
    print(
        f"tracking alone ({tracking_seconds:.0f} s, {args.tasks} in flight): {tracking_cpu / tracking_seconds * 100:.0f} % "
        f"of one core, {tracking_requests / tracking_seconds:.0f} upstream requests/s"
    )
    print(
        f"completions: {args.tasks / args.spread:.1f} per second planned; the worker's poster process: {helper_cpu:.0f} s CPU"
    )
    print(
        "| tasks | peak in flight | worker CPU, whole run | CPU per task (with poster process) | peak memory | upstream requests per task | lag p50 | lag p99 | lag max |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| {args.tasks} | {peak_live} | {cpu:.0f} s ({cpu / total * 100:.0f} % of one core) "
        f"| {cpu / args.tasks * 1000:.1f} ms ({(cpu + helper_cpu) / args.tasks * 1000:.1f} ms) "
        f"| {peak_memory / 2**20:.0f} MiB | {requests / args.tasks:.1f} | {statistics.median(lags):.2f} s "
        f"| {percentile(lags, 99):.2f} s | {max(lags):.2f} s |"
    )


if __name__ == "__main__":
    main()
