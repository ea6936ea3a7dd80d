"""Slots, leases and the waiting line, whatever dies when (SQLite and PostgreSQL).

Each test sets up one way a slot or the head of a channel's line could be held by a task that
nobody drives, and proves the task is driven again and the line moves."""

import asyncio
import contextlib
import itertools
import time
import uuid
from datetime import UTC, datetime

import pytest

from reelay.config import ChannelConfig
from reelay.domain.artifacts import Artifact
from reelay.domain.request import GenerationRequest
from reelay.domain.schedule import ScheduleState
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.engines.base import EngineUpdate
from reelay.engines.placement import Placement, RetryPolicy
from reelay.engines.registry import ChannelRegistry
from reelay.engines.upstream.errors import NotAccepted, Rejected
from reelay.store.db import write_transaction
from reelay.store.keys import KeyLimits, KeyStore
from reelay.store.slots import SlotLeaseLost, SlotStore
from reelay.store.tables import channel_slots
from reelay.store.tasks import TaskStore
from reelay.worker.runner import Worker

LEASE = 1.0


class FakeUpstream:
    """An engine that submits like an upstream one (state saved first) and finishes after
    `checks` polls. `refusals` creates are refused first (429 with `retry_after`)."""

    def __init__(
        self, name: str, *, checks: int = 2, refusals: int = 0, retry_after: float | None = None, reject=False
    ):
        self.name = name
        self.checks = checks
        self.refusals = refusals
        self.retry_after = retry_after
        self.reject = reject
        self.grace = 0.0  # how long an unconfirmed create waits for its sender's answer
        self.answer_delay = 0.0  # how long the upstream takes to answer a create
        self.starts: list[tuple[str, float]] = []  # (task id, time) of every create sent
        self.running: set[str] = set()
        self.most_running = 0

    def supports(self, request) -> bool:
        return True

    async def start(self, task, *, slot=None, save_state=None):
        attempt = {"phase": "submitting", "slot": slot, "attempt_id": str(uuid.uuid4()), "submitted_at": time.time()}
        await save_state({**task.engine_state, **attempt})
        self.starts.append((task.id, time.monotonic()))
        if self.reject:
            raise Rejected("400 bad prompt", status=400)
        if self.refusals > 0:
            self.refusals -= 1
            raise NotAccepted("429 busy", status=429, retry_after=self.retry_after)
        self.running.add(task.id)
        self.most_running = max(self.most_running, len(self.running))
        state = {**task.engine_state, "phase": "accepted", "polls": 0}
        if self.answer_delay:
            await asyncio.sleep(self.answer_delay)
        return EngineUpdate(Status.PENDING, state=state, next_check_in=0.05)

    async def check(self, task):
        if task.engine_state.get("phase") == "submitting":  # as Runway's engine: never sent twice
            if time.time() - task.engine_state["submitted_at"] < self.grace:  # its sender may still answer
                return EngineUpdate(Status.PENDING, next_check_in=0.05, reread=True)
            return EngineUpdate(Status.FAILED, failure="unconfirmed", failure_code="INTERNAL.UPSTREAM_UNCONFIRMED")
        polls = task.engine_state.get("polls", 0) + 1
        if polls >= self.checks:
            self.running.discard(task.id)
            return EngineUpdate(
                Status.SUCCEEDED,
                stored=(Artifact("video", "video", "v", "video/mp4"),),
                state={**task.engine_state, "polls": polls},
            )
        return EngineUpdate(
            Status.RUNNING, progress=0.5, state={**task.engine_state, "polls": polls}, next_check_in=0.05
        )

    async def cancel(self, task):
        self.running.discard(task.id)

    async def close(self):
        pass


@pytest.fixture
async def key(db):
    return (await KeyStore(db).create("t"))[0]


def registry(*channels: tuple[ChannelConfig, FakeUpstream]) -> ChannelRegistry:
    return ChannelRegistry(list(channels))


def capped(name: str, cap: int, **extra) -> ChannelConfig:
    return ChannelConfig(name, "runway", base_url="http://upstream.invalid", max_concurrent=cap, **extra)


async def submit(db, key, channel: str, n: int = 1, spacing: float = 0.001, model: str = "veo3") -> list[str]:
    ids = []
    for i in range(n):
        now = datetime.now(UTC)
        request = GenerationRequest("runway", "text_to_video", model, model, "1280:720", 1280, 720, 8, prompt=f"t{i}")
        task = Task(str(uuid.uuid4()), key.id, request, Status.PENDING, now, now, channel=channel)
        await TaskStore(db).create(task)
        ids.append(task.id)
        await asyncio.sleep(spacing)  # distinct creation times: a defined line
    return ids


