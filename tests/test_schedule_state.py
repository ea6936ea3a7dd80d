"""Placement's record of a task (ScheduleState) apart from the engine's state, and migration 0008,
which moves it out of rows written by older code (SQLite and PostgreSQL)."""

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from reelay.config import ChannelConfig
from reelay.domain.artifacts import Artifact
from reelay.domain.request import GenerationRequest
from reelay.domain.schedule import ScheduleState
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.engines.base import EngineUpdate
from reelay.engines.placement import Placement, RetryPolicy
from reelay.engines.registry import ChannelRegistry
from reelay.engines.sandbox.state import SandboxState
from reelay.engines.upstream.state import UpstreamState
from reelay.store.db import alembic_config, migrate, open_engine
from reelay.store.keys import KeyStore
from reelay.store.rows import task_to_row
from reelay.store.tasks import TaskStore
from reelay.worker.runner import Worker

# engine_state as the code before 0008 wrote it: placement's keys mixed into the engine's.
IN_FLIGHT = {
    "attempt_id": "a-1",
    "phase": "accepted",
    "submitted_at": 1700000000.5,
    "slot": None,
    "upstream_id": "up-1",
    "accepted_at": 1700000001.0,
    "started": True,
    "tried": ["down"],
    "rounds": 1,
    "last_error": "down answered HTTP 429: busy",
}
UNANSWERED = {
    "attempt_id": "a-2",
    "phase": "ambiguous",
    "submitted_at": 1700000000.0,
    "started": True,
    "error": "no answer",
}


@pytest.mark.parametrize(
    "state",
    [
        ScheduleState(),
        ScheduleState(started=True, tried=("a", "b"), rounds=3, last_error="429"),
        UpstreamState(),
        UpstreamState("a-1", "accepted", 1.5, 2, "up-1", 3.0, reconciled=True),
        SandboxState(started_at=1.0, throttle_until=4.0, running_since=2.0),
    ],
)
def test_every_state_comes_back_from_its_json_as_it_was(state):
    assert type(state).from_json(state.to_json()) == state


def test_states_written_by_older_code_load_with_defaults_for_what_they_lack():
    assert ScheduleState.from_json(None) == ScheduleState()
    assert ScheduleState.from_json({"started": True, "rounds": "2", "tried": "up"}) == ScheduleState(started=True)
    assert UpstreamState.from_json(IN_FLIGHT) == UpstreamState(
        "a-1", "accepted", 1700000000.5, None, "up-1", 1700000001.0
    )
    assert UpstreamState.from_json({"phase": "lost"}).phase is None
    assert SandboxState.from_json({"started_at": 1.0, "throttle_until": 0}) == SandboxState(started_at=1.0)
    # The sandbox's state written before 0008 is written back unchanged: no extra write per check.
    old = {"started_at": 1.0, "throttle_until": 5.0}
    assert SandboxState.from_json(old).to_json() == old


async def _revision(engine, upgrade: bool, revision: str) -> None:
    run = command.upgrade if upgrade else command.downgrade
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: run(alembic_config(sync), revision))


@pytest.fixture
async def old_rows(database_url, tmp_path):
    """A database at revision 0007 with three tasks in the old shape: one accepted upstream
    after a failover, one whose create went unanswered (failed since), one not started."""
    db = open_engine(database_url or f"sqlite+aiosqlite:///{tmp_path / 'reelay.db'}")
    await migrate(db)
    key = (await KeyStore(db).create("t"))[0]
    await _revision(db, False, "0007")
    rows = {}
    for name, status, state in (
        ("in_flight", Status.RUNNING, IN_FLIGHT),
        ("unanswered", Status.FAILED, UNANSWERED),
        ("fresh", Status.PENDING, {}),
    ):
        now = datetime.now(UTC)
        request = GenerationRequest("runway", "text_to_video", "veo3", "veo3", "1280:720", 1280, 720, 8, prompt=name)
        task = Task(str(uuid.uuid4()), key.id, request, status, now, now, channel="up")
        row = task_to_row(task) | {"engine_state": state, "next_check_at": None if status.is_final else time.time()}
        del row["schedule_state"]  # not a column before 0008
        del row["results"]  # `outputs` before 0009
        row["outputs"] = {}
        rows[name] = row
    async with db.begin() as conn:
        table = await conn.run_sync(lambda sync: sa.Table("tasks", sa.MetaData(), autoload_with=sync))
        await conn.execute(table.insert(), list(rows.values()))
    yield db, {name: row["id"] for name, row in rows.items()}
    await db.dispose()


