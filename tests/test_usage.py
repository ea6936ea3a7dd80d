"""Usage per UTC day, model and key: counts, points net of refunds, and the ledger's agreement
(SQLite and PostgreSQL)."""

import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from reelay.domain.request import GenerationRequest
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.store.keys import KeyStore
from reelay.store.ledger import LedgerStore
from reelay.store.tasks import TaskStore
from reelay.store.usage import UsageRow, UsageStore

DAY = date(2026, 6, 1)
MIDNIGHT = datetime(2026, 6, 2, tzinfo=UTC).timestamp()  # DAY's end
PRICE = {"gen4_turbo": 2, "veo3.1": 8}  # points a task, as if priced

# (key, seconds from MIDNIGHT, model, where the task ends: None stays running)
PLAN = [
    ("alice", -5 * 3600, "gen4_turbo", Status.SUCCEEDED),
    ("alice", -0.3, "gen4_turbo", Status.FAILED),  # 23:59:59.7: still DAY
    ("alice", 0.2, "gen4_turbo", Status.SUCCEEDED),  # 00:00:00.2: the next day
    ("alice", 100, "veo3.1", Status.CANCELLED),
    ("alice", 120, "veo3.1", Status.SUCCEEDED),
    ("bob", -100, "gen4_turbo", None),
    ("bob", -90, "gen4_turbo", Status.SUCCEEDED),
    ("bob", 200, "veo3.1", Status.SUCCEEDED),
    ("bob", 300, "veo3.1", Status.FAILED),
    ("bob", 86400 + 10, "gen4_turbo", Status.SUCCEEDED),  # two days on: past the end
    ("alice", -86400 - 1, "gen4_turbo", Status.FAILED),  # the day before: before the start
]
START, END = DAY, DAY + timedelta(days=2)


@pytest.fixture
async def made(db):
    """The plan's tasks, charged as they are created, then moved to where each ends (a failed or
    cancelled one refunded as the store does it); the keys by name."""
    keys = {name: (await KeyStore(db).create(name, points=1000))[0].id for name in ("alice", "bob")}
    store = TaskStore(db)
    tasks = []
    for name, offset, model, end in PLAN:
        moment = datetime.fromtimestamp(MIDNIGHT + offset, UTC)
        request = GenerationRequest("runway", "text_to_video", model, model, "1280:720", 1280, 720, 4, prompt="p")
        task = Task(
            str(uuid.uuid4()), keys[name], request, Status.PENDING, moment, moment, points=PRICE[model], channel="c"
        )
        await store.create(task)
        await store.transition(task.id, Status.RUNNING)
        if end is not None:
            await store.transition(task.id, end)
        tasks.append(task)
    # A finished task deleted by its owner was still used and paid for.
    await store.mark_deleted(tasks[0].id)
    return keys, [await store.get(task.id, deleted=True) for task in tasks]


def expected(tasks: list[Task], api_key_id: str | None = None) -> list[UsageRow]:
    """The rows, added up here task by task from what each task says of itself."""
    sums: dict[tuple, Counter] = {}
    for task in tasks:
        day = task.created_at.astimezone(UTC).date()
        if not START <= day < END or api_key_id not in (None, task.api_key_id):
            continue
        counts = sums.setdefault((day, task.request.engine_model, task.api_key_id), Counter())
        counts["tasks"] += 1
        counts["succeeded"] += task.status == Status.SUCCEEDED
        counts["failed"] += task.status in (Status.FAILED, Status.CANCELLED)
        counts["points"] += 0 if task.refunded else task.points
    fields = ("tasks", "succeeded", "failed", "points")
    return [UsageRow(*group, **{name: sums[group][name] for name in fields}) for group in sorted(sums)]


async def test_usage_by_day_model_and_key_counts_each_task_on_its_utc_day(db, made):
    keys, tasks = made
    rows = await UsageStore(db).by_day(start=START, end=END)
    assert rows == expected(tasks)
    # Split by midnight UTC to the tenth of a second, on either database.
    alice_turbo = {row.day: row for row in rows if row.api_key_id == keys["alice"] and row.model == "gen4_turbo"}
    assert (alice_turbo[DAY].tasks, alice_turbo[DAY].failed) == (2, 1)
    assert (alice_turbo[DAY + timedelta(days=1)].tasks, alice_turbo[DAY + timedelta(days=1)].succeeded) == (1, 1)
    # The start day is in, the end day is out.
    assert {row.day for row in rows} == {DAY, DAY + timedelta(days=1)}


async def test_points_are_net_of_refunds_and_a_running_task_counts_as_charged(db, made):
    keys, tasks = made
    rows = await UsageStore(db).by_day(start=START, end=END, api_key_id=keys["bob"])
    assert rows == expected(tasks, keys["bob"])
    assert {row.api_key_id for row in rows} == {keys["bob"]}
    bob_turbo = next(row for row in rows if row.model == "gen4_turbo")
    assert (bob_turbo.tasks, bob_turbo.succeeded, bob_turbo.failed) == (2, 1, 0)
    assert bob_turbo.points == 2 * PRICE["gen4_turbo"]  # the running one is charged, not yet refunded
    bob_veo = next(row for row in rows if row.model == "veo3.1")
    assert (bob_veo.tasks, bob_veo.failed, bob_veo.points) == (2, 1, PRICE["veo3.1"])  # the failed one refunded


async def test_usage_agrees_with_the_ledger(db, made):
    """The points of every key's rows are what its ledger's charges less refunds say of the same
    tasks, although the refunds were written days after those tasks were created."""
    keys, tasks = made
    rows = await UsageStore(db).by_day(start=START, end=END)
    counted = {task.id for task in tasks if START <= task.created_at.astimezone(UTC).date() < END}
    ledger = LedgerStore(db)
    for key_id in keys.values():
        entries = [e for e in await ledger.entries(key_id) if e.task_id in counted]
        assert {e.kind for e in entries} == {"charge", "refund"}
        spent = -sum(e.amount for e in entries if e.kind in ("charge", "refund"))
        assert spent == sum(row.points for row in rows if row.api_key_id == key_id) > 0


async def test_no_tasks_no_rows(db, made):
    assert await UsageStore(db).by_day(start=date(2020, 1, 1), end=date(2020, 2, 1)) == []