async def admit(slots: SlotStore, claim: Task, capacity: int, scope: str = "up"):
    return await slots.acquire(
        scope, claim.id, claim.created_at.timestamp(), capacity, owner=claim.lease_owner, attempt=claim.attempts
    )


async def wait_final(tasks: TaskStore, ids: list[str], timeout: float = 30) -> dict[str, Task]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = {i: await tasks.get(i) for i in ids}
        if all(t.status.is_final for t in found.values()):
            return found
        await asyncio.sleep(0.05)
    raise AssertionError({i: t.status for i, t in found.items()})


async def running(worker: Worker):
    job = asyncio.create_task(worker.run())
    return job


async def stop(worker: Worker, job) -> None:
    await worker.stop()
    job.cancel()
    await asyncio.gather(job, return_exceptions=True)


def worker_for(db, engines, **options) -> Worker:
    """A worker over these channels; retry options go to placement's policy, the rest to it."""
    retry = {"throttle_check_seconds": 0.1} | {
        k: options.pop(k) for k in list(options) if k in RetryPolicy.__dataclass_fields__
    }
    placement = Placement(engines, KeyStore(db), RetryPolicy(**retry))
    options = {"lease_seconds": LEASE, "poll_seconds": 0.05, **options}
    return Worker(TaskStore(db), None, placement, **options)


async def test_a_worker_killed_between_taking_a_slot_and_saving_state_leaves_no_stuck_slot(db, key):
    tasks, slots = TaskStore(db), SlotStore(db)
    ids = await submit(db, key, "up", 3)
    # A worker claims the oldest task, takes its slot, and dies before it writes anything else.
    (claimed,) = await tasks.claim_due("dead-worker", 1, LEASE)
    assert claimed.id == ids[0]
    taken = await slots.acquire(
        "up", claimed.id, claimed.created_at.timestamp(), 1, owner="dead-worker", attempt=claimed.attempts
    )
    assert taken.slot == 0

    engine = FakeUpstream("up")
    worker = worker_for(db, registry((capped("up", 1), engine)))
    job = await running(worker)
    try:
        done = await wait_final(tasks, ids)
    finally:
        await stop(worker, job)
    assert all(t.status == Status.SUCCEEDED for t in done.values())
    assert [task_id for task_id, _ in engine.starts] == ids  # the line kept its order
    assert engine.most_running == 1
    assert await slots.in_use() == {}
    audit = await slots.audit(LEASE)
    assert (audit.held_by_final, audit.held_by_unleased) == (0, 0)


async def test_a_worker_that_lost_its_lease_can_write_nothing_even_after_claiming_the_task_again(db, key):
    tasks, slots = TaskStore(db), SlotStore(db)
    (task_id,) = await submit(db, key, "up")
    (first,) = await tasks.claim_due("worker-a", 1, 0.2)
    await asyncio.sleep(0.3)  # worker-a stalls past its lease
    (_second,) = await tasks.claim_due("worker-b", 1, 0.2)
    stale = ("worker-a", first.attempts)
    assert not await tasks.save_engine_state(task_id, {"phase": "submitting"}, stale)
    assert not await tasks.transition(task_id, Status.RUNNING, lease=stale)
    with pytest.raises(SlotLeaseLost):
        await slots.acquire("up", task_id, first.created_at.timestamp(), 1, owner="worker-a", attempt=first.attempts)
    await asyncio.sleep(0.3)
    (third,) = await tasks.claim_due("worker-a", 1, 5)  # worker-a wakes and takes it again
    assert third.attempts == first.attempts + 2
    assert not await tasks.save_engine_state(task_id, {"phase": "submitting"}, stale)  # its old loop is still fenced
    assert await tasks.save_engine_state(task_id, {"phase": "submitting"}, ("worker-a", third.attempts))
    assert await slots.in_use() == {}


