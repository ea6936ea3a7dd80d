"""The gateway's hot path beside LiteLLM's proxy: create and status read, 1, 16 and 64 in flight.

    .venv/bin/python bench/gateway.py                       # Reelay embedded (SQLite, worker in the process)
    .venv/bin/python bench/gateway.py --database postgres   # Reelay on PostgreSQL: 1 and 2 API processes + a worker
    .venv/bin/python bench/gateway.py --quick               # a short check that everything runs
    .venv/bin/python bench/gateway.py --in-flight 16 --repeat 1 --profile DIR   # py-spy of Reelay per phase

Every process is started the way a user starts it, on this machine:
- the fake Runway upstream: the emulator (`python -m reelay.emulator`), told to answer at once:
  a create is answered with its id, the first poll says SUCCEEDED, the output is a real small
  MP4 served from it;
- LiteLLM's proxy (`litellm --config`, one process) at a pinned version, installed once into a
  virtual environment of its own under ~/.cache/reelay-bench/, its `/v1/videos` routed to
  `runwayml/gen4_turbo` with `api_base` pointed at the fake;
- Reelay: `reelay serve` (SQLite, worker in the process) with one `runway` channel to the fake,
  or on a fresh PostgreSQL database `reelay serve` with REELAY_WORKER=false (as `--no-worker`)
  once and twice, with one `reelay worker`; a client key made through the admin API.

One closed-loop load generator (this process: asyncio and a lean HTTP/1.1 client, bench/scale.py's
LeanHTTP) sends the same request to each: gen4_turbo image-to-video with a 128×72 JPEG data URI
(Reelay: POST /v1/image_to_video; LiteLLM: POST /v1/videos with `input_reference`, which its
runwayml provider sends on as `promptImage`, to the same upstream POST /v1/image_to_video). Each
repetition runs, for each number in flight, each target in turn (the order reversed every other
repetition): creates for --seconds, then reads of the created tasks' status for --seconds (Reelay:
GET /v1/tasks/{id}, answered from its database; LiteLLM: GET /v1/videos/{id}, which reads the
upstream task each time).

Reelay's worker runs throughout: after each create phase the bench waits until every task Reelay
created has reached a final status (its first upstream poll comes after the channel's default
poll_seconds, 5 s), and reports how many SUCCEEDED and how long after the phase the last one did.
Server CPU per request: user + system CPU of the target's processes and their children (Reelay's
poster-making process), from /proc/<pid>/stat; for Reelay's creates, over the phase and that wait,
so it holds the worker's whole work for the tasks. Peak memory: the sum of the processes' VmHWM.
The load generator's own CPU share is printed beside: near 100 % of one core it would be the
bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from inflight import start_emulator  # noqa: E402
from scale import LeanHTTP, machine_ticks, percentile, wait_for_connections  # noqa: E402
from support import litellm  # noqa: E402
from support.databases import create_database, drop_database  # noqa: E402
from support.images import data_uri, gradient_image  # noqa: E402
from support.server import ReelayProcess  # noqa: E402

IN_FLIGHT = (1, 16, 64)
TICKS = os.sysconf("SC_CLK_TCK")
FINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
DRAIN_PATIENCE = 120.0  # seconds after a create phase for every task to be final
LITELLM_MASTER_KEY = "sk-bench"  # the proxy's own key: clients present it as Reelay's key
REELAY_POOL = 10  # PostgreSQL connections of each Reelay process (src/reelay/store/db.py)


# --- processes and what they cost ------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """The process and every live process under it."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:  # the thread or the process ended since the listing
            continue
        for child in children:
            found += descendants(int(child))
    return found


