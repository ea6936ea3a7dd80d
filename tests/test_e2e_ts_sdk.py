"""Runway's TypeScript SDK (@runwayml/sdk, pinned in tests/ts/package-lock.json) as a client of
a real Reelay process: createEphemeral, imageToVideo.create().waitForTaskOutput(), and
tasks.delete then retrieve -> NotFoundError. The SDK is installed from npm once into a cache
folder (kept between sessions while the lock file is unchanged); without node the test skips."""

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest

from support.images import encode, gradient_image
from support.video import probe

pytestmark = pytest.mark.e2e

TS = Path(__file__).parent / "ts"


def _cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "reelay-tests"


@pytest.fixture(scope="session")
def ts_sdk() -> Path:
    """A folder whose node_modules holds the pinned SDK: `npm ci` once per lock file."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed: Runway's TypeScript SDK cannot run")
    lock = (TS / "package-lock.json").read_bytes()
    folder = _cache_root() / f"ts-sdk-{hashlib.sha256(lock).hexdigest()[:16]}"
    if (folder / "node_modules" / "@runwayml" / "sdk" / "package.json").is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Installed beside, then renamed: a half-done install is never taken for a finished one.
    scratch = Path(tempfile.mkdtemp(dir=folder.parent, prefix="installing-"))
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(TS / name, scratch / name)
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        pytest.fail(f"npm ci of Runway's TypeScript SDK failed:\n{done.stdout}\n{done.stderr}")
    try:
        scratch.rename(folder)
    except OSError:  # another session finished first: use its copy
        shutil.rmtree(scratch, ignore_errors=True)
    return folder


def test_the_typescript_sdk_uploads_waits_for_output_and_deletes(ts_sdk, reelay, api_key, tmp_path):
    image = tmp_path / "first-frame.jpg"
    image.write_bytes(encode(gradient_image(800, 500, seed=6), "JPEG"))
    env = {
        **os.environ,
        "REELAY_URL": reelay.url,
        "REELAY_API_KEY": api_key,
        "REELAY_TS_MODULES": str(ts_sdk),
    }
    run = subprocess.run(
        ["node", str(TS / "sdk_client.mjs"), str(image)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["uri"].startswith("runway://")
    assert seen["status"] == "SUCCEEDED"
    facts = probe(httpx.get(seen["output"][0]).content)
    assert (facts.width, facts.height, facts.frames) == (1280, 720, 48)
    assert seen["afterDelete"] == "NotFoundError"
