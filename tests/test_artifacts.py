"""Typed results and inputs: JSON round trips, old rows read in the new shape, migration 0009."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text

from reelay.dialects import pro, runway_v1
from reelay.domain.artifacts import Artifact, MediaKind, primary, results_from_json, results_to_json
from reelay.domain.request import FIRST, LAST, REFERENCE, GenerationRequest, MediaRef
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.store.db import alembic_config, migrate, open_engine
from reelay.store.tasks import TaskStore
from support import backends

VIDEO = Artifact(MediaKind.VIDEO, "video", "tasks/t/video.mp4", "video/mp4", 1280, 720, 5.0, 24.0)
POSTER = Artifact(MediaKind.IMAGE, "poster", "tasks/t/poster.jpg", "image/jpeg", 1280, 720)
LAST_FRAME = Artifact(MediaKind.IMAGE, "last_frame", "tasks/t/last_frame.jpg", "image/jpeg", 1280, 720)

OLD_IMAGE = {
    "uri": "https://example.com/a.png",
    "key": "inputs/t/first.png",
    "width": 64,
    "height": 48,
    "content_type": "image/png",
}


def test_artifacts_survive_json_in_order():
    results = (VIDEO, POSTER, LAST_FRAME)
    assert results_from_json(json.loads(json.dumps(results_to_json(results)))) == results
    assert primary(results) == (VIDEO,)  # what the official dialect lists as `output`


def test_a_request_written_with_first_and_last_image_fields_reads_as_inputs():
    old = {
        "dialect": "pro",
        "kind": "image_to_video",
        "model": "gen4",
        "engine_model": "gen4_turbo",
        "ratio": "16:9",
        "width": 1280,
        "height": 720,
        "seconds": 5,
        "prompt": "p",
        "first_image": OLD_IMAGE,
        "last_image": {**OLD_IMAGE, "key": "inputs/t/last.png"},
        "motion": [1, 0, 0, 0, 0, 0],
        "seed": 3,
        "style": None,
        "callback_url": None,
        "extras": {},
    }
    request = GenerationRequest.from_json(old)
    assert request.first_image == MediaRef(**OLD_IMAGE, kind=MediaKind.IMAGE, role=FIRST)
    assert request.last_image is not None and request.last_image.key == "inputs/t/last.png"
    assert request.last_image.role == LAST and request.motion == (1, 0, 0, 0, 0, 0)
    # Written again, it is in the new shape, and reads back the same.
    again = json.loads(json.dumps(request.to_json()))
    assert "first_image" not in again and [item["role"] for item in again["inputs"]] == [FIRST, LAST]
    assert GenerationRequest.from_json(again) == request


def test_a_video_and_tagged_reference_inputs_round_trip():
    inputs = (
        MediaRef("runway://abc", "inputs/t/1-video.mp4", 640, 360, "video/mp4", MediaKind.VIDEO, "video", duration=4.5),
        MediaRef("https://e.com/r.png", "inputs/t/2-reference.png", 64, 64, "image/png", role=REFERENCE, tag="hero"),
    )
    request = GenerationRequest(
        "runway", "video_to_video", "gen4_aleph", "gen4_aleph", "1280:720", 1280, 720, 5, inputs=inputs
    )
    again = GenerationRequest.from_json(json.loads(json.dumps(request.to_json())))
    assert again == request and again.input_for(REFERENCE).tag == "hero" and again.first_image is None


def test_both_dialects_render_todays_answer_from_the_list():
    now = datetime.now(UTC)
    request = GenerationRequest("pro", "text_to_video", "gen4", "gen4_turbo", "16:9", 1280, 720, 5, prompt="x")
    task = Task("t", "k", request, Status.SUCCEEDED, now, now, results=(VIDEO, POSTER, LAST_FRAME))
    urls = {artifact.key: f"https://files/{artifact.role}" for artifact in task.results}
    body = pro.task_object(task, urls)
    assert (body["video_url"], body["poster"], body["last_frame"]) == (
        "https://files/video",
        "https://files/poster",
        "https://files/last_frame",
    )
    assert runway_v1.task_object(task, urls)["output"] == ["https://files/video"]


# --- migration 0009 -----------------------------------------------------------------------------


async def _at_revision(db, revision: str, *, down: bool = False) -> None:
    async with db.begin() as connection:
        step = command.downgrade if down else command.upgrade
        await connection.run_sync(lambda sync: step(alembic_config(sync), revision))


async def test_migration_turns_stored_outputs_into_artifacts_and_back(tmp_path):
    db = open_engine(await asyncio.to_thread(backends.database_url, tmp_path))
    try:
        await _at_revision(db, "0007")
        key_id, done, pending = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
        old_request = {
            "dialect": "runway",
            "kind": "image_to_video",
            "model": "gen4_turbo",
            "engine_model": "gen4_turbo",
            "ratio": "1280:720",
            "width": 1280,
            "height": 720,
            "seconds": 5,
            "prompt": None,
            "first_image": OLD_IMAGE,
            "last_image": None,
            "motion": None,
            "seed": None,
            "style": None,
            "callback_url": None,
            "extras": {},
        }
        outputs = {
            "video": f"tasks/{done}/video.mp4",
            "poster": f"tasks/{done}/poster.jpg",
            "last_frame": f"tasks/{done}/last_frame.jpg",
        }
        async with db.begin() as conn:
            await conn.execute(
                text(
                    "insert into api_keys (id, name, key_hash, prefix, is_admin, created_at) values (:id, '', :h, 'rk', false, :t)"
                ),
                {"id": key_id, "h": uuid.uuid4().hex, "t": time.time()},
            )
            for task_id, status, stored in ((done, "SUCCEEDED", outputs), (pending, "PENDING", {})):
                await conn.execute(
                    text(
                        "insert into tasks (id, api_key_id, model, request, status, outputs, channel, engine_state, created_at, updated_at)"
                        " values (:id, :key, 'gen4_turbo', :request, :status, :outputs, 'sandbox', '{}', :t, :t)"
                    ),
                    {
                        "id": task_id,
                        "key": key_id,
                        "request": json.dumps(old_request),
                        "status": status,
                        "outputs": json.dumps(stored),
                        "t": time.time(),
                    },
                )

        await migrate(db)
        store = TaskStore(db)
        task = await store.get(done)
        assert [(a.role, a.kind, a.key, a.content_type) for a in task.results] == [
            ("video", "video", outputs["video"], "video/mp4"),
            ("poster", "image", outputs["poster"], "image/jpeg"),
            ("last_frame", "image", outputs["last_frame"], "image/jpeg"),
        ]
        assert task.results[0].width is None  # never measured: unknown, not guessed
        assert task.request.first_image.key == OLD_IMAGE["key"]  # the old request shape, read as inputs
        assert (await store.get(pending)).results == ()

        await _at_revision(db, "0007", down=True)
        async with db.connect() as conn:
            rows = dict((await conn.execute(text("select id, outputs from tasks"))).all())
        decoded = {task_id: value if isinstance(value, dict) else json.loads(value) for task_id, value in rows.items()}
        assert decoded == {done: outputs, pending: {}}
    finally:
        await db.dispose()


# --- the sandbox's results, probed for real, and found again after a restart ---------------------


async def test_sandbox_results_are_probed_stored_and_found_again_after_a_restart(tmp_path):
    from reelay.engines.sandbox.engine import SandboxEngine
    from reelay.storage.local import LocalStorage
    from reelay.storage.results import store_results
    from reelay.storage.signing import UrlSigner

    storage = LocalStorage(tmp_path / "files", UrlSigner("s", 60))
    now = datetime.now(UTC)
    request = GenerationRequest(
        "runway", "text_to_video", "gen4.5", "gen4.5", "1280:720", 320, 192, 2, prompt="a lighthouse"
    )
    task = Task(str(uuid.uuid4()), "key", request, Status.PENDING, now, now, seed=7)
    engine = SandboxEngine(storage, tmp_path / "work", processes=1)
    try:
        update = await engine.start(task)
        while update.status == Status.RUNNING:
            task.engine_state = update.state or task.engine_state
            await asyncio.sleep(0.1)
            update = await engine.check(task)
    finally:
        await engine.close()
    assert update.status == Status.SUCCEEDED
    described = [(f.role, f.info.kind, f.info.content_type, f.info.width, f.info.height) for f in update.results]
    assert described == [
        ("video", "video", "video/mp4", 320, 192),
        ("poster", "image", "image/jpeg", 320, 192),
        ("last_frame", "image", "image/jpeg", 320, 192),
    ]
    video = update.results[0].info
    assert video.duration == pytest.approx(2.0, abs=0.05) and video.frame_rate == 24.0

    stored = await store_results(storage, task.id, update.results)
    assert [a.key for a in stored] == [
        f"tasks/{task.id}/{name}" for name in ("video.mp4", "poster.jpg", "last_frame.jpg")
    ]

    # A worker that restarts after storing finds the results instead of rendering again.
    restarted = SandboxEngine(storage, tmp_path / "work2", processes=1)
    try:
        again = await restarted.check(task)
    finally:
        await restarted.close()
    assert again.status == Status.SUCCEEDED and again.results == [] and again.stored == stored
