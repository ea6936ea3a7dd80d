"""The diffusers engine's run in this process, on tiny random pipelines saved to folders and loaded
through its real loading path: each family's call, cancels between steps, folders that do not
load, and the MP4 it writes. (The whole engine in a real worker: test_diffusers_e2e.py.)"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import UTC, datetime

import numpy as np
import pytest

from reelay.config import ChannelConfig
from reelay.domain.request import FIRST, LAST, GenerationRequest, MediaRef
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.engines.diffusers import loading, mapping, output, run
from reelay.engines.diffusers.engine import DiffusersEngine
from reelay.engines.diffusers.errors import MODEL_INVALID, MODEL_NOT_FOUND, OUT_OF_MEMORY, Cancelled, ModelError
from reelay.engines.diffusers.settings import DiffusersSettings
from support import tiny_diffusers as tiny
from support.images import gradient_image
from support.video import probe

SIZES = {"16:9": "64x32"}


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-models")
    return {family: build(root / family) for family, build in tiny.BUILDERS.items()}


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    root = tmp_path_factory.mktemp("pictures")
    paths = {}
    for role, seed in ((FIRST, 1), (LAST, 9)):
        paths[role] = str(root / f"{role}.png")
        gradient_image(320, 200, seed=seed).save(paths[role])
    return paths


def settings_for(folder, family: str, **fields) -> DiffusersSettings:
    values = dict(model_dir=str(folder), family=family, device="cpu", dtype="float32", steps=2, sizes=SIZES)
    return DiffusersSettings.of(ChannelConfig(f"tiny-{family}", "diffusers", **{**values, **fields}))


def plan_for(settings: DiffusersSettings, seconds: int = 1, images=(), seed: int = 3) -> mapping.Plan:
    inputs = tuple(MediaRef("u", f"k-{role}", 320, 200, "image/png", role=role) for role in images)
    kind = "image_to_video" if images else "text_to_video"
    asked = GenerationRequest("runway", kind, "m", "m", "1280:720", 1280, 720, seconds, "a cat", inputs=inputs)
    assert mapping.takes(settings.family, asked)
    return mapping.plan(asked, seed, settings)


def generate(settings, plan, first=None, last=None, cancel_after: int | None = None):
    steps: list[int] = []
    cancelled = threading.Event()

    def on_step(step: int, total: int) -> None:
        steps.append(step)
        if cancel_after is not None and step >= cancel_after:
            cancelled.set()  # as a cancel arriving while the next step runs

    return run.generate(settings, plan, first, last, on_step, cancelled), steps


@pytest.mark.parametrize(
    ("family", "images", "frames"),
    [
        ("wan2.2-ti2v-5b", (), 25),
        ("wan2.2-ti2v-5b", (FIRST,), 25),
        ("wan2.2-i2v-a14b", (FIRST,), 17),
        ("wan2.2-i2v-a14b", (FIRST, LAST), 17),
        ("wan2.2-t2v-a14b", (), 17),
        ("wan2.1-flf2v", (FIRST, LAST), 17),
        ("ltx-condition", (), 25),
        ("ltx-condition", (FIRST, LAST), 25),
        ("ltx-condition", (LAST,), 25),
    ],
)
def test_each_family_runs_what_it_takes(folders, pictures, family, images, frames):
    settings = settings_for(folders[family], family)
    plan = plan_for(settings, images=images)
    video, steps = generate(
        settings, plan, pictures.get(FIRST) if FIRST in images else None, pictures.get(LAST) if LAST in images else None
    )
    assert video.shape == (frames, 32, 64, 3) and video.dtype == np.uint8
    assert steps == [1, 2]


def test_the_same_seed_gives_the_same_frames_and_another_seed_others(folders):
    settings = settings_for(folders["wan2.2-ti2v-5b"], "wan2.2-ti2v-5b")
    first, _ = generate(settings, plan_for(settings, seed=5))
    again, _ = generate(settings, plan_for(settings, seed=5))
    other, _ = generate(settings, plan_for(settings, seed=6))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_a_cancel_stops_the_run_at_the_end_of_the_step_under_way(folders):
    settings = settings_for(folders["wan2.2-ti2v-5b"], "wan2.2-ti2v-5b", steps=50)
    with pytest.raises(Cancelled) as stopped:
        generate(settings, plan_for(settings), cancel_after=3)
    # Set while step 4 ran (right after step 3 was reported): the run ends as step 4 does.
    assert (stopped.value.step, stopped.value.steps) == (4, 50)


def test_the_pipeline_is_loaded_once_per_process(folders):
    settings = settings_for(folders["wan2.2-t2v-a14b"], "wan2.2-t2v-a14b")
    assert loading.pipeline(settings) is loading.pipeline(settings_for(folders["wan2.2-t2v-a14b"], "wan2.2-t2v-a14b"))


def test_in_bfloat16_wans_vae_stays_in_float32(folders):
    import torch

    settings = settings_for(folders["wan2.2-ti2v-5b"], "wan2.2-ti2v-5b", dtype="bfloat16")
    pipe = loading.pipeline(settings)
    assert (pipe.transformer.dtype, pipe.text_encoder.dtype, pipe.vae.dtype) == (
        torch.bfloat16,
        torch.bfloat16,
        torch.float32,
    )
    video, _ = generate(settings, plan_for(settings))
    assert video.shape == (25, 32, 64, 3)


def test_a_missing_folder_and_a_broken_one_fail_with_their_codes(tmp_path, folders):
    with pytest.raises(ModelError) as missing:
        loading.pipeline(settings_for(tmp_path / "nowhere", "wan2.2-ti2v-5b"))
    assert missing.value.code == MODEL_NOT_FOUND and "does not exist" in missing.value.message
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError) as empty:
        loading.pipeline(settings_for(tmp_path / "empty", "wan2.2-ti2v-5b"))
    assert empty.value.code == MODEL_NOT_FOUND and "model_index.json" in empty.value.message
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model_index.json").write_text(json.dumps({"_class_name": "WanPipeline", "vae": ["diffusers", "X"]}))
    with pytest.raises(ModelError) as invalid:
        loading.pipeline(settings_for(broken, "wan2.2-ti2v-5b"))
    assert invalid.value.code == MODEL_INVALID


def test_16_fps_frames_become_an_mp4_of_exactly_the_asked_seconds(folders, tmp_path):
    settings = settings_for(folders["wan2.2-t2v-a14b"], "wan2.2-t2v-a14b")
    plan = plan_for(settings, seconds=2)
    video, _ = generate(settings, plan)
    assert video.shape[0] == 33  # 2 s at 16 fps, 4k+1
    path, poster, last = output.encode(video, plan.fps, plan.seconds, tmp_path / "out", "test")
    facts = probe(path.read_bytes())
    assert (facts.codec, facts.width, facts.height, facts.fps, facts.frames) == ("h264", 64, 32, 24, 48)
    assert poster.stat().st_size > 100 and last.stat().st_size > 100


def engine_task(task_id: str, seconds: int = 1) -> Task:
    asked = GenerationRequest("runway", "text_to_video", "m", "m", "1280:720", 1280, 720, seconds, "a cat")
    now = datetime.now(UTC)
    return Task(task_id, "key", asked, Status.RUNNING, now, now, seed=4, channel="tiny")


async def drive(engine: DiffusersEngine, task: Task, timeout: float = 60):
    update = await engine.start(task)
    deadline = time.monotonic() + timeout
    while update.status == Status.RUNNING and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        update = await engine.check(task)
    return update


async def test_out_of_memory_fails_the_task_with_its_code_and_the_next_task_runs(folders, tmp_path, monkeypatch):
    """No GPU here to fill: the pipeline call raises what torch raises when CUDA runs out."""
    import torch

    channel = ChannelConfig(
        "tiny",
        "diffusers",
        model_dir=str(folders["wan2.2-ti2v-5b"]),
        family="wan2.2-ti2v-5b",
        device="cpu",
        dtype="float32",
        steps=2,
        sizes=SIZES,
    )
    engine = DiffusersEngine(channel, storage=None, work_dir=tmp_path)  # type: ignore[arg-type]  (no inputs to fetch)
    real = run.generate

    def full(*args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(run, "generate", full)
    failed = await drive(engine, engine_task("oom"))
    assert (failed.status, failed.failure_code) == (Status.FAILED, OUT_OF_MEMORY)
    assert "out of memory" in failed.failure
    monkeypatch.setattr(run, "generate", real)
    done = await drive(engine, engine_task("next"))
    assert done.status == Status.SUCCEEDED
    assert [r.role for r in done.results] == ["video", "poster", "last_frame"]
    assert done.results[0].info.width == 64 and done.results[0].info.duration == pytest.approx(1.0)


async def test_a_worker_stopping_stops_the_run_without_failing_the_task(folders, tmp_path):
    channel = ChannelConfig(
        "tiny",
        "diffusers",
        model_dir=str(folders["wan2.2-ti2v-5b"]),
        family="wan2.2-ti2v-5b",
        device="cpu",
        dtype="float32",
        steps=5000,
        sizes=SIZES,
    )
    engine = DiffusersEngine(channel, storage=None, work_dir=tmp_path)  # type: ignore[arg-type]
    task = engine_task("stopping")
    await engine.start(task)
    job = engine._jobs[task.id]
    while job.progress == 0:
        await asyncio.sleep(0.05)
    await engine.close()
    await asyncio.wait([job.future], timeout=10)  # 5000 steps would take minutes
    assert isinstance(job.future.exception(), Cancelled)
    update = await engine.check(task)
    assert update.status == Status.RUNNING  # handed back by the worker, to run again elsewhere
