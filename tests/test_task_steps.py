"""A task's timeline: the worker's steps (each upstream exchange with its latency and answer),
bounded per task, with every callback attempt and the charge and refund beside them."""

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from reelay.domain.request import GenerationRequest
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.engines.base import EngineUpdate
from reelay.engines.steps import StepLog, note, recording
from reelay.service.timeline import Timeline
from reelay.store.callbacks import CallbackStore
from reelay.store.db import migrate, open_engine
from reelay.store.keys import KeyStore
from reelay.store.ledger import LedgerStore
from reelay.store.relay_callbacks import RelayCallbackStore
from reelay.store.steps import KEEP_FIRST_CHECKS, KEEP_LATEST_CHECKS, StepStore
from reelay.store.tasks import TaskStore
from reelay.worker.steps import StepNotes
from support import backends
from support.emulator import Emulator
from support.gateway import Gateway, channel
from support.official import auth
from support.receiving import Receiver


@pytest.fixture
async def stores(tmp_path):
    db = open_engine(await asyncio.to_thread(backends.database_url, tmp_path))
    await migrate(db)
    key, _ = await KeyStore(db).create("t", points=100)
    steps = StepStore(db)
    yield TaskStore(db), key, steps, Timeline(steps, CallbackStore(db), LedgerStore(db), RelayCallbackStore(db))
    await db.dispose()


async def new_task(tasks: TaskStore, key, points=0) -> Task:
    now = datetime.now(UTC)
    request = GenerationRequest("pro", "text_to_video", "gen4", "gen4_turbo", "16:9", 1280, 720, 5, prompt="x")
    task = Task(str(uuid.uuid4()), key.id, request, Status.PENDING, now, now, channel="upstream-a", points=points)
    created, _ = await tasks.create(task)
    return created


def poll_log(progress: float) -> StepLog:
    """What an upstream engine's HTTP client notes during one poll."""
    with recording() as seen:
        answer = json.dumps({"status": "RUNNING", "progress": progress}).encode()
        note("GET", "https://up.example/v1/tasks/u1?token=secret", time.monotonic() - 0.012, status=200, answer=answer)
    return seen


async def test_a_long_task_keeps_its_first_and_latest_checks_and_says_how_many_were_dropped(stores):
    tasks, key, steps, timeline = stores
    task = await new_task(tasks, key)
    notes = StepNotes(steps)
    notes.step(task, False, EngineUpdate(Status.PENDING), StepLog(), 0.05)
    notes.status(task, Status.PENDING, Status.RUNNING)
    task.status = Status.RUNNING
    for number in range(120):
        notes.step(task, True, EngineUpdate(Status.RUNNING, progress=number / 120), poll_log(number / 120), 0.02)
        if number % 10 == 9:
            await notes.flush()  # the worker's once-a-second batch
    notes.status(task, Status.RUNNING, Status.SUCCEEDED)
    notes.forget(task.id)
    await notes.flush()
    await tasks.transition(task.id, Status.SUCCEEDED)

    kept = await steps.for_task(task.id)
    checks = [s for s in kept if s.kind == "check"]
    assert len(checks) == KEEP_FIRST_CHECKS + KEEP_LATEST_CHECKS
    assert [s.kind for s in kept if s.kind != "check"] == ["start", "status", "status"]  # never pruned
    first_seqs = [s.seq for s in checks[:KEEP_FIRST_CHECKS]]
    assert first_seqs == [3, 4, 5, 6, 7] and checks[-1].seq == 122  # the first and the very latest

    events = await timeline.of(await tasks.get(task.id))
    gaps = [e for e in events if e.kind == "gap"]
    assert len(gaps) == 1 and gaps[0].detail["dropped"] == 120 - len(checks)
    poll = next(e for e in events if e.detail.get("step") == "check")
    exchange = poll.detail["exchanges"][0]
    assert exchange["url"] == "https://up.example/v1/tasks/u1"  # the query (a token) is not kept
    assert exchange["status"] == 200 and exchange["latency_ms"] >= 12 and '"RUNNING"' in exchange["answer"]
    assert "GET /v1/tasks/u1 → 200" in poll.title
    assert [e.title for e in events if e.kind == "status"] == [
        "created: gen4 on upstream-a",
        "PENDING → RUNNING",
        "RUNNING → SUCCEEDED",
    ]
    assert [e.at for e in events] == sorted(e.at for e in events)