async def test_migration_moves_placements_keys_out_of_the_engine_state(old_rows):
    db, ids = old_rows
    await migrate(db)
    tasks = TaskStore(db)

    in_flight = await tasks.get(ids["in_flight"])
    assert in_flight.schedule == ScheduleState(
        started=True, tried=("down",), rounds=1, last_error=IN_FLIGHT["last_error"]
    )
    assert in_flight.engine_state == {
        k: v for k, v in IN_FLIGHT.items() if k not in ("started", "tried", "rounds", "last_error")
    }
    unanswered = await tasks.get(ids["unanswered"])
    assert unanswered.schedule == ScheduleState(started=True, last_error="no answer")
    assert unanswered.engine_state == {"attempt_id": "a-2", "phase": "ambiguous", "submitted_at": 1700000000.0}
    fresh = await tasks.get(ids["fresh"])
    assert (fresh.schedule, fresh.engine_state) == (ScheduleState(), {})

    # And back: code before 0008 finds its keys where it kept them.
    await _revision(db, False, "0007")
    async with db.connect() as conn:
        stored = dict((await conn.execute(sa.text("SELECT id, engine_state FROM tasks"))).all())
    stored = {task_id: json.loads(value) if isinstance(value, str) else value for task_id, value in stored.items()}
    assert stored[ids["in_flight"]] == IN_FLIGHT
    assert stored[ids["unanswered"]] == {
        **{k: v for k, v in UNANSWERED.items() if k != "error"},
        "last_error": "no answer",
    }


class Upstream:
    """An upstream engine that reads its state as the runway and relay engines do."""

    name = "up"

    def __init__(self) -> None:
        self.started: list[str] = []
        self.checked: list[str] = []

    def supports(self, request) -> bool:
        return True

    async def start(self, task, *, slot=None, save_state=None):
        self.started.append(task.id)
        return EngineUpdate(
            Status.PENDING, state=UpstreamState(phase="accepted", upstream_id="new").to_json(), next_check_in=0.05
        )

    async def check(self, task):
        state = UpstreamState.from_json(task.engine_state)
        self.checked.append(state.upstream_id)
        return EngineUpdate(
            Status.SUCCEEDED, stored=(Artifact("video", "video", f"tasks/{task.id}/video.mp4", "video/mp4"),)
        )

    async def cancel(self, task):
        """Nothing runs upstream to stop: these tasks end at their first check."""

    async def close(self):
        """No connections to close."""


async def test_a_task_in_flight_across_the_upgrade_is_checked_where_it_runs_not_submitted_again(old_rows):
    db, ids = old_rows
    await migrate(db)
    engine = Upstream()
    channels = ChannelRegistry([(ChannelConfig("up", "runway", base_url="http://upstream.invalid"), engine)])
    worker = Worker(
        TaskStore(db), None, Placement(channels, KeyStore(db), RetryPolicy()), lease_seconds=5, poll_seconds=0.05
    )
    job = asyncio.create_task(worker.run())
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            done = {name: await TaskStore(db).get(task_id) for name, task_id in ids.items()}
            if all(task.status.is_final for task in done.values()):
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()
        job.cancel()
        await asyncio.gather(job, return_exceptions=True)
    assert done["in_flight"].status == done["fresh"].status == Status.SUCCEEDED
    assert engine.started == [ids["fresh"]]  # the task accepted before the upgrade was not sent again
    assert sorted(engine.checked) == ["new", "up-1"]
    assert done["fresh"].schedule == ScheduleState(started=True)
    assert "started" not in done["fresh"].engine_state
