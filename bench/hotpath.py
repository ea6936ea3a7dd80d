"""The API's hot paths alone: a status read and a create's API part, at 16 in flight.

    .venv/bin/python bench/hotpath.py [--requests 3000] [--in-flight 16] [--repeat 3]
    .venv/bin/python bench/hotpath.py --before /path/to/other/checkout   # the same run, beside another version
    .venv/bin/python bench/hotpath.py --repeat 1 --profile /tmp/prof     # py-spy (--gil) per phase, folded stacks

Starts `reelay serve --no-worker` on SQLite in a temp data dir, with one `runway` channel (to an
address nothing listens on: no worker runs, so nothing is sent), makes a key with
`reelay keys create`, then, per repetition, N creates (`POST /v1/image_to_video`, gen4_turbo,
a 128×72 JPEG data URI, as bench/gateway.py sends) and N status reads (`GET /v1/tasks/{id}` of
the tasks just created), with bench/scale.py's lean load generator. Prints each phase's rate,
p50/p99 and the server's CPU per request (user + system, from /proc): the range over the
repetitions, p50 and p99 of the fastest. With `--before DIR`, a second server runs the code of
another checkout (`PYTHONPATH=DIR/src`, this venv's packages) beside it, on its own database,
and the repetitions alternate between the two (which goes first swaps every repetition).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from gateway import Profiler  # py-spy on a process for the length of a phase
from scale import LeanHTTP, Server, create_key, drive, percentile, process_cpu, reader
from support.images import data_uri, gradient_image


def create_body() -> dict:
    image = data_uri(gradient_image(128, 72), "JPEG")
    return {"model": "gen4_turbo", "promptText": "a bench", "promptImage": image, "ratio": "1280:720", "duration": 5}


class Target:
    """One server, its clients, and what it measured."""

    def __init__(self, name: str, server: Server, key: str, in_flight: int) -> None:
        self.name, self.server = name, server
        self.clients = [LeanHTTP(key) for _ in range(in_flight)]
        self.rows: list[tuple[str, float, float, float, float]] = []


async def phases(targets: list[Target], count: int, repeat: int, profile: Path | None) -> None:
    body = create_body()

    async def create(client, base: str, _i: int) -> str:
        status, answer = await client.request(base, "POST", "/v1/image_to_video", body)
        if status != 200:
            raise RuntimeError(f"create: HTTP {status}: {answer[:200]!r}")
        return json.loads(answer)["id"]

    async def measured(target: Target, name: str, request, n: int) -> list:
        assert target.server.process is not None
        pid = target.server.process.pid
        for client in target.clients:  # the server closed them if the other one ran in between (keep-alive 5 s)
            client.close()
        profiler = None
        if profile is not None and not name.startswith("warm-up"):
            profiler = Profiler(profile, f"{target.name} {name}".replace(" ", "-"), [pid], rate=200, gil=True)
        cpu = process_cpu(pid)
        latencies, errors, kept, seconds = await drive(target.clients, [target.server.url], n, request)
        if profiler is not None:
            profiler.stop()
        if errors:
            raise RuntimeError(f"{target.name} {name}: {errors} of {n} requests failed")
        cpu_ms = (process_cpu(pid) - cpu) * 1000 / n
        target.rows.append(
            (name, n / seconds, percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000, cpu_ms)
        )
        return kept

    try:
        for target in targets:  # warm-up, not reported
            ids = await measured(target, "warm-up create", create, count // 5)
            await measured(target, "warm-up read", reader(ids), count // 5)
        for repetition in range(repeat):
            for target in targets if repetition % 2 == 0 else targets[::-1]:
                ids = await measured(target, "create", create, count)
                await measured(target, "status read", reader(ids), count)
    finally:
        for target in targets:
            for client in target.clients:
                await client.aclose()


def start(name: str, work: Path, config: Path, source: Path | None, in_flight: int) -> Target:
    env = dict(os.environ)
    env.pop("REELAY_REDIS_URL", None)
    env.pop("REELAY_DATABASE_URL", None)
    env.update({"REELAY_DATA_DIR": str(work / name), "REELAY_CONFIG": str(config), "REELAY_WORKER": "false"})
    if source is not None:
        env["PYTHONPATH"] = str(source / "src")
    key = create_key(env)
    server = Server(env)
    server.start()
    return Target(name, server, key, in_flight)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="creates, then as many reads, per repetition")
    parser.add_argument("--in-flight", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", help="another checkout whose code a second server runs, for before/after")
    parser.add_argument(
        "--profile", type=Path, help="a folder for py-spy's folded stacks of each phase (pip install py-spy)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="reelay-bench-hotpath-"))
    targets: list[Target] = []
    try:
        config = work / "reelay.toml"
        config.write_text(
            '[[channels]]\nname = "runway"\nengine = "runway"\nbase_url = "http://127.0.0.1:9"\nkeys = ["k"]\n'
        )
        targets.append(start("this checkout", work, config, None, args.in_flight))
        if args.before:
            targets.insert(0, start("before", work, config, Path(args.before).resolve(), args.in_flight))
        started = time.time()
        asyncio.run(phases(targets, args.requests, args.repeat, args.profile))
    finally:
        for target in targets:
            target.server.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"{args.requests} requests a phase, {args.in_flight} in flight, {args.repeat} repetitions, "
        f"{time.time() - started:.0f} s"
    )
    print("| operation | server | rate | p50 | p99 | server CPU per request |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in ("create", "status read"):
        for target in targets:
            mine = [row for row in target.rows if row[0] == name]
            rates = [row[1] for row in mine]
            cpu = [row[4] for row in mine]
            best = max(mine, key=lambda row: row[1])
            print(
                f"| {name} | {target.name} | {min(rates):.0f}–{max(rates):.0f} /s | {best[2]:.1f} ms | {best[3]:.1f} ms "
                f"| {min(cpu):.2f}–{max(cpu):.2f} ms (median {statistics.median(cpu):.2f}) |"
            )
        if len(targets) == 2:
            before, after = ([row for row in t.rows if row[0] == name] for t in targets)
            rate = [b[1] / a[1] for a, b in zip(before, after, strict=True)]
            cpu = [a[4] / b[4] for a, b in zip(before, after, strict=True)]
            print(
                f"| {name} | ratio, per repetition | {min(rate):.2f}–{max(rate):.2f}× the rate | | | {min(cpu):.2f}–{max(cpu):.2f}× less CPU |"
            )


if __name__ == "__main__":
    main()