def tree_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) of the processes, their live children and those they reaped."""
    total = 0
    for pid in {p for root in pids for p in descendants(root)}:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return total / TICKS


def tree_peak_memory(pids: list[int]) -> int:
    """Sum of the processes' (and their children's) peak resident memory, VmHWM, in bytes."""
    total = 0
    for pid in {p for root in pids for p in descendants(root)}:
        try:
            status = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            continue
        total += next((int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM")), 0)
    return total


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def drain_output(process: subprocess.Popen) -> None:
    """Read a child's piped output in the background, so that it never blocks writing it."""
    if process.stdout:
        threading.Thread(target=process.stdout.read, daemon=True).start()


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


class Profiler:
    """`py-spy record` on each of a target's processes (and their children) while a phase runs:
    collapsed stacks, one file per process, for a flame graph or a sort by frame."""

    def __init__(self, directory: Path, name: str, pids: list[int], *, rate: int = 100, gil: bool = False) -> None:
        """`rate`: samples a second; `gil`: only the samples holding the GIL (where CPU goes)."""
        executable = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
        if not executable:
            raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
        directory.mkdir(parents=True, exist_ok=True)
        options = ["--rate", str(rate), *(["--gil"] if gil else [])]
        self.processes = [self.attach(executable, pid, directory / f"{name}-{pid}.txt", options) for pid in pids]

    @staticmethod
    def attach(executable: str, pid: int, output: Path, options: list[str]) -> subprocess.Popen:
        """py-spy 0.4 here often fails to read a busy interpreter's version as it attaches
        ("Failed to find python version"): it is tried again until it holds."""
        command = [executable, "record", "--pid", str(pid), *options, "--nonblocking", "--subprocesses"]
        command += ["--format", "raw", "--output", str(output)]
        for _ in range(50):
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                process.wait(0.5)
            except subprocess.TimeoutExpired:
                return process  # sampling
        raise RuntimeError(f"py-spy could not attach to process {pid}")

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT, then exits
        for process in self.processes:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                stop(process)


# --- the fake upstream and LiteLLM -------------------------------------------------------------


def fake_runway() -> tuple[subprocess.Popen, str]:
    """The emulator, answering every task at once: SUCCEEDED on the first poll."""
    process, url = start_emulator()
    drain_output(process)
    behaviour = {"pending_seconds": 0, "running_seconds": 0}
    httpx.post(url + "/_control/behaviour", json=behaviour, timeout=30).raise_for_status()
    return process, url


def litellm_config(upstream: str) -> str:
    """Its /v1/videos model `gen4_turbo` is runwayml/gen4_turbo, sent to the fake upstream."""
    return (
        "model_list:\n"
        "  - model_name: gen4_turbo\n"
        "    litellm_params:\n"
        "      model: runwayml/gen4_turbo\n"
        f"      api_base: {upstream}/v1\n"
        "      api_key: fake-runway-key\n"
        "general_settings:\n"
        f"  master_key: {LITELLM_MASTER_KEY}\n"
    )


# --- Reelay ------------------------------------------------------------------------------------


class TaskStatuses:
    """Counts of Reelay's tasks by status, read through one connection kept for the whole run
    (PostgreSQL is shared: a connection a poll would soon find none left)."""

    def __init__(self, url: str) -> None:
        self.runner = asyncio.Runner()
        self.engine = create_async_engine(url)

    def counts(self) -> dict[str, int]:
        async def read() -> dict[str, int]:
            async with self.engine.connect() as conn:
                rows = await conn.execute(text("SELECT status, count(*) FROM tasks GROUP BY status"))
                return {status: count for status, count in rows.all()}

        return self.runner.run(read())

    def close(self) -> None:
        self.runner.run(self.engine.dispose())
        self.runner.close()


@dataclass
class ReelaySetup:
    """Reelay's processes for one configuration; `pids` are those measured."""

    label: str
    servers: list[ReelayProcess]
    statuses: TaskStatuses
    worker: subprocess.Popen | None = None
    database_name: str | None = None

    @property
    def pids(self) -> list[int]:
        pids = [server.process.pid for server in self.servers]
        return pids + ([self.worker.pid] if self.worker else [])

    def stop(self) -> None:
        self.statuses.close()
        for server in self.servers:  # the first one stops the worker it started
            server.stop()
        if self.database_name:
            drop_database(self.database_name)


