"""Waiting for tasks through either dialect."""

from __future__ import annotations

import time

import httpx

FINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}


def wait_official(client: httpx.Client, task_id: str, timeout: float = 120, until=FINAL, prefix: str = "/v1") -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        task = client.get(f"{prefix}/tasks/{task_id}").json()
        if task["status"] in until:
            return task
        time.sleep(0.2)
    raise AssertionError(f"task {task_id} did not reach {until} in {timeout}s: {task}")


def wait_pro(client: httpx.Client, task_id: str, timeout: float = 120) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        data = client.post("/runway/feed", json={"task_id": task_id}).json()["data"]
        if data["status"] in ("2", "3"):
            return data
        time.sleep(0.2)
    raise AssertionError(f"task {task_id} did not finish in {timeout}s: {data}")
