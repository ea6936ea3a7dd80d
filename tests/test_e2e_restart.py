"""A server killed with SIGKILL mid-render loses nothing: after restart the task finishes, once."""

import time

import httpx
import pytest

from support.backends import sql
from support.official import auth
from support.server import ReelayProcess
from support.tasks import wait_official
from support.video import probe

pytestmark = pytest.mark.e2e  # real processes: make test-fast leaves these out


def test_task_running_at_sigkill_finishes_once_after_restart(tmp_path):
    server = ReelayProcess(tmp_path / "data", render_scale=None).start()  # full size: the size is checked
    restarted = None
    try:
        key = server.create_key()
        http = httpx.Client(base_url=server.url, headers=auth(key))
        task_id = http.post(
            "/v1/text_to_video",
            json={"model": "gen4.5", "promptText": "[sandbox:delay=4] survive", "ratio": "1280:720", "duration": 3},
        ).json()["id"]
        wait_official(http, task_id, until={"RUNNING"}, timeout=30)
        server.kill()

        status, owner = sql(tmp_path / "data", "select status, lease_owner from tasks where id = :id", id=task_id)[0]
        assert status == "RUNNING" and owner is not None  # left mid-flight, lease held by the dead process

        restarted = ReelayProcess(tmp_path / "data", port=server.port, render_scale=None).start()
        task = wait_official(http, task_id, timeout=90)
        assert task["status"] == "SUCCEEDED"
        facts = probe(httpx.get(task["output"][0]).content)
        assert (facts.width, facts.height, facts.frames) == (1280, 720, 72)
        time.sleep(1.5)  # nothing may touch the task after it ended
        status, _updated, attempts = sql(
            tmp_path / "data", "select status, updated_at, attempts from tasks where id = :id", id=task_id
        )[0]
        assert status == "SUCCEEDED" and attempts == 2  # claimed once per process, finished once
        assert wait_official(http, task_id)["status"] == "SUCCEEDED"
        assert restarted.admin_key() is None  # the admin key is printed on the first start only
    finally:
        server.stop()  # if it was not killed: a failure before the kill
        if restarted is not None:
            restarted.stop()