def reelay_env(work: Path, upstream: str) -> dict[str, str]:
    # One runway channel, every setting at its default (poll_seconds 5, as Runway asks).
    config = work / "reelay.toml"
    config.write_text(
        f'[[channels]]\nname = "runway"\nengine = "runway"\nbase_url = "{upstream}"\nkeys = ["fake-runway-key"]\n'
    )
    # The lease at its default (the test harness shortens it).
    return {"REELAY_CONFIG": str(config), "REELAY_LEASE_SECONDS": "30"}


def start_reelay_sqlite(work: Path, upstream: str) -> ReelaySetup:
    data = work / "reelay-sqlite"
    server = ReelayProcess(data, extra_env=reelay_env(work, upstream), render_scale=None).start()
    statuses = TaskStatuses(f"sqlite+aiosqlite:///{data / 'reelay.db'}")
    return ReelaySetup("Reelay, SQLite, embedded worker", [server], statuses)


def start_reelay_postgres(work: Path, upstream: str, api_processes: int) -> ReelaySetup:
    """`api_processes` times `reelay serve` with REELAY_WORKER=false (as --no-worker), one
    `reelay worker`, on a fresh database."""
    wait_for_connections(REELAY_POOL * (api_processes + 1) + 2)
    name, url = create_database()
    env = reelay_env(work, upstream) | {"REELAY_DATABASE_URL": url, "REELAY_WORKER": "false"}
    data = work / f"reelay-postgres-{api_processes}"
    servers: list[ReelayProcess] = []
    try:
        for _ in range(api_processes):
            servers.append(ReelayProcess(data, extra_env=env, render_scale=None).start())
        worker = servers[0].start_worker()
    except BaseException:
        for server in servers:
            server.stop()
        drop_database(name)
        raise
    label = f"Reelay, PostgreSQL, {api_processes} API process{'es' if api_processes > 1 else ''} + worker"
    return ReelaySetup(label, servers, TaskStatuses(url), worker, name)


# --- targets and the load generator ------------------------------------------------------------


@dataclass
class Target:
    name: str
    urls: list[str]
    key: str
    create_path: str
    create_body: dict
    read_path: str  # with {id}
    pids: list[int]
    reelay: ReelaySetup | None = None


def litellm_target(image: str, url: str, pid: int, version: str) -> Target:
    """LiteLLM's /v1/videos as its runwayml docs show it: `input_reference` (a URL or a data URI,
    sent on as promptImage), `size` (sent on as ratio 1280:720), `seconds` (as duration)."""
    body = {"model": "gen4_turbo", "prompt": "a bench", "input_reference": image, "seconds": 5, "size": "1280x720"}
    return Target(f"LiteLLM {version}", [url], LITELLM_MASTER_KEY, "/v1/videos", body, "/v1/videos/{id}", [pid])


def reelay_target(image: str, setup: ReelaySetup) -> Target:
    body = {"model": "gen4_turbo", "promptText": "a bench", "promptImage": image, "ratio": "1280:720", "duration": 5}
    key = setup.servers[0].create_key("bench")  # through the admin API
    urls = [server.url for server in setup.servers]
    return Target(setup.label, urls, key, "/v1/image_to_video", body, "/v1/tasks/{id}", setup.pids, setup)


@dataclass
class Run:
    """One closed-loop phase: its answers, their latencies, and the errors."""

    latencies: list[float] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0


Request = Callable[[LeanHTTP, str, int], Awaitable[str | None]]


