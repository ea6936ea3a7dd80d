"""Create and read throughput of the API: 1 and 2 processes on PostgreSQL, 1 on SQLite.

    .venv/bin/python bench/scale.py [--requests 2000] [--concurrency 32] [--client lean|httpx]

Each run starts Reelay as real processes, `reelay serve --no-worker --port P`, on a fresh
database (a new PostgreSQL database on 127.0.0.1:5432, user postgres, dropped afterwards; or
SQLite in a temp data dir), creates a key with `reelay keys create`, then drives them with the
same load generator:

- phase 1, create: POST /v1/text_to_video N times, C requests in flight at once;
- phase 2, read: GET /v1/tasks/{id} of each task phase 1 created (N requests, C in flight).

Requests go round-robin to the API processes; every answer must be a 200 (reads: with the
asked id), anything else counts as an error. No worker runs, so tasks stay queued and only the
gateway's own path is measured (auth, validation, idempotency, the database write or read, the
answer). A warm-up before the measured phases (a tenth of N, at most 200 creates and as many
reads, not counted) opens the connections and warms both sides.

The load generator is this process: C asyncio loops, each with its own keep-alive connection to
every API process, speaking HTTP/1.1 through a few lines of asyncio streams (`LeanHTTP`).
httpx's AsyncClient (`--client httpx`) spent 2 to 5 ms of CPU per request at 32 in flight here,
as much as the server it measures, and became the bottleneck; the lean client spends about
0.15 ms. The servers are separate processes, so the load generator shares no GIL with them, but
it shares the machine's cores with them and with PostgreSQL. Where the CPU went is printed
beside the figures: CPU ms per request of the Reelay processes, of the load generator and of the
rest of the machine (PostgreSQL, and any other work), how many cores were busy, and how many
PostgreSQL connections were opened during each phase (pg_stat_database.sessions).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

BIN = Path(sys.executable).parent
POSTGRES_DSN = os.environ.get("REELAY_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
CREATE_BODY = {"model": "veo3.1", "promptText": "bench", "ratio": "1280:720", "duration": 4}
TICKS = os.sysconf("SC_CLK_TCK")
POOL_PER_PROCESS = 30  # Reelay's PostgreSQL pool: 10 connections, 20 more on demand


# --- the database ----------------------------------------------------------------------------


async def _postgres(sql: str) -> str:
    conn = await asyncpg.connect(POSTGRES_DSN)
    try:
        if sql.upper().startswith("SELECT"):
            return str(await conn.fetchval(sql))
        await conn.execute(sql)
        return ""
    finally:
        await conn.close()


async def _free_connections() -> int:
    try:
        conn = await asyncpg.connect(POSTGRES_DSN)
    except asyncpg.TooManyConnectionsError:
        return 0
    try:
        return await conn.fetchval(
            "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int"
            " - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')"
        )
    finally:
        await conn.close()


def wait_for_connections(needed: int, patience: float = 900) -> None:
    """The machine's PostgreSQL is shared: wait until it has room for our pools."""
    deadline = time.time() + patience
    while (free := asyncio.run(_free_connections())) < needed:
        if time.time() > deadline:
            raise RuntimeError(f"PostgreSQL has {free} free connections; the run needs {needed}")
        print(f"  PostgreSQL has {free} free connections, waiting for {needed}…", file=sys.stderr, flush=True)
        time.sleep(15)