async def test_a_failed_task_shows_its_charge_refund_and_a_cancel_made_through_the_api(stores):
    tasks, key, _, timeline = stores
    task = await new_task(tasks, key, points=30)
    assert await tasks.transition(task.id, Status.CANCELLED)  # as the API's DELETE does: no worker step
    events = await timeline.of(await tasks.get(task.id))
    assert [(e.kind, e.detail.get("amount")) for e in events if e.kind in ("charge", "refund")] == [
        ("charge", -30),
        ("refund", 30),
    ]
    assert events[-1].title in ("→ CANCELLED (through the API)", "30 points refunded")
    assert any(e.title == "→ CANCELLED (through the API)" for e in events)


async def test_a_pro_upstreams_callback_shows_in_the_timeline(stores):
    tasks, key, _, timeline = stores
    task = await new_task(tasks, key)
    await RelayCallbackStore(tasks.db).record(task.id, "up-42", "3")
    (called,) = [e for e in await timeline.of(task) if e.detail.get("step") == "upstream callback"]
    assert called.title == "the upstream called back: status 3" and called.detail["upstream_id"] == "up-42"


async def test_the_worker_goes_on_when_its_step_writes_fail(stores):
    tasks, key, _, _ = stores
    task = await new_task(tasks, key)

    class Broken(StepStore):
        async def add_many(self, steps, prune=()):
            raise ConnectionError("the database went away")

    notes = StepNotes(Broken(tasks.db))
    notes.step(task, False, EngineUpdate(Status.RUNNING), StepLog(), 0.01)
    notes.status(task, Status.PENDING, Status.RUNNING)
    await notes.flush()  # logged, never raised into the worker's loop
    assert notes.dropped == 2


async def test_a_local_engines_ticks_are_not_kept_but_its_start_and_end_are(stores):
    tasks, key, steps, _ = stores
    task = await new_task(tasks, key)
    task.status = Status.RUNNING
    notes = StepNotes(steps)
    for _ in range(50):  # the sandbox's checks: no exchange, nothing changed
        notes.step(task, True, EngineUpdate(Status.RUNNING, progress=0.5), StepLog(), 0.001)
    notes.step(task, True, EngineUpdate(Status.FAILED, failure="boom", failure_code="INTERNAL"), StepLog(), 0.001)
    await notes.flush()
    kept = await steps.for_task(task.id)
    assert len(kept) == 1 and kept[0].detail["failure"] == "boom" and kept[0].detail["status"] == "FAILED"


# -- a real server, a real upstream (the emulator), a real receiver ------------------------------


@pytest.fixture
def flaky_receiver(tmp_path):
    receiver = Receiver(tmp_path / "flaky.jsonl", fail_first=1, fail_status=500).start()
    yield receiver
    receiver.stop()


