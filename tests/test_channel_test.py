"""The channel test: a real small task through exactly the named channel, pinned to it.

In this process: the app with its worker, a sandbox channel and a Runway channel whose upstream
refuses every connection (nothing listens on its port), which routing prefers."""

import functools
import socket
import time
from datetime import UTC, datetime

import pytest

from reelay.config import ChannelConfig
from reelay.domain import catalogue
from reelay.domain.errors import InputError
from reelay.domain.schedule import ScheduleState
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.engines.placement import Placement
from reelay.engines.registry import ChannelRegistry
from reelay.service import channel_test
from support.inprocess import make_app_client
from support.official import auth


def closed_port() -> int:
    """A port nothing listens on: a connection to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


CONFIG = """
[[channels]]
name = "refusing"
engine = "runway"
base_url = "http://127.0.0.1:{port}"
keys = ["key_test"]
priority = 10

[[channels]]
name = "sandbox"
engine = "sandbox"

[[channels]]
name = "veo-only"
engine = "sandbox"
models = ["veo3.1_fast"]
priority = -1

[[channels]]
name = "gen3-only"
engine = "sandbox"
models = ["gen3"]
priority = -1
"""


@pytest.fixture
def app(tmp_path):
    config = tmp_path / "reelay.toml"
    config.write_text(CONFIG.format(port=closed_port()))
    data = tmp_path / "data"
    with make_app_client(
        data, config=str(config), worker=True, sandbox_scale=0.25, render_processes=1, worker_poll_seconds=0.05
    ) as (client, key):
        reelay = client.app.state.reelay
        admin, plain = client.portal.call(functools.partial(reelay.keys.create, "admin", is_admin=True))
        client.admin = admin
        yield client, key, plain


def run_test(client, admin_key: str, channel: str):
    return client.post(f"/admin/channels/{channel}/test", headers={"Authorization": f"Bearer {admin_key}"})


def stored(client, task_id: str):
    return client.portal.call(client.app.state.reelay.tasks.get, task_id)


def wait_final(client, task_id: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = stored(client, task_id)
        if task.status.is_final:
            return task
        time.sleep(0.1)
    raise AssertionError(f"task {task_id} still {task.status} after {timeout} s")


def test_the_test_task_runs_on_the_named_channel_though_routing_prefers_another(app):
    client, _, admin = app
    answer = run_test(client, admin, "sandbox")
    assert answer.status_code == 200, answer.text
    made = answer.json()
    assert made["channel"] == "sandbox" and made["model"] == "gen4_turbo"
    task = wait_final(client, made["task_id"])
    assert (task.status.value, task.channel) == ("SUCCEEDED", "sandbox"), task.failure
    assert task.schedule.pinned and task.schedule.tried == ()
    assert task.results[0].kind == "video"
    # The smallest request gen4_turbo takes: its shortest duration and its ratio of fewest pixels,
    # from a picture (it has no text to video).
    row = catalogue.row(catalogue.IMAGE_TO_VIDEO, "gen4_turbo")
    assert task.request.seconds == row.durations[0]
    assert task.request.width * task.request.height == min(
        w * h for w, h in (catalogue.output_size(ratio) for ratio in row.ratios)
    )
    assert task.request.first_image is not None


def test_a_pinned_task_whose_channel_refuses_fails_there_and_is_not_moved(app):
    client, key, admin = app
    # An ordinary task is refused by the preferred channel and fails over to the sandbox ...
    body = {
        "model": "gen4_turbo",
        "promptImage": channel_test.picture(640, 360),
        "ratio": "1280:720",
        "duration": 2,
    }
    created = client.post("/v1/image_to_video", json=body, headers=auth(key))
    assert created.status_code == 200, created.text
    ordinary = created.json()["id"]
    moved = wait_final(client, ordinary)
    assert (moved.status.value, moved.channel, moved.schedule.tried) == ("SUCCEEDED", "sandbox", ("refusing",))
    # ... the channel test's task is not: the refusal is its result.
    answer = run_test(client, admin, "refusing")
    assert answer.status_code == 200, answer.text
    task = wait_final(client, answer.json()["task_id"])
    assert (task.status.value, task.channel) == ("FAILED", "refusing")
    assert task.failure_code == "INTERNAL.UPSTREAM_UNAVAILABLE"
    assert "refusing" in task.failure
    # The operator's view of the channels shows the refusals, and the sandbox that served the rest.
    channels = client.get("/admin/channels", headers={"Authorization": f"Bearer {admin}"}).json()["data"]
    by_name = {c["name"]: c for c in channels}
    assert by_name["refusing"]["failures"] >= 1
    assert "cannot connect" in by_name["refusing"]["recent_errors"][-1]["error"]
    assert by_name["refusing"]["keys"] == 1 and by_name["sandbox"]["live_tasks"] == 0


def test_the_request_fits_the_channels_models(app):
    client, _, admin = app
    veo = run_test(client, admin, "veo-only").json()
    task = stored(client, veo["task_id"])
    # veo3.1_fast has text to video: no picture; its shortest duration, its smallest ratio.
    row = catalogue.row(catalogue.TEXT_TO_VIDEO, "veo3.1_fast")
    assert (veo["channel"], veo["model"], task.request.kind) == ("veo-only", "veo3.1_fast", "text_to_video")
    assert task.request.inputs == () and task.request.seconds == row.durations[0]
    gen3 = run_test(client, admin, "gen3-only").json()
    task = stored(client, gen3["task_id"])
    # A pro name: the pro dialect's request, with a picture.
    assert (gen3["model"], task.request.dialect, task.request.engine_model) == ("gen3", "pro", "gen3a_turbo")
    assert task.request.seconds == min(catalogue.PRO_SECONDS) and task.request.first_image is not None
    assert wait_final(client, gen3["task_id"]).channel == "gen3-only"


def test_a_client_key_may_not_test_a_channel_and_an_unknown_channel_is_named(app):
    client, key, admin = app
    refused = run_test(client, key, "sandbox")
    assert refused.status_code == 403 and "admin key" in refused.json()["error"]
    unknown = run_test(client, admin, "no-such-channel")
    assert unknown.status_code == 400
    assert unknown.json()["error"] == "channel: no channel is named 'no-such-channel'"
    assert client.portal.call(client.app.state.reelay.tasks.counts_by_status_and_channel) == []


def test_a_channel_that_cannot_serve_a_request_is_refused_by_the_submitter(app):
    client, _, _ = app
    reelay = client.app.state.reelay
    request = channel_test._official(
        catalogue.row(catalogue.TEXT_TO_VIDEO, "gen4.5"),
        {"model": "gen4.5", "promptText": "x", "ratio": "1280:720", "duration": 2},
    )
    with pytest.raises(InputError) as refused:
        client.portal.call(functools.partial(reelay.submitter.submit, client.admin, request, channel="veo-only"))
    assert refused.value.field == "channel" and "veo-only" in refused.value.message


class Moves:
    """A fence that records where placement moves a task."""

    def __init__(self):
        self.moved: list[str] = []

    async def move(self, task, channel, schedule, retry_at=None):
        self.moved.append(channel)


class AnyRequest:
    name = "other"

    def supports(self, request):
        return True


async def test_a_pinned_task_whose_channel_left_the_config_fails_instead_of_moving():
    channels = ChannelRegistry([(ChannelConfig("other", "sandbox"), AnyRequest())])
    placement = Placement(channels, keys=None)
    request = channel_test.smallest_request(channels, "other")
    now = datetime.now(UTC)

    def on_gone_channel(pinned: bool) -> Task:
        return Task("t", "k", request, Status.PENDING, now, now, channel="gone", schedule=ScheduleState(pinned=pinned))

    ordinary = Moves()
    assert await placement.rehome(on_gone_channel(False), ordinary) is None  # driven on where it moved
    assert ordinary.moved == ["other"]
    pinned = Moves()
    update = await placement.rehome(on_gone_channel(True), pinned)
    assert pinned.moved == [] and update is not None
    assert update.status == Status.FAILED and "gone" in (update.failure or "")


def test_a_channel_test_is_free_on_a_priced_server(tmp_path):
    config = tmp_path / "reelay.toml"
    config.write_text('[[channels]]\nname = "sandbox"\nengine = "sandbox"\n\n[prices]\ngen4_turbo = 5\n')
    with make_app_client(tmp_path / "data", config=str(config), worker=True, sandbox_scale=0.25) as (client, _):
        reelay = client.app.state.reelay
        admin, plain = client.portal.call(functools.partial(reelay.keys.create, "admin", is_admin=True))
        body = {"model": "gen4_turbo", "promptImage": channel_test.picture(64, 36), "ratio": "1280:720", "duration": 2}
        refused = client.post("/v1/image_to_video", json=body, headers=auth(plain))
        assert refused.status_code == 400 and "credits" in refused.text  # the admin key holds no points
        answer = run_test(client, plain, "sandbox")
        assert answer.status_code == 200, answer.text
        task = wait_final(client, answer.json()["task_id"])
        assert (task.status.value, task.points) == ("SUCCEEDED", 0)
        assert client.portal.call(reelay.ledger.entries, admin.id) == []  # nothing charged, nothing refunded
