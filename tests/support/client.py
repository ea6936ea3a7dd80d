"""One client for a Reelay server in both dialects, as the suite's tests talk to it.

client = ReelayClient(server.url, server.create_key())
task_id = client.pro(prompt="a cat", model="gen4_turbo", options={"seconds": 5})
done = client.wait_pro(task_id)                      # the pro task object, finished
task = client.wait_official(client.official("/v1/text_to_video", model="veo3.1", ...))
"""

from __future__ import annotations

import httpx

from .official import auth
from .tasks import FINAL, wait_official, wait_pro

PRO_CALLBACK = "https://example.com/cb"  # the pro dialect needs one; a test that reads callbacks passes its own


class ReelayClient:
    def __init__(self, url: str, key: str, *, timeout: float = 30, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.key = key
        self.account: dict = {}  # the admin API's answer when made by with_new_key: id, signing_secret…
        self.http = httpx.Client(base_url=url, headers={**auth(key), **(headers or {})}, timeout=timeout)

    @classmethod
    def with_new_key(cls, server, name: str = "test", **fields) -> ReelayClient:
        """A client on a key the server's admin API makes (see ReelayProcess.new_key)."""
        account = server.new_key(name, **fields)
        client = cls(server.url, account["key"])
        client.account = account
        return client

    # -- the pro dialect (POST /runway/pro/generate, /runway/feed) -----------------------------

    def pro_create(self, **body) -> httpx.Response:
        return self.http.post("/runway/pro/generate", json={"callback_url": PRO_CALLBACK, **body})

    def pro(self, **body) -> str:
        """Creates a task; returns its id (the answer must be a 200)."""
        answer = self.pro_create(**body)
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]["task_id"]

    def feed(self, task_id: str) -> dict:
        return self.http.post("/runway/feed", json={"task_id": task_id}).json()["data"]

    def wait_pro(self, task_id: str, timeout: float = 120) -> dict:
        return wait_pro(self.http, task_id, timeout)

    # -- Runway's official dialect (/v1/...) ---------------------------------------------------

    def official(self, path: str, **body) -> str:
        """Creates a task at `path` (e.g. /v1/text_to_video); returns its id (must be a 200)."""
        answer = self.http.post(path, json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()["id"]

    def task(self, task_id: str) -> dict:
        return self.http.get(f"/v1/tasks/{task_id}").json()

    def wait_official(self, task_id: str, timeout: float = 120, until=FINAL) -> dict:
        return wait_official(self.http, task_id, timeout, until)

    def close(self) -> None:
        self.http.close()
