"""The dispatcher keeps a host's sending slots busy without passing its limit, in order per task,
and never sends a delivery whose lease could run out during the send."""

import asyncio
import json
import time

from reelay.callbacks.dispatcher import Dispatcher
from reelay.callbacks.schedule import RetrySchedule
from reelay.dialects.registry import task_object
from reelay.domain.status import Status
from reelay.media.fetch import FetchPolicy
from reelay.storage.signing import UrlSigner
from reelay.store.callbacks import CallbackStore
from reelay.store.keys import KeyStore
from test_outbox import new_task, rows, store  # noqa: F401  (the store fixture)


class SlowReceiver:
    """An HTTP/1.1 receiver on 127.0.0.1 that answers each POST 204 after `delay` seconds and
    records what it heard and how many requests it held at once."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.heard: list[tuple[str, str, float]] = []  # (webhook-id, the body's status, when)
        self.open = 0
        self.most_open = 0

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/hook"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                lines = head.decode().split("\r\n")
                headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers["content-length"]))
                self.open += 1
                self.most_open = max(self.most_open, self.open)
                await asyncio.sleep(self.delay)
                self.open -= 1
                self.heard.append((headers["webhook-id"], json.loads(body)["status"], time.monotonic()))
                writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def stop(self) -> None:
        self.server.close()


def dispatcher(tasks, db, *, per_host: int, timeout: float = 10.0) -> Dispatcher:
    return Dispatcher(
        CallbackStore(db),
        tasks,
        KeyStore(db),
        UrlSigner("x" * 64, 3600),
        task_object=task_object,
        base_url="http://127.0.0.1:8000",
        policy=FetchPolicy(allow_private=True),
        schedule=RetrySchedule(),
        timeout=timeout,
        per_host=per_host,
        poll_seconds=0.05,
    )


async def finished_tasks(tasks, key, url: str, count: int) -> list[str]:
    ids = [await new_task(tasks, key, callback_url=url) for _ in range(count)]
    for task_id in ids:
        assert await tasks.transition(task_id, Status.RUNNING)
        assert await tasks.transition(task_id, Status.SUCCEEDED)
    return ids


async def until_delivered(path, count: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = await rows(path, "select count(*) from callback_deliveries where state = 'delivered'")
        if found[0][0] == count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not all {count} deliveries were delivered in {seconds} s")


async def test_a_host_gets_at_most_its_slots_and_each_task_is_heard_in_order(store):  # noqa: F811
    tasks, key, path = store
    receiver = SlowReceiver(delay=0.02)
    url = await receiver.start()
    await finished_tasks(tasks, key, url, 20)
    sender = dispatcher(tasks, tasks.db, per_host=3)
    running = asyncio.create_task(sender.run())
    try:
        await until_delivered(path, 40, 30)
    finally:
        await sender.stop()
        await running
        await receiver.stop()

    assert receiver.most_open == 3  # the slots were kept full, and never passed
    assert len({webhook_id for webhook_id, _, _ in receiver.heard}) == 40  # each delivery once
    events = {d: (task, seq) for d, task, seq in await rows(path, "select id, task_id, seq from callback_deliveries")}
    by_task: dict[str, list[int]] = {}
    for webhook_id, _, _ in receiver.heard:
        task_id, seq = events[webhook_id]
        by_task.setdefault(task_id, []).append(seq)
    assert list(by_task.values()) == [[1, 2]] * 20  # RUNNING heard before SUCCEEDED, for every task


async def test_a_delivery_whose_lease_would_run_out_in_the_queue_waits_for_a_new_lease(store):  # noqa: F811
    tasks, key, path = store
    # One slot, 0.25 s a POST, a 0.2 s timeout: the lease is 0.6 s and a delivery may start only
    # within 0.4 s of it. Of the 8 leased at once, the later ones must not be sent on the old
    # lease: they are leased again, by a second dispatcher sending to the same host meanwhile.
    receiver = SlowReceiver(delay=0.1)
    url = await receiver.start()
    await finished_tasks(tasks, key, url, 8)
    senders = [dispatcher(tasks, tasks.db, per_host=1, timeout=0.2) for _ in range(2)]
    running = [asyncio.create_task(sender.run()) for sender in senders]
    try:
        await until_delivered(path, 16, 60)
    finally:
        for sender in senders:
            await sender.stop()
        await asyncio.gather(*running)
        await receiver.stop()

    heard = [webhook_id for webhook_id, _, _ in receiver.heard]
    assert sorted(heard) == sorted(set(heard))  # no delivery sent twice: none outlived its lease
    assert receiver.most_open <= 2  # one slot per dispatcher
    attempts = await rows(path, "select count(*) from callback_attempts")
    assert attempts == [(16,)]
