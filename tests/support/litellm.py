"""LiteLLM's proxy as a real process, from a virtual environment of its own (its dependencies
would clash with Reelay's): installed once from PyPI into ~/.cache/reelay-bench, then reused.
The gateway benchmark and the OpenAI dialect's tests share it."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .server import free_port

VERSION = "1.108.7"  # the newest 1.108.x whose [proxy] extra installs: later ones pin .post wheels PyPI lacks
CACHE = Path.home() / ".cache" / "reelay-bench"


def executable(version: str = VERSION) -> Path:
    """`litellm` of a virtual environment of its own, outside the project: made once, then reused."""
    venv = CACHE / f"litellm-{version}"
    installed = venv / ".installed"
    if not installed.exists():
        print(f"installing litellm[proxy]=={version} into {venv} (once)…", file=sys.stderr, flush=True)
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, f"litellm[proxy]=={version}"], check=True)
        installed.write_text(version + "\n")
    return venv / "bin" / "litellm"


def start(config: str, work: Path, version: str = VERSION) -> tuple[subprocess.Popen, str]:
    """The proxy serving `config` (its YAML) on a free loopback port, once it answers; its log is
    work/litellm.log."""
    program = executable(version)
    (work / "litellm.yaml").write_text(config)
    port = free_port()
    # The model cost map is read from the package, not fetched from GitHub (no internet here).
    env = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True")
    log = (work / "litellm.log").open("w")
    process = subprocess.Popen(
        [str(program), "--config", str(work / "litellm.yaml"), "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("litellm exited:\n" + (work / "litellm.log").read_text()[-3000:])
        with contextlib.suppress(httpx.HTTPError):  # not listening yet
            if httpx.get(url + "/health/liveliness", timeout=2).status_code == 200:
                return process, url
        time.sleep(0.5)
    stop(process)
    raise RuntimeError("litellm did not start:\n" + (work / "litellm.log").read_text()[-3000:])


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