@pytest.mark.e2e
def test_the_timeline_shows_each_poll_the_result_copy_and_each_callback_attempt(
    tmp_path, emulator: Emulator, flaky_receiver
):
    emulator.reset(pending_seconds=0.3, running_seconds=1.2)
    gateway = Gateway(
        tmp_path,
        channel("runway-a", "runway", emulator.url, ["upstream-secret-key"], text_model="gen4.5"),
        REELAY_CALLBACK_FIRST_RETRY_SECONDS="0.3",
        REELAY_CALLBACK_MAX_RETRY_SECONDS="1",
    )
    try:
        created = httpx.post(
            gateway.server.url + "/runway/pro/generate",
            json={"prompt": "a cat", "model": "gen4_turbo", "ratio": "16:9", "callback_url": flaky_receiver.url},
            headers=auth(gateway.key),
        )
        task_id = created.json()["data"]["task_id"]
        flaky_receiver.wait_for(lambda got: [e["answered"] for e in got][-1:] == [200] and len(got) >= 3)
        admin = {"Authorization": f"Bearer {gateway.server.admin}"}
        url = f"{gateway.server.url}/admin/tasks/{task_id}/timeline"
        deadline = time.time() + 20
        while True:  # the worker writes its steps once a second
            answer = httpx.get(url, headers=admin)
            assert answer.status_code == 200, answer.text
            events = answer.json()["data"]
            if any(e["detail"].get("step") == "status" and e["detail"]["to"] == "SUCCEEDED" for e in events):
                break
            assert time.time() < deadline, events
            time.sleep(0.3)
    finally:
        gateway.stop()

    assert "upstream-secret-key" not in json.dumps(events)  # the upstream's key is never recorded
    statuses = [e["detail"]["to"] for e in events if e["kind"] == "status"]
    assert statuses == ["PENDING", "RUNNING", "SUCCEEDED"]

    start = next(e for e in events if e["detail"].get("step") == "start")
    (create,) = start["detail"]["exchanges"]
    assert create["method"] == "POST" and create["url"].endswith("/v1/text_to_video") and create["status"] == 200
    assert '"promptText": "a cat"' in create["sent"] and create["answer"].startswith('{"id"')

    checks = [e for e in events if e["detail"].get("step") == "check"]
    polls = [x for e in checks for x in e["detail"]["exchanges"] if x["method"] == "GET" and "/v1/tasks/" in x["url"]]
    assert len(polls) >= 2 and all(p["status"] == 200 and p["latency_ms"] > 0 for p in polls)
    assert any('"RUNNING"' in p["answer"] or '"PENDING"' in p["answer"] for p in polls)
    downloads = [x for e in checks for x in e["detail"]["exchanges"] if x.get("bytes")]
    assert downloads and downloads[0]["status"] == 200  # the result fetched from the upstream
    (stored,) = [e for e in events if e["detail"].get("step") == "store"]
    assert stored["detail"]["files"] == 3 and stored["detail"]["bytes"] > downloads[0]["bytes"] // 2

    attempts = [e["detail"] for e in events if e["kind"] == "callback"]
    assert [(a["event"], a["http_status"]) for a in attempts] == [
        ("RUNNING", 500),
        ("RUNNING", 200),
        ("SUCCEEDED", 200),
    ]
    assert attempts[0]["next_attempt_at"] and attempts[0]["url"] == flaky_receiver.url
    # What was sent (the pro task object of that status) and what the receiver said back.
    assert json.loads(attempts[0]["sent"])["status"] == "1" and json.loads(attempts[-1]["sent"])["status"] == "3"
    assert attempts[0]["answer"] == "failing on purpose (1 of 1)" and attempts[1]["answer"] == "ok"
    assert all(a["latency_ms"] >= 0 for a in attempts)


@pytest.mark.e2e
def test_only_the_admin_reads_a_timeline(reelay):
    server = reelay
    client_key = server.create_key("steps-client")
    created = httpx.post(
        server.url + "/v1/text_to_video",
        json={"model": "veo3.1", "promptText": "waves", "ratio": "1280:720", "duration": 4},
        headers=auth(client_key),
    ).json()
    url = f"{server.url}/admin/tasks/{created['id']}/timeline"
    assert httpx.get(url, headers=auth(client_key)).status_code == 403
    missing = httpx.get(f"{server.url}/admin/tasks/{uuid.uuid4()}/timeline", headers=auth(server.admin))
    assert missing.status_code == 404 and "does not exist" in missing.json()["error"]
