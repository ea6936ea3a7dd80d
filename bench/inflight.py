"""Thousands of upstream tasks in flight on one worker process, against the upstream emulator.

    .venv/bin/python bench/inflight.py [--tasks 10000] [--poll 5] [--run-seconds 90]

Starts the emulator and one `reelay serve` process (API and worker in one process, SQLite) whose
only channel is the emulator's official API, polled every --poll seconds. Creates the tasks over
HTTP, waits for all of them to succeed, and reports for the Reelay process: CPU seconds, peak
memory (VmHWM), upstream requests per task, and the lag from each upstream task finishing (the
emulator's timeline) to Reelay recording SUCCEEDED.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.server import ReelayProcess  # noqa: E402


def start_emulator() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "reelay.emulator", "--port", "0", "--log-limit", "1000"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    port = re.search(r":(\d+)", process.stdout.readline()).group(1)
    return process, f"http://127.0.0.1:{port}"


def proc_stats(pid: int) -> tuple[float, int]:
    """CPU seconds (user + system) and peak resident memory in bytes of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    peak = next(int(line.split()[1]) * 1024 for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmHWM"))
    import os

    return ticks / os.sysconf("SC_CLK_TCK"), peak


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def create_all(url: str, key: str, count: int) -> list[str]:
    body = {"model": "veo3", "promptText": "bench", "ratio": "1280:720", "duration": 8}
    ids: list[str] = []
    limit = asyncio.Semaphore(16)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as http:

        async def one() -> None:
            async with limit:
                answer = await http.post("/v1/text_to_video", json=body)
                answer.raise_for_status()
                ids.append(answer.json()["id"])

        await asyncio.gather(*(one() for _ in range(count)))
    return ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=10000)
    parser.add_argument("--poll", type=float, default=5.0)
    parser.add_argument("--run-seconds", type=float, default=90.0, help="how long each upstream task runs")
    args = parser.parse_args()

    emulator, emulator_url = start_emulator()
    control = httpx.Client(base_url=emulator_url + "/_control", timeout=120)
    control.post("/behaviour", json={"pending_seconds": 2, "running_seconds": args.run_seconds}).raise_for_status()
    work = Path(tempfile.mkdtemp(prefix="reelay-bench-inflight-"))
    (work / "reelay.toml").write_text(
        f'[[channels]]\nname = "emu"\nengine = "runway"\nbase_url = "{emulator_url}"\nkeys = ["k"]\n'
        f"poll_seconds = {args.poll}\nmax_poll_seconds = {args.poll}\nrequest_timeout_seconds = 60\n"
    )
    server = ReelayProcess(work / "data", extra_env={"REELAY_CONFIG": str(work / "reelay.toml"), "REELAY_LEASE_SECONDS": "30"})
    server.start()
    key = server.create_key("bench")
    try:
        started = time.time()
        ids = asyncio.run(create_all(server.url, key, args.tasks))
        created_in = time.time() - started
        db_path = work / "data" / "reelay.db"
        peak_live = 0
        while True:
            with sqlite3.connect(db_path) as db:
                counts = dict(db.execute("select status, count(*) from tasks group by status").fetchall())
            live = sum(v for k, v in counts.items() if k not in ("SUCCEEDED", "FAILED", "CANCELLED"))
            peak_live = max(peak_live, live)
            if counts.get("SUCCEEDED", 0) + counts.get("FAILED", 0) >= args.tasks:
                break
            time.sleep(2)
        total = time.time() - started
        cpu, peak_memory = proc_stats(server.process.pid)
        stats = control.get("/stats").json()
        with sqlite3.connect(db_path) as db:
            rows = db.execute("select updated_at, engine_state, status from tasks").fetchall()
        lags, failed = [], 0
        with httpx.Client(base_url=emulator_url + "/_control", timeout=60) as http:
            for updated_at, state, status in rows:
                if status != "SUCCEEDED":
                    failed += 1
                    continue
                upstream = http.get(f"/tasks/{json.loads(state)['upstream_id']}").json()
                lags.append(updated_at - upstream["timeline"]["final_at"])
    finally:
        server.stop()
        emulator.kill()
    print(f"tasks: {args.tasks}, created in {created_in:.1f} s over HTTP; peak in flight at once: {peak_live}")
    print(f"all final after {total:.1f} s; failed: {failed}")
    print("| tasks | poll interval | worker CPU | CPU per task | peak memory | upstream requests per task | lag p50 | lag p99 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| {args.tasks} | {args.poll:g} s | {cpu:.0f} s ({cpu / total * 100:.0f} % of one core) | {cpu / args.tasks * 1000:.1f} ms | "
        f"{peak_memory / 2**20:.0f} MiB | {stats['requests'] / args.tasks:.1f} | {statistics.median(lags):.2f} s | {percentile(lags, 99):.2f} s |"
    )


if __name__ == "__main__":
    main()