async def closed_loop(target: Target, in_flight: int, seconds: float, request: Request) -> Run:
    """`in_flight` loops, each sending its next request as soon as the last is answered, for
    `seconds`. The loops are spread over the target's URLs, each keeping to one: a connection
    used now and then by a loop that also talks to another process could sit idle past the
    server's keep-alive timeout (uvicorn's 5 s) and be closed just as a request goes out."""
    run = Run()
    clients = [LeanHTTP(target.key) for _ in range(in_flight)]
    numbers = itertools.count()
    deadline = time.perf_counter() + seconds

    async def loop(client: LeanHTTP, base: str) -> None:
        while time.perf_counter() < deadline:
            i = next(numbers)
            started = time.perf_counter()
            try:
                kept = await request(client, base, i)
            except Exception as error:
                run.errors += 1
                if run.errors <= 3:
                    print(f"  {target.name}: {error!r}"[:400], file=sys.stderr, flush=True)
                continue
            run.latencies.append(time.perf_counter() - started)
            if kept:
                run.ids.append(kept)

    began = time.perf_counter()
    try:
        await asyncio.gather(*(loop(client, target.urls[k % len(target.urls)]) for k, client in enumerate(clients)))
    finally:
        for client in clients:
            client.close()
    run.seconds = time.perf_counter() - began
    return run


def creator(target: Target) -> Request:
    async def create(client: LeanHTTP, base: str, _i: int) -> str:
        status, answer = await client.request(base, "POST", target.create_path, target.create_body)
        if status != 200:
            raise RuntimeError(f"create: HTTP {status}: {answer[:200]!r}")
        return json.loads(answer)["id"]

    return create


def reader(target: Target, ids: list[str]) -> Request:
    async def read(client: LeanHTTP, base: str, i: int) -> None:
        task_id = ids[i % len(ids)]
        status, answer = await client.request(base, "GET", target.read_path.format(id=task_id))
        if status != 200 or json.loads(answer).get("id") != task_id:
            raise RuntimeError(f"read: HTTP {status}: {answer[:200]!r}")
        return None

    return read


@dataclass
class Phase:
    round: int  # phases of the same round are paired for the ratios
    target: str
    in_flight: int
    operation: str
    requests: int
    rate: float
    p50: float
    p99: float
    server_cpu: float  # seconds per request
    upstream_cpu: float  # seconds per request
    loadgen_share: float  # of one core, over the phase
    other_cores: float  # cores busy with anything else on the machine (other targets idling, other users)
    peak_memory: int
    errors: int
    drained_in: float | None = None  # seconds from the end of a Reelay create phase to its last task final
    ids: list[str] = field(default_factory=list, repr=False)  # what a create phase made, for the read phase


def wait_until_final(setup: ReelaySetup, patience: float) -> tuple[float, dict[str, int]]:
    """Seconds until every task of the database is final (or patience ran out), and the counts."""
    started = time.perf_counter()
    while True:
        counts = setup.statuses.counts()
        live = sum(n for status, n in counts.items() if status not in FINAL)
        waited = time.perf_counter() - started
        if not live or waited > patience:
            return waited, counts
        time.sleep(0.25)


