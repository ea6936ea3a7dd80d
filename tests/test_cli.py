"""The `reelay` command as a user runs it."""

import re
import subprocess
import time

import httpx
import pytest

from support.images import encode, gradient_image
from support.official import auth
from support.server import BIN, reelay_cli
from support.video import probe

pytestmark = pytest.mark.e2e  # real processes: make test-fast leaves these out


def test_keys_create_list_revoke(tmp_path):
    env = {"REELAY_DATA_DIR": str(tmp_path / "data"), "PATH": str(BIN)}
    created = reelay_cli("keys", "create", "--name", "ci", env=env).stdout.strip().splitlines()
    plain = created[-1]
    assert plain.startswith("rl_") and " " not in plain
    listed = reelay_cli("keys", "list", env=env).stdout
    assert plain[:10] in listed and "ci" in listed and "active" in listed
    assert plain not in listed  # only the prefix is ever shown again
    key_id = created[0].split()[2]
    reelay_cli("keys", "revoke", key_id, env=env)
    assert "revoked" in reelay_cli("keys", "list", env=env).stdout
    missing = subprocess.run([str(BIN / "reelay"), "keys", "revoke", "nope"], env=env, capture_output=True, text=True)
    assert missing.returncode == 1 and "No active key" in missing.stderr


def _generate(reelay, api_key, *args):
    return subprocess.run(
        [str(BIN / "reelay"), "generate", *args, "--server", reelay.url, "--key", api_key],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_generate_from_a_local_image_writes_the_video(reelay, api_key, tmp_path):
    image = tmp_path / "first.jpg"
    image.write_bytes(encode(gradient_image(500, 500), "JPEG"))
    out = tmp_path / "clip.mp4"
    result = _generate(
        reelay, api_key, "a slow push", "--image", str(image), "--ratio", "16:9", "--seconds", "3", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "SUCCEEDED" in result.stdout and "100%" in result.stdout
    facts = probe(out.read_bytes())
    assert (facts.width, facts.height, facts.frames) == (1280, 720, 72)


def test_generate_text_only(reelay, api_key, tmp_path):
    out = tmp_path / "title.mp4"
    result = _generate(reelay, api_key, "hello", "--ratio", "9:16", "--seconds", "2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert probe(out.read_bytes()).height == 1280


def test_generate_failure_exits_nonzero_with_the_reason(reelay, api_key, tmp_path):
    out = tmp_path / "never.mp4"
    result = _generate(reelay, api_key, "[sandbox:fail=SAFETY.INPUT.TEXT] nope", "--seconds", "2", "--out", str(out))
    assert result.returncode == 1
    assert "SAFETY.INPUT.TEXT" in result.stderr and "moderation" in result.stderr
    assert not out.exists()


def test_generate_bad_input_names_the_field(reelay, api_key, tmp_path):
    result = _generate(reelay, api_key, "x", "--seconds", "42", "--out", str(tmp_path / "x.mp4"))
    assert result.returncode == 1 and "duration" in result.stderr


def test_serve_prints_its_url_and_the_admin_key_once(reelay):
    assert any(line.startswith("Reelay listening on http://127.0.0.1:") for line in reelay.output)
    admin = reelay.admin_key()
    assert admin and admin.startswith("rl_")
    # The admin key is a working key.
    assert httpx.get(reelay.url + "/v1/organization", headers=auth(admin)).status_code == 200


def test_timeline_tells_a_tasks_story_from_the_database(reelay, api_key):
    created = httpx.post(
        reelay.url + "/runway/pro/generate",
        json={"prompt": "a cat", "model": "gen4_turbo", "ratio": "16:9", "callback_url": "https://example.com/cb"},
        headers=auth(api_key),
    )
    task_id = created.json()["data"]["task_id"]
    deadline = time.time() + 60
    while True:  # the worker writes its steps once a second, after the task ends
        shown = subprocess.run(
            [str(BIN / "reelay"), "timeline", task_id], env=reelay.env, capture_output=True, text=True
        )
        assert shown.returncode == 0, shown.stderr
        done = "RUNNING → SUCCEEDED" in shown.stdout and " callback " in shown.stdout  # its first attempt too
        if done or time.time() > deadline:
            break
        time.sleep(0.5)
    lines = shown.stdout.splitlines()
    assert lines[0] == f"task {task_id}  SUCCEEDED  gen4_turbo on sandbox"
    rows = [re.fullmatch(r"\S+\s+\+\s*[\d.]+ s\s+(\w+)\s+(.*)", line).groups() for line in lines[1:]]
    titles = [title for _, title in rows]
    assert {kind for kind, _ in rows} >= {"status", "engine", "callback"}
    assert titles[0] == "created: gen4_turbo on sandbox"
    assert "PENDING → RUNNING" in titles and titles.index("PENDING → RUNNING") < titles.index("RUNNING → SUCCEEDED")
    assert any(t.startswith("result copied to storage: 3 files") for t in titles)
    missing = subprocess.run(
        [str(BIN / "reelay"), "timeline", "no-such-task"], env=reelay.env, capture_output=True, text=True
    )
    assert missing.returncode == 1 and "does not exist" in missing.stderr