async def test_a_stalled_worker_stops_driving_and_its_slot_follows_the_task(db, key):
    """Two workers; the first one's heartbeat stops reaching the database (a frozen process, as
    on a busy machine) while its loops go on. The second takes its tasks over."""
    tasks, slots = TaskStore(db), SlotStore(db)
    ids = await submit(db, key, "up", 4)
    slow = FakeUpstream("up", checks=40)
    first = worker_for(db, registry((capped("up", 2), slow)))

    async def renew_nothing(owner, lease_seconds):
        return set(first.active)  # believes it still holds them all

    first.store.renew_leases = renew_nothing
    job = await running(first)
    await asyncio.sleep(0.5)  # both slots taken by the first worker

    async def claim_nothing(*args, **kwargs):
        return []

    first.store.claim_due = claim_nothing  # frozen: it claims nothing more either
    await asyncio.sleep(LEASE)  # its leases run out
    fast = FakeUpstream("up", checks=2)
    second = worker_for(db, registry((capped("up", 2), fast)))
    job2 = await running(second)
    try:
        done = await wait_final(tasks, ids, timeout=40)
        await asyncio.sleep(0.3)
    finally:
        await stop(second, job2)
        await stop(first, job)
    assert all(t.status == Status.SUCCEEDED for t in done.values())
    assert {task_id for task_id, _ in fast.starts} == set(ids[2:])  # the first two were already submitted
    assert not first.active  # fenced off at its next write, it stopped driving
    assert await slots.in_use() == {}


async def test_a_task_failed_over_leaves_the_first_channels_line(db, key):
    tasks, slots = TaskStore(db), SlotStore(db)
    older, younger = await submit(db, key, "first", 2)
    (claim,) = await tasks.claim_due("w", 1, 30)
    assert claim.id == older
    # The older task is refused on "first" and moved to "second", where it waits.
    assert await tasks.reassign(older, ("w", claim.attempts), "second", ScheduleState(tried=("first",)))
    (claim2,) = await tasks.claim_due("w", 1, 30)
    admitted = await slots.acquire(
        "first", younger, claim2.created_at.timestamp(), 1, owner="w", attempt=claim2.attempts
    )
    assert admitted.slot == 0  # no longer behind a task that left the line


async def test_waiting_tasks_are_let_in_together_while_older_ones_keep_their_turn(db, key):
    tasks, slots = TaskStore(db), SlotStore(db)
    ids = await submit(db, key, "up", 5)
    claims = {t.id: t for t in await tasks.claim_due("w", 5, 30)}

    # Three free slots: the third-oldest gets in before the two older ones have even looked...
    assert (await admit(slots, claims[ids[2]], 3)).slot is not None
    # ...but the fourth does not: three older tasks still wait for the two slots left.
    assert (fourth := await admit(slots, claims[ids[3]], 3)).slot is None and fourth.ahead == 2
    assert (await admit(slots, claims[ids[0]], 3)).slot is not None
    assert (await admit(slots, claims[ids[1]], 3)).slot is not None
    assert (await admit(slots, claims[ids[4]], 3)).slot is None


async def test_a_slot_left_by_an_ended_task_is_freed_within_a_lease_period(db, key):
    tasks, slots = TaskStore(db), SlotStore(db)
    ended, waiting = await submit(db, key, "up", 2)
    assert await tasks.transition(ended, Status.CANCELLED)
    # A final transition that missed the release (a bug, or a row written by an older version).
    async with write_transaction(db) as conn:
        await conn.execute(channel_slots.insert().values(channel="up", slot=0, task_id=ended, acquired_at=time.time()))
    assert (await slots.audit(LEASE)).held_by_final == 1
    engine = FakeUpstream("up")
    worker = worker_for(db, registry((capped("up", 1), engine)))
    job = await running(worker)
    try:
        done = await wait_final(tasks, [waiting], timeout=LEASE * 3 + 5)
    finally:
        await stop(worker, job)
    assert done[waiting].status == Status.SUCCEEDED
    assert (await slots.audit(LEASE)).held_by_final == 0
    assert worker.metrics.swept._value.get() == 1


async def test_an_ending_task_never_leaves_a_slot_behind_when_a_cancel_races_the_admission(db, key):
    tasks, slots = TaskStore(db), SlotStore(db)
    ids = await submit(db, key, "up", 30)
    claims = {t.id: t for t in await tasks.claim_due("w", 30, 30)}

    async def admit_unless_cancelled(task_id):
        with contextlib.suppress(SlotLeaseLost):  # the cancel came first: nothing may be taken
            await admit(slots, claims[task_id], 100)

    await asyncio.gather(*(c for i in ids for c in (admit_unless_cancelled(i), tasks.transition(i, Status.CANCELLED))))
    assert await slots.in_use() == {}


