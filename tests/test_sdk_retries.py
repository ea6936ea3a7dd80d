"""Runway's SDKs retry creates without an idempotency key: a retry whose first attempt committed
(only the answer was lost) gets that task back, charged once; creates that are not retries stay
distinct tasks."""

import contextlib
import re
import socket
import threading
import time

import httpx
import pytest
from runwayml import RunwayML

from support.inprocess import count_rows, make_app_client
from support.official import auth
from support.processes import starts_processes
from support.server import ReelayProcess

PRICES = """
[[channels]]
name = "sandbox"
engine = "sandbox"

[prices]
gen4_turbo = 1
"veo3.1" = 2
"""

TEXT = {"model": "veo3.1", "promptText": "a lighthouse at dusk", "ratio": "1280:720", "duration": 4}  # 8 points
PRO = {"callback_url": "https://example.com/cb", "prompt": "a cat", "model": "gen4_turbo", "options": {"seconds": 5}}


class AnswerLosingProxy:
    """TCP between a client and Reelay. For the next `lose` POSTs it forwards the request in full,
    waits for Reelay's answer to begin (the create has committed by then), and closes the client's
    connection instead of passing the answer on: the network failing at the worst moment."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.lose = 0
        self.lost = 0
        self.retry_counts: list[str | None] = []  # x-stainless-retry-count of every POST, in order
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        _close(self._listener)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.target_port))
        drop = threading.Event()

        def upward() -> None:
            try:
                while data := client.recv(65536):
                    if data.startswith(b"POST "):
                        self._saw_post(data, drop)
                    upstream.sendall(data)
                upstream.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        threading.Thread(target=upward, daemon=True).start()
        try:
            while data := upstream.recv(65536):
                if drop.is_set():
                    with self._lock:
                        self.lost += 1
                    break
                client.sendall(data)
        except OSError:
            pass
        finally:
            _close(client)
            _close(upstream)

    def _saw_post(self, head: bytes, drop: threading.Event) -> None:
        found = re.search(rb"(?im)^x-stainless-retry-count:\s*(\d+)", head)
        with self._lock:
            self.retry_counts.append(found.group(1).decode() if found else None)
            if self.lose > 0:
                self.lose -= 1
                drop.set()  # before the request goes on, so the answer cannot slip through


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked on it
    sock.close()


@pytest.fixture(scope="module")
@starts_processes
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("retries")
    config = data / "reelay.toml"
    config.write_text(PRICES)
    # No worker: tasks stay pending, nothing renders; only creates and charges matter here.
    process = ReelayProcess(data / "data", extra_env={"REELAY_CONFIG": str(config), "REELAY_WORKER": "false"}).start()
    yield process
    process.stop()


@pytest.fixture
def account(server):
    """A fresh key with 100 points: (key id, plain key)."""
    answer = httpx.post(
        server.url + "/admin/keys",
        json={"name": "retries", "points": 100},
        headers={"Authorization": f"Bearer {server.admin_key()}"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["id"], answer.json()["key"]


@pytest.fixture
def proxy(server):
    losing = AnswerLosingProxy(server.port)
    yield losing
    losing.close()


def charges(server, key_id: str) -> list[str]:
    """Task ids of the key's charges, from the admin ledger."""
    answer = httpx.get(
        f"{server.url}/admin/keys/{key_id}/ledger", headers={"Authorization": f"Bearer {server.admin_key()}"}
    )
    assert answer.status_code == 200, answer.text
    return [e["task_id"] for e in answer.json()["data"] if e["kind"] == "charge"]


def organization(server, key: str) -> tuple[int, int]:
    """(credit balance, tasks created in the last 24 hours) as the key sees them."""
    body = httpx.get(server.url + "/v1/organization", headers=auth(key)).json()
    return body["creditBalance"], sum(m["dailyGenerations"] for m in body["usage"]["models"].values())


def test_sdk_retry_after_a_lost_answer_returns_the_committed_task(server, account, proxy):
    key_id, key = account
    proxy.lose = 1
    client = RunwayML(base_url=proxy.url, api_key=key, max_retries=2, _strict_response_validation=True)
    created = client.text_to_video.create(**_sdk_args())
    assert proxy.lost == 1 and proxy.retry_counts == ["0", "1"]  # the first answer really was lost
    assert charges(server, key_id) == [created.id]
    assert organization(server, key) == (100 - 8, 1)
    assert client.tasks.retrieve(created.id).status == "PENDING"