def measure(
    target: Target,
    upstream_pid: int,
    round_number: int,
    in_flight: int,
    seconds: float,
    ids: list[str] | None,
    profile: Path | None = None,
) -> Phase:
    """A create phase (ids None) or a read phase over `ids`, on one target; for Reelay's creates,
    until every task is final. With `profile`, Reelay's processes are sampled meanwhile."""
    operation = "create" if ids is None else "status read"
    request = creator(target) if ids is None else reader(target, ids)
    profiler = None
    if profile and target.reelay and round_number >= 0:
        name = re.sub(r"[^a-z0-9]+", "-", f"{target.name} {in_flight} {operation} r{round_number}".lower())
        profiler = Profiler(profile, name, target.pids)
    server_before, upstream_before, own_before = tree_cpu(target.pids), tree_cpu([upstream_pid]), own_cpu()
    machine_before = machine_ticks()
    run = asyncio.run(closed_loop(target, in_flight, seconds, request))
    own_after, machine_after = own_cpu(), machine_ticks()
    server_in_phase = tree_cpu(target.pids) - server_before
    upstream_in_phase = tree_cpu([upstream_pid]) - upstream_before
    machine = (machine_after[0] - machine_before[0]) / TICKS
    drained_in = None
    if target.reelay and ids is None:
        drained_in, _ = wait_until_final(target.reelay, DRAIN_PATIENCE)
    if profiler:
        profiler.stop()
    server = tree_cpu(target.pids) - server_before
    upstream = tree_cpu([upstream_pid]) - upstream_before
    done = max(1, len(run.latencies))
    return Phase(
        round_number,
        target.name,
        in_flight,
        operation,
        len(run.latencies),
        len(run.latencies) / run.seconds,
        percentile(run.latencies, 50) if run.latencies else float("nan"),
        percentile(run.latencies, 99) if run.latencies else float("nan"),
        server / done,
        upstream / done,
        (own_after - own_before) / run.seconds,
        max(0.0, machine - server_in_phase - upstream_in_phase - (own_after - own_before)) / run.seconds,
        tree_peak_memory(target.pids),
        run.errors,
        drained_in,
        run.ids,
    )


def warm_up(target: Target, upstream_pid: int) -> None:
    """Connections opened, code paths loaded and caches filled before anything is counted."""
    phase = measure(target, upstream_pid, -1, 16, 2.0, None)
    measure(target, upstream_pid, -1, 16, 1.0, phase.ids or ["none"])


# --- the report --------------------------------------------------------------------------------


def spread(values: list[float], form: str, unit: str) -> str:
    """ "12 ms", or "12–15 ms" over several rounds."""
    low, high = form.format(min(values)), form.format(max(values))
    return f"{low}{unit}" if low == high else f"{low}–{high}{unit}"