async def test_a_loop_that_dies_gives_its_lease_back_and_the_task_is_driven_again(db, key):
    tasks = TaskStore(db)
    (task_id,) = await submit(db, key, "up")
    engine = FakeUpstream("up")
    worker = worker_for(db, registry((capped("up", 1), engine)), lease_seconds=30)  # renewed for ever if kept
    original = worker._apply
    calls = {"n": 0}

    async def apply_once_broken(task, update):
        calls["n"] += 1
        if calls["n"] == 2:  # while it runs upstream
            raise RuntimeError("database went away mid-step")
        return await original(task, update)

    worker._apply = apply_once_broken
    job = await running(worker)
    try:
        done = await wait_final(tasks, [task_id], timeout=20)
    finally:
        await stop(worker, job)
    assert done[task_id].status == Status.SUCCEEDED
    assert done[task_id].attempts == 2  # given back, claimed again: not stranded under a live lease


async def test_refused_creates_are_waited_out_with_retry_after_not_failed(db, key):
    tasks, slots = TaskStore(db), SlotStore(db)
    ids = await submit(db, key, "up", 2)
    engine = FakeUpstream("up", refusals=8, retry_after=0.2)  # more refusals than the old five rounds
    worker = worker_for(db, registry((capped("up", 1), engine)))
    job = await running(worker)
    try:
        done = await wait_final(tasks, ids, timeout=30)
    finally:
        await stop(worker, job)
    assert [t.status for t in done.values()] == [Status.SUCCEEDED, Status.SUCCEEDED]
    head = [at for task_id, at in engine.starts if task_id == ids[0]]
    assert len(head) == 9  # eight refusals, then accepted
    assert min(b - a for a, b in itertools.pairwise(head)) >= 0.19  # Retry-After honoured
    # The refused task kept its slot and its turn: the younger one started only after it.
    assert [task_id for task_id, _ in engine.starts].index(ids[1]) == 9
    assert await slots.in_use() == {}


async def test_a_refusal_that_cannot_pass_fails_at_once_and_a_timeout_ends_the_waiting(db, key):
    tasks = TaskStore(db)
    (bad,) = await submit(db, key, "bad", model="gen4_turbo")
    (busy,) = await submit(db, key, "busy")
    engines = registry(
        (capped("bad", 1, models=("gen4_turbo",)), FakeUpstream("bad", reject=True)),
        (capped("busy", 1, task_timeout_seconds=1.5, models=("veo3",)), FakeUpstream("busy", refusals=10**6)),
    )
    worker = worker_for(db, engines, retry_first_seconds=0.1, retry_max_seconds=0.3)
    job = await running(worker)
    try:
        done = await wait_final(tasks, [bad, busy], timeout=20)
    finally:
        await stop(worker, job)
    assert done[bad].status == Status.FAILED and done[bad].failure_code == "INPUT.REJECTED_UPSTREAM"
    assert done[busy].status == Status.FAILED and done[busy].failure_code == "INTERNAL.UPSTREAM_UNAVAILABLE"
    assert "429 busy" in done[busy].failure


async def test_max_failover_rounds_fails_sooner_when_set(db, key):
    tasks = TaskStore(db)
    (task_id,) = await submit(db, key, "up")
    engine = FakeUpstream("up", refusals=10**6)
    worker = worker_for(db, registry((capped("up", 1), engine)), max_failover_rounds=3, retry_first_seconds=0.05)
    job = await running(worker)
    try:
        done = await wait_final(tasks, [task_id], timeout=20)
    finally:
        await stop(worker, job)
    assert done[task_id].failure_code == "INTERNAL.UPSTREAM_UNAVAILABLE"
    assert len(engine.starts) == 3


async def test_a_key_at_its_own_cap_does_not_hold_up_other_keys_on_the_channel(db, key):
    tasks, slots = TaskStore(db), SlotStore(db)
    keys = KeyStore(db)
    capped_key, _ = await keys.create("one-at-a-time", limits=KeyLimits(max_concurrent=1))
    busy = await submit(db, capped_key, "up", 3)  # two of these wait for their key, not the channel
    other = await submit(db, key, "up", 1)
    engine = FakeUpstream("up", checks=20)
    worker = worker_for(db, registry((capped("up", 4), engine)))
    job = await running(worker)
    try:
        deadline = time.monotonic() + 10
        while not {other[0], busy[0]} <= {task_id for task_id, _ in engine.starts} and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        started = {task_id for task_id, _ in engine.starts}
        assert other[0] in started and busy[0] in started and not {busy[1], busy[2]} & started
        await wait_final(tasks, busy + other, timeout=30)
    finally:
        await stop(worker, job)
    assert await slots.in_use() == {}


