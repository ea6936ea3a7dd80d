"""SQL statements and write transactions a task costs, by kind: the create's and the worker's.

    .venv/bin/python bench/statements.py [--tasks 200] [--poll 1.0]

Reelay in this process (the app with its worker, on SQLite in a temp dir) with one `runway`
channel to the upstream emulator (`python -m reelay.emulator`, answering at once). The tasks are
created one after another through the app (gen4_turbo image-to-video with a 128×72 JPEG data
URI), then the worker takes each to SUCCEEDED. Every statement the app's engine runs is counted
(SQLAlchemy's before_cursor_execute), and every commit (a write transaction: reads roll back).
The bench waits by reading the tasks table with a connection of its own, so its waiting is not
counted. Counts, not times: they do not drift with the machine's load, so a change that saves a
statement shows as exactly that.
"""

from __future__ import annotations

import argparse
import collections
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import event  # noqa: E402

from reelay.app import create_app  # noqa: E402
from reelay.settings import Settings  # noqa: E402
from support.emulator import Emulator  # noqa: E402
from support.gateway import channel  # noqa: E402
from support.images import data_uri, gradient_image  # noqa: E402
from support.inprocess import make_key  # noqa: E402


class Counts:
    def __init__(self) -> None:
        self.statements: collections.Counter[str] = collections.Counter()
        self.commits = 0

    def listen(self, engine) -> None:
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        words = statement.split()
        table = words[2] if words[0] in ("SELECT", "DELETE", "INSERT") and len(words) > 2 else words[1]
        if words[0] == "SELECT":
            table = words[words.index("FROM") + 1] if "FROM" in words else "-"
        self.statements[f"{words[0]} {table}"] += 1

    def _commit(self, conn) -> None:
        self.commits += 1

    def take(self) -> tuple[collections.Counter[str], int]:
        taken = (self.statements, self.commits)
        self.statements, self.commits = collections.Counter(), 0
        return taken


def report(name: str, taken: tuple[collections.Counter[str], int], tasks: int) -> None:
    statements, commits = taken
    print(
        f"{name}: {sum(statements.values()) / tasks:.2f} statements and {commits / tasks:.2f} write transactions a task"
    )
    for kind, count in statements.most_common():
        print(f"  {count / tasks:6.2f}  {kind}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--poll", type=float, default=1.0, help="the channel's poll_seconds")
    args = parser.parse_args()
    emulator = Emulator()
    emulator.reset(pending_seconds=0, running_seconds=0)
    try:
        with tempfile.TemporaryDirectory(prefix="reelay-statements-") as folder:
            data = Path(folder)
            (data / "reelay.toml").write_text(
                channel("runway-a", "runway", emulator.url, ["k"], poll_seconds=args.poll)
            )
            settings = Settings(data_dir=data, config=str(data / "reelay.toml"), allow_private_urls=True)
            run(settings, make_key(settings), args.tasks)
    finally:
        emulator.stop()


def run(settings: Settings, key: str, tasks: int) -> None:
    body = {
        "model": "gen4_turbo",
        "promptImage": data_uri(gradient_image(128, 72), "JPEG"),
        "ratio": "1280:720",
        "duration": 5,
        "promptText": "a slow pan",
    }
    headers = {"Authorization": f"Bearer {key}", "X-Runway-Version": "2024-11-06"}
    counts = Counts()
    with TestClient(create_app(settings)) as client:
        counts.listen(client.app.state.reelay.tasks.db.sync_engine)
        assert client.post("/v1/image_to_video", json=body, headers=headers).status_code == 200  # warm-up
        wait_until_done(settings.resolved_database_url, 1)
        counts.take()
        started = time.monotonic()
        for _ in range(tasks):
            answer = client.post("/v1/image_to_video", json=body, headers=headers)
            assert answer.status_code == 200, answer.text
        created = counts.take()
        wait_until_done(settings.resolved_database_url, tasks + 1)
        print(f"{tasks} tasks created and SUCCEEDED in {time.monotonic() - started:.1f} s")
        report("creates (the worker runs meanwhile: its claims and submits are in here too)", created, tasks)
        report("then, to SUCCEEDED", counts.take(), tasks)


def wait_until_done(database_url: str, expected: int) -> None:
    path = database_url.split("///", 1)[1]
    with sqlite3.connect(path) as db:
        while db.execute("select count(*) from tasks where status = 'SUCCEEDED'").fetchone()[0] < expected:
            time.sleep(0.2)


if __name__ == "__main__":
    main()