@contextmanager
def database(backend: str, data_dir: Path):
    """The env that points Reelay at a fresh database; yields (env, PostgreSQL database name)."""
    env = {"REELAY_DATA_DIR": str(data_dir)}
    if backend == "sqlite":
        yield env, None
        return
    name = f"reelay_bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_postgres(f'CREATE DATABASE "{name}"'))
    env["REELAY_DATABASE_URL"] = (
        POSTGRES_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/" + name
    )
    try:
        yield env, name
    finally:
        asyncio.run(_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- Reelay processes --------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    output: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> None:
        self.process = subprocess.Popen(
            [str(BIN / "reelay"), "serve", "--no-worker", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=lambda: self.output.extend(self.process.stdout), daemon=True).start()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("reelay serve exited:\n" + "".join(self.output))
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("reelay serve did not become ready:\n" + "".join(self.output))

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def create_key(env: dict[str, str]) -> str:
    """`reelay keys create` prints the key alone on its last line."""
    done = subprocess.run(
        [str(BIN / "reelay"), "keys", "create", "--name", "bench"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1].strip()


# --- where the CPU went ------------------------------------------------------------------------


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies over all cores, from /proc/stat."""
    # user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


async def postgres_sessions(database_name: str | None) -> int | None:
    """Sessions (connections) the database has had so far; pg_stat_database counts them."""
    if not database_name:
        return None
    query = f"SELECT sessions FROM pg_stat_database WHERE datname = '{database_name}'"
    return int(await asyncio.to_thread(lambda: asyncio.run(_postgres(query))))


@dataclass
class CpuSnapshot:
    servers: float
    loadgen: float
    machine: tuple[int, int]
    sessions: int | None

    @classmethod
    async def take(cls, servers: list[Server], database_name: str | None) -> CpuSnapshot:
        sessions = await postgres_sessions(database_name)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return cls(
            servers=sum(process_cpu(s.process.pid) for s in servers),
            loadgen=usage.ru_utime + usage.ru_stime,
            machine=machine_ticks(),
            sessions=sessions,
        )


def cpu_between(before: CpuSnapshot, after: CpuSnapshot) -> dict[str, float]:
    """CPU seconds of Reelay and of the load generator; of the rest of the machine (PostgreSQL,
    with its connection set-up, and any other work); cores busy; PostgreSQL sessions opened."""
    busy = (after.machine[0] - before.machine[0]) / TICKS
    total = (after.machine[1] - before.machine[1]) / TICKS
    reelay = after.servers - before.servers
    loadgen = after.loadgen - before.loadgen
    return {
        "reelay": reelay,
        "loadgen": loadgen,
        "rest": max(0.0, busy - reelay - loadgen),
        "cores_busy": busy / total * (os.cpu_count() or 1) if total else 0.0,
        "sessions": (after.sessions - before.sessions) if after.sessions is not None else None,
    }


# --- the load generator ------------------------------------------------------------------------


@dataclass
class Phase:
    operation: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


class LeanHTTP:
    """A minimal HTTP/1.1 keep-alive client: one connection per API process, one request at a
    time. It costs about 0.15 ms of CPU a request where httpx's AsyncClient, with 32 requests in
    flight, cost 2 to 5 ms here: more than the server it measures."""

    def __init__(self, key: str) -> None:
        self.headers = (
            f"Authorization: Bearer {key}\r\nX-Runway-Version: 2024-11-06\r\nContent-Type: application/json\r\n"
        )
        self.connections: dict[str, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}

    async def request(self, base: str, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        host = base.removeprefix("http://")
        connection = self.connections.get(base)
        try:
            async with asyncio.timeout(120):
                if connection is None:
                    name, port = host.rsplit(":", 1)
                    connection = self.connections[base] = await asyncio.open_connection(name, int(port))
                reader, writer = connection
                payload = json.dumps(body).encode() if body is not None else b""
                writer.write(
                    f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n{self.headers}Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                status = int(lines[0].split(" ", 2)[1])
                fields = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
                fields = {name.strip().lower(): value.strip().lower() for name, value in fields.items()}
                if "content-length" not in fields:
                    raise RuntimeError(f"HTTP {status} without Content-Length: {fields}")
                answer = await reader.readexactly(int(fields["content-length"]))
                if fields.get("connection") == "close":
                    self.close(base)
                return status, answer
        except BaseException:
            self.close(base)
            raise

    async def aclose(self) -> None:
        self.close()

    def close(self, base: str | None = None) -> None:
        for name in [base] if base else list(self.connections):
            connection = self.connections.pop(name, None)
            if connection:
                connection[1].close()


class HttpxHTTP:
    """httpx's AsyncClient, shared by every loop (--client httpx, for comparison)."""

    def __init__(self, key: str, concurrency: int) -> None:
        self.client = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {key}", "X-Runway-Version": "2024-11-06"},
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            timeout=120,
        )

    async def request(self, base: str, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        answer = await self.client.request(method, base + path, json=body)
        return answer.status_code, answer.content

    async def aclose(self) -> None:
        await self.client.aclose()


async def drive(clients: list, urls: list[str], count: int, request) -> tuple[list[float], int, list, float]:
    """`count` requests, one loop per client (so len(clients) in flight at once), round-robin over
    `urls`. `request(client, base, i)` returns the value to keep or raises; returns the latencies,
    the number of errors, the kept values (in order of i) and the wall time."""
    latencies: list[float] = []
    kept: list = [None] * count
    errors = 0
    numbers = itertools.count()

    async def loop(client) -> None:
        nonlocal errors
        for i in numbers:
            if i >= count:
                return
            started = time.perf_counter()
            try:
                kept[i] = await request(client, urls[i % len(urls)], i)
            except Exception as error:
                errors += 1
                if errors <= 3:
                    print(f"  error: {error!r}"[:400], file=sys.stderr, flush=True)
            latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(loop(client) for client in clients))
    return latencies, errors, kept, time.perf_counter() - began


async def create(client, base: str, _i: int) -> str:
    status, answer = await client.request(base, "POST", "/v1/text_to_video", CREATE_BODY)
    if status != 200:
        raise RuntimeError(f"create: HTTP {status}: {answer[:200]!r}")
    return json.loads(answer)["id"]


def reader(ids: Sequence[str | None]):
    async def read(client, base: str, i: int) -> None:
        task_id = ids[i % len(ids)]
        status, answer = await client.request(base, "GET", f"/v1/tasks/{task_id}")
        if status != 200 or json.loads(answer).get("id") != task_id:
            raise RuntimeError(f"read: HTTP {status}: {answer[:200]!r}")

    return read


async def load(urls: list[str], key: str, count: int, concurrency: int, client_kind: str, snapshot) -> list[Phase]:
    if client_kind == "httpx":
        shared = HttpxHTTP(key, concurrency)
        clients = [shared] * concurrency
    else:
        clients = [LeanHTTP(key) for _ in range(concurrency)]
    try:
        warm = max(1, min(200, count // 10))
        _, warm_errors, warm_ids, _ = await drive(clients, urls, warm, create)
        await drive(clients, urls, warm, reader([i for i in warm_ids if i] or ["none"]))
        if warm_errors:
            raise RuntimeError(f"{warm_errors} of {warm} warm-up creates failed")

        phases = []
        before = await snapshot()
        latencies, errors, ids, seconds = await drive(clients, urls, count, create)
        phases.append(Phase("create", count, seconds, latencies, errors, cpu_between(before, await snapshot())))

        created = [i for i in ids if i] or ["none"]
        before = await snapshot()
        latencies, errors, _, seconds = await drive(clients, urls, count, reader(created))
        phases.append(Phase("read", count, seconds, latencies, errors, cpu_between(before, await snapshot())))
        return phases
    finally:
        for client in dict.fromkeys(clients):  # each once: httpx's is shared by every loop
            await client.aclose()


# --- one configuration -------------------------------------------------------------------------


def run(backend: str, processes: int, count: int, concurrency: int, client_kind: str) -> list[Phase]:
    work = Path(tempfile.mkdtemp(prefix=f"reelay-bench-scale-{backend}-"))
    try:
        with database(backend, work / "data") as (db_env, database_name):
            env = dict(os.environ)
            env.update(db_env)
            env.update({"REELAY_ALLOW_PRIVATE_URLS": "true", "REELAY_WORKER": "false"})
            env.pop("REELAY_REDIS_URL", None)
            if database_name:
                wait_for_connections(POOL_PER_PROCESS * processes + 2)
            key = create_key(env)  # migrates the fresh database first
            servers = [Server(env) for _ in range(processes)]
            try:
                for server in servers:
                    server.start()
                urls = [server.url for server in servers]
                return asyncio.run(
                    load(urls, key, count, concurrency, client_kind, lambda: CpuSnapshot.take(servers, database_name))
                )
            finally:
                for server in servers:  # before the database is dropped
                    server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="creates, then as many reads, per configuration")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight at once")
    parser.add_argument("--client", choices=("lean", "httpx"), default="lean", help="the load generator's HTTP client")
    args = parser.parse_args()

    configurations = [("SQLite", "sqlite", 1), ("PostgreSQL", "postgres", 1), ("PostgreSQL", "postgres", 2)]
    postgres_version = asyncio.run(_postgres("SELECT current_setting('server_version')")).split()[0]
    load_before = os.getloadavg()[0]
    started = time.time()
    results = []
    for label, backend, processes in configurations:
        print(f"running {label}, {processes} API process(es)…", file=sys.stderr, flush=True)
        results.append((label, processes, run(backend, processes, args.requests, args.concurrency, args.client)))
    elapsed = time.time() - started
    load_after = os.getloadavg()[0]

    print(
        f"\n{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, shared with the load generator (this process, "
        f"{args.client} client) and PostgreSQL {postgres_version}; Python {platform.python_version()}; "
        f"{args.requests} requests a phase, {args.concurrency} in flight; load average {load_before:.1f} before, "
        f"{load_after:.1f} after; {elapsed:.0f} s in all.\n"
    )
    print("| backend | API processes | operation | requests | throughput | p50 | p99 | errors |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, processes, phases in results:
        for phase in phases:
            print(
                f"| {label} | {processes} | {phase.operation} | {phase.requests} | {phase.throughput:.0f} req/s | "
                f"{percentile(phase.latencies, 50) * 1000:.1f} ms | {percentile(phase.latencies, 99) * 1000:.1f} ms | {phase.errors} |"
            )
    print(
        "\nWhere the CPU went, in CPU ms per request: the Reelay processes, the load generator, and the rest of the"
        " machine (PostgreSQL, including connection set-up, and any other work running); cores busy: the whole machine;"
        " PostgreSQL sessions: connections opened to the database during the phase.\n"
    )
    print(
        "| backend | API processes | operation | Reelay | load generator | rest of the machine | cores busy | PostgreSQL sessions |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, processes, phases in results:
        for phase in phases:
            per = {k: phase.cpu[k] / phase.requests * 1000 for k in ("reelay", "loadgen", "rest")}
            sessions = phase.cpu["sessions"]
            print(
                f"| {label} | {processes} | {phase.operation} | {per['reelay']:.2f} | {per['loadgen']:.2f} | {per['rest']:.2f} | "
                f"{phase.cpu['cores_busy']:.2f} of {os.cpu_count()} | {'-' if sessions is None else sessions} |"
            )


if __name__ == "__main__":
    main()