def test_a_pro_create_retried_with_the_header_returns_the_same_task(server, account, proxy):
    key_id, key = account
    headers = {**auth(key), "x-stainless-retry-count": "0"}
    proxy.lose = 1
    with pytest.raises(httpx.TransportError):
        httpx.post(proxy.url + "/runway/pro/generate", json=PRO, headers=headers)
    retried = httpx.post(
        server.url + "/runway/pro/generate", json=PRO, headers={**headers, "x-stainless-retry-count": "1"}
    )
    assert retried.status_code == 200, retried.text
    task_id = retried.json()["data"]["task_id"]
    assert charges(server, key_id) == [task_id]
    assert organization(server, key) == (100 - 5, 1)


def test_identical_creates_that_are_not_retries_are_two_tasks_and_two_charges(server, account):
    key_id, key = account
    client = RunwayML(base_url=server.url, api_key=key, max_retries=0)  # sends retry count 0
    sdk = [client.text_to_video.create(**_sdk_args()).id for _ in range(2)]
    http = httpx.Client(base_url=server.url, headers=auth(key))  # no x-stainless-retry-count at all
    plain = [http.post("/runway/pro/generate", json=PRO).json()["data"]["task_id"] for _ in range(2)]
    assert len(set(sdk + plain)) == 4
    assert sorted(charges(server, key_id)) == sorted(sdk + plain)
    assert organization(server, key) == (100 - 2 * 8 - 2 * 5, 4)


def test_a_retry_with_another_body_is_a_new_task(server, account):
    key_id, key = account
    http = httpx.Client(base_url=server.url, headers=auth(key))
    first = http.post("/v1/text_to_video", json=TEXT, headers={"x-stainless-retry-count": "0"}).json()["id"]
    other = http.post(
        "/v1/text_to_video", json={**TEXT, "promptText": "another prompt"}, headers={"x-stainless-retry-count": "1"}
    ).json()["id"]
    again = http.post("/v1/text_to_video", json=TEXT, headers={"x-stainless-retry-count": "2"}).json()["id"]
    assert other != first and again == first
    assert sorted(charges(server, key_id)) == sorted([first, other])
    assert organization(server, key) == (100 - 16, 2)


def test_a_retry_by_another_key_is_a_new_task(server, account):
    _, key = account
    other_key = httpx.post(
        server.url + "/admin/keys", json={"points": 100}, headers={"Authorization": f"Bearer {server.admin_key()}"}
    ).json()["key"]
    mine = httpx.post(server.url + "/v1/text_to_video", json=TEXT, headers=auth(key)).json()["id"]
    theirs = httpx.post(
        server.url + "/v1/text_to_video",
        json=TEXT,
        headers={**auth(other_key), "x-stainless-retry-count": "1"},
    ).json()["id"]
    assert mine != theirs


def test_a_retry_after_the_window_is_a_new_task_and_old_fingerprints_go(tmp_path):
    with make_app_client(tmp_path, sdk_retry_window_seconds=0.5) as (client, key):
        client.headers["Authorization"] = f"Bearer {key}"

        def create(retry: str) -> str:
            answer = client.post("/v1/text_to_video", json=TEXT, headers={"x-stainless-retry-count": retry})
            assert answer.status_code == 200, answer.text
            return answer.json()["id"]

        first = create("0")
        assert create("1") == first
        assert count_rows(tmp_path, "create_fingerprints") == count_rows(tmp_path, "tasks") == 1
        time.sleep(0.7)
        late = create("1")
        assert late != first
        assert create("2") == late
        # The sweep after the late create (in the background) leaves only the late task's row.
        deadline = time.monotonic() + 5
        while count_rows(tmp_path, "create_fingerprints") != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert count_rows(tmp_path, "create_fingerprints") == 1
        assert count_rows(tmp_path, "tasks") == 2


def test_a_deleted_task_is_not_returned_to_a_retry(tmp_path):
    with make_app_client(tmp_path) as (client, key):
        client.headers["Authorization"] = f"Bearer {key}"
        first = client.post("/v1/text_to_video", json=TEXT).json()["id"]
        assert client.delete(f"/v1/tasks/{first}").status_code == 204  # cancels the pending task, and deletes it
        again = client.post("/v1/text_to_video", json=TEXT, headers={"x-stainless-retry-count": "1"}).json()["id"]
        assert again != first
        assert client.get(f"/v1/tasks/{again}").json()["status"] == "PENDING"


def _sdk_args() -> dict:
    return {
        "model": TEXT["model"],
        "prompt_text": TEXT["promptText"],
        "ratio": TEXT["ratio"],
        "duration": TEXT["duration"],
    }