def table(phases: list[Phase], names: list[str], levels: list[int]) -> list[str]:
    """One row per number in flight, operation and target; the ratio is each round's rate over
    LiteLLM's (names[0]) in the same round."""
    lines = [
        "| in flight | operation | target | rate | ÷ LiteLLM | p50 | p99 | server CPU per request "
        "| upstream CPU per request | peak memory | load generator CPU | other work (cores) | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for in_flight in levels:
        for operation in ("create", "status read"):
            same = [p for p in phases if (p.in_flight, p.operation) == (in_flight, operation)]
            baseline = {p.round: p.rate for p in same if p.target == names[0]}
            for name in names:
                mine = [p for p in same if p.target == name]
                if not mine:
                    continue
                ratio = "—" if name == names[0] else spread([p.rate / baseline[p.round] for p in mine], "{:.2f}", "×")
                lines.append(
                    f"| {in_flight} | {operation} | {name} | {spread([p.rate for p in mine], '{:.0f}', ' /s')} "
                    f"| {ratio} | {spread([p.p50 * 1000 for p in mine], '{:.1f}', ' ms')} "
                    f"| {spread([p.p99 * 1000 for p in mine], '{:.0f}', ' ms')} "
                    f"| {spread([p.server_cpu * 1000 for p in mine], '{:.1f}', ' ms')} "
                    f"| {spread([p.upstream_cpu * 1000 for p in mine], '{:.1f}', ' ms')} "
                    f"| {max(p.peak_memory for p in mine) / 2**20:.0f} MiB "
                    f"| {spread([p.loadgen_share * 100 for p in mine], '{:.0f}', ' %')} "
                    f"| {spread([p.other_cores for p in mine], '{:.1f}', '')} | {sum(p.errors for p in mine)} |"
                )
    return lines


def outcome(setup: ReelaySetup, phases: list[Phase]) -> str:
    """How many of the tasks this setup created SUCCEEDED, and how soon after their create phase."""
    _, counts = wait_until_final(setup, DRAIN_PATIENCE)
    others = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()) if status != "SUCCEEDED")
    drains = [p.drained_in for p in phases if p.target == setup.label and p.drained_in is not None]
    return (
        f"{setup.label}: {sum(counts.values())} tasks created (warm-up included), {counts.get('SUCCEEDED', 0)} "
        f"SUCCEEDED{f' ({others})' if others else ''}; the last task of a create phase was final "
        f"{statistics.median(drains):.1f} s after the phase's end (median; at most {max(drains):.1f} s; "
        "the channel's first poll comes 5 s after the create)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--seconds", type=float, help="each phase's length (default: 12 with sqlite, 10 with postgres; --quick 3)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        help="repetitions, the targets' order reversed in every other (default: 2 with sqlite, 1 with postgres)",
    )
    parser.add_argument("--quick", action="store_true", help="3 s phases, one repetition: a check that all runs")
    parser.add_argument(
        "--in-flight", default=",".join(map(str, IN_FLIGHT)), help="requests in flight, comma separated"
    )
    parser.add_argument("--litellm-version", default=litellm.VERSION)
    parser.add_argument(
        "--profile", type=Path, metavar="DIR", help="py-spy record Reelay's processes in each phase, into DIR"
    )
    args = parser.parse_args()
    sqlite = args.database == "sqlite"
    seconds = args.seconds or (3.0 if args.quick else 12.0 if sqlite else 10.0)
    repeat = args.repeat or (1 if args.quick or not sqlite else 2)
    levels = [int(n) for n in args.in_flight.split(",")]

    # LiteLLM in a virtual environment of its own (tests/support/litellm.py), installed before anything is timed.
    litellm.executable(args.litellm_version)
    load_before, started = os.getloadavg()[0], time.time()
    work = Path(tempfile.mkdtemp(prefix="reelay-bench-gateway-"))
    image = data_uri(gradient_image(128, 72), "JPEG")
    upstream, upstream_url = fake_runway()
    proxy = None
    phases: list[Phase] = []
    outcomes: list[str] = []
    # PostgreSQL is shared with other work: one Reelay setup at a time, each beside LiteLLM.
    setups: list[Callable[[], ReelaySetup]] = (
        [lambda: start_reelay_sqlite(work, upstream_url)]
        if sqlite
        else [lambda n=n: start_reelay_postgres(work, upstream_url, n) for n in (1, 2)]
    )
    names: list[str] = []
    try:
        proxy, litellm_url = litellm.start(litellm_config(upstream_url), work, args.litellm_version)
        baseline = litellm_target(image, litellm_url, proxy.pid, args.litellm_version)
        names.append(baseline.name)
        for block, start in enumerate(setups):
            setup = start()
            try:
                targets = [baseline, reelay_target(image, setup)]
                names.append(setup.label)
                for target in targets:
                    warm_up(target, upstream.pid)
                for repetition in range(repeat):
                    order = targets if repetition % 2 == 0 else targets[::-1]
                    for in_flight in levels:
                        for target in order:
                            print(f"  {repetition + 1}/{repeat}: {in_flight} in flight, {target.name}", file=sys.stderr)
                            round_number = block * repeat + repetition
                            where = (target, upstream.pid, round_number, in_flight, seconds)
                            created = measure(*where, None, args.profile)
                            read = measure(*where, created.ids or ["none"], args.profile)
                            phases += [created, read]
                outcomes.append(outcome(setup, phases))
            finally:
                setup.stop()
    finally:
        if proxy:
            stop(proxy)
        stop(upstream)
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"\n{time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores shared by every process (the load generator, the fake "
        f"upstream, LiteLLM, Reelay{'' if sqlite else ', PostgreSQL'}); Python {platform.python_version()}; "
        f"LiteLLM {args.litellm_version}; {seconds:g} s phases, {repeat} repetition(s){' per Reelay setup' if not sqlite else ''} "
        f"(ranges: min–max over them); load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; "
        f"{time.time() - started:.0f} s in all.\n"
    )
    print("\n".join(table(phases, names, levels)))
    print()
    print("\n".join(outcomes))


if __name__ == "__main__":
    main()