async def test_a_worker_whose_own_lease_ran_out_mid_submit_takes_the_task_up_again(db, key):
    """One worker, its heartbeat starved while a create is on its way: its claim loop takes the
    task again, and the loop already driving it goes on under the new claim (no second loop, no
    second create, no task failed as unconfirmed)."""
    tasks = TaskStore(db)
    (task_id,) = await submit(db, key, "up")
    engine = FakeUpstream("up")
    worker = worker_for(db, registry((capped("up", 1), engine)), lease_seconds=0.3)
    real_start = engine.start

    async def slow_start(task, **kwargs):
        update = await real_start(task, **kwargs)
        await asyncio.sleep(0.8)  # the answer comes back after the lease has run out
        return update

    async def renew_nothing(owner, lease_seconds):
        return set(worker.active)

    engine.start = slow_start
    worker.store.renew_leases = renew_nothing
    job = await running(worker)
    try:
        done = await wait_final(tasks, [task_id], timeout=20)
    finally:
        await stop(worker, job)
    assert done[task_id].status == Status.SUCCEEDED
    assert done[task_id].attempts >= 2  # it was claimed again meanwhile
    assert len(engine.starts) == 1


def test_metrics_show_a_slot_held_by_an_ended_task_and_the_oldest_throttled_age(tmp_path):
    from support import backends
    from support.inprocess import make_app_client

    with make_app_client(tmp_path) as (client, key):
        client.headers["Authorization"] = f"Bearer {key}"

        def gauges() -> str:
            return "\n".join(
                line
                for line in client.get("/metrics").text.splitlines()
                if "slots_stale" in line or "throttled_oldest" in line
            )

        assert 'reelay_slots_stale{reason="final"} 0.0' in gauges()
        ended = client.post(
            "/v1/text_to_video", json={"model": "gen4.5", "promptText": "x", "ratio": "1280:720", "duration": 2}
        ).json()["id"]
        waiting = client.post(
            "/v1/text_to_video", json={"model": "gen4.5", "promptText": "y", "ratio": "1280:720", "duration": 2}
        ).json()["id"]
        assert client.delete(f"/v1/tasks/{ended}").status_code == 204
        now = time.time()
        backends.sql(
            tmp_path,
            f"insert into channel_slots (channel, slot, task_id, acquired_at) values ('sandbox', 0, '{ended}', {now})",
        )
        backends.sql(tmp_path, f"update tasks set status = 'THROTTLED', created_at = {now - 42} where id = '{waiting}'")
        shown = gauges()
        assert 'reelay_slots_stale{reason="final"} 1.0' in shown
        age = float(shown.split('reelay_throttled_oldest_seconds{channel="sandbox"} ')[1].split()[0])
        assert 42 <= age < 60


async def test_a_worker_frozen_mid_create_still_records_the_answer_for_the_worker_that_took_over(db, key):
    """The create left, the worker froze past its lease, another took the task over: instead of
    failing it as unconfirmed at once, the new one waits while the create may still be answered,
    and the frozen one, waking with the answer, records it. One create, one task, succeeded."""
    tasks = TaskStore(db)
    (task_id,) = await submit(db, key, "up")
    frozen_engine = FakeUpstream("up")
    frozen_engine.answer_delay = 1.5
    first = worker_for(db, registry((capped("up", 1), frozen_engine)))

    async def renew_nothing(owner, lease_seconds):
        return set(first.active)

    async def claim_nothing(*args, **kwargs):
        return []

    first.store.renew_leases = renew_nothing
    job = await running(first)
    while not frozen_engine.starts:
        await asyncio.sleep(0.02)
    first.store.claim_due = claim_nothing
    second_engine = FakeUpstream("up")
    second_engine.grace = 5.0
    second = worker_for(db, registry((capped("up", 1), second_engine)))
    job2 = await running(second)
    try:
        done = await wait_final(tasks, [task_id], timeout=20)
    finally:
        await stop(second, job2)
        await stop(first, job)
    assert done[task_id].status == Status.SUCCEEDED
    assert len(frozen_engine.starts) == 1 and not second_engine.starts
