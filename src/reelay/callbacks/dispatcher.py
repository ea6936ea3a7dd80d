"""Delivering the outbox: signed POSTs, retried with backoff, in order per task.

Runs beside the worker. Each delivery is leased before it is sent, so several processes can
dispatch at once; a process that dies mid-send loses its leases and the rows are sent again
(at least once, never skipped). Concurrency is bounded per destination host, so one slow
receiver holds back only its own deliveries; a few deliveries per host are leased ahead and
wait for a sending slot, so a host's slots never idle between the loop's rounds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter
from dataclasses import replace
from urllib.parse import urlsplit

import httpx

from reelay.domain.errors import InputError
from reelay.domain.task import Task
from reelay.media.fetch import FetchPolicy, check_url_syntax, describe_failure
from reelay.storage.results import result_urls
from reelay.store.callbacks import DEAD, DELIVERED, PENDING, CallbackStore, Delivery, Outcome
from reelay.store.db import BACKGROUND
from reelay.store.keys import KeyStore
from reelay.store.tasks import TaskStore

from . import payload
from .schedule import RetrySchedule
from .signing import signature_header
from .transport import ANSWER_KEPT, CallbackClient

SENT_KEPT = 2000  # of each body posted, for the task's timeline

log = logging.getLogger("reelay.callbacks")
GATHER_SECONDS = 0.005
# Deliveries leased ahead per sending slot of a host: a slot that frees takes the next at once,
# instead of waiting for the loop's next round of queries (which capped a host at 4 slots to
# about 160 deliveries a second). A slow host still holds only its own share of max_in_flight.
QUEUED_PER_SLOT = 8
# Rows read per round: enough to pass over the hosts already full, not the whole backlog.
CANDIDATES_PER_ROUND = 128


class Dispatcher:
    def __init__(
        self,
        callbacks: CallbackStore,
        tasks: TaskStore,
        keys: KeyStore,
        storage,
        *,
        task_object: payload.TaskObject,
        base_url: str,
        policy: FetchPolicy,
        schedule: RetrySchedule,
        timeout: float = 10.0,
        per_host: int = 4,
        max_in_flight: int = 256,
        poll_seconds: float = 0.2,
    ) -> None:
        self.callbacks = callbacks
        self.tasks = tasks
        self.keys = keys
        self.storage = storage
        self.task_object = task_object
        self.base_url = base_url
        self.policy = replace(policy, timeout=timeout)
        self.schedule = schedule
        self.per_host = per_host
        self.max_in_flight = max_in_flight
        self.poll_seconds = poll_seconds
        self.lease_seconds = timeout * 3
        self.owner = f"dispatcher-{uuid.uuid4().hex[:12]}"
        self.in_flight: dict[str, asyncio.Task] = {}
        self.per_host_in_flight: Counter[str] = Counter()
        self._client: CallbackClient | None = None
        self._stopping = asyncio.Event()
        self._slot_freed = asyncio.Event()
        self._outcomes: list[Outcome] = []  # written in batches: one transaction for many sends
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._refusals: dict[str, str | None] = {}  # by URL: why it may not be called, or None

    async def run(self) -> None:
        BACKGROUND.set(True)  # for this task and every send it starts: clients' writes go first
        self._client = CallbackClient(self.policy, keep_alive_per_host=self.per_host)
        try:
            while not self._stopping.is_set():
                try:
                    await self._settle_outcomes()
                    await self._dispatch_due()
                except Exception:
                    log.exception("dispatching callbacks failed; retrying")
                # Look again at the next poll, or as soon as a send ends and frees a slot.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._slot_freed.wait(), self.poll_seconds)
                    # Let the sends ending about now end too: one settle and one lease for them
                    # all, instead of a round of queries for each.
                    await asyncio.sleep(GATHER_SECONDS)
                self._slot_freed.clear()
        finally:
            await asyncio.gather(*self.in_flight.values(), return_exceptions=True)
            await self._settle_outcomes()
            await self._client.aclose()

    async def stop(self) -> None:
        self._stopping.set()
        self._slot_freed.set()

    async def _dispatch_due(self) -> None:
        room = self.max_in_flight - len(self.in_flight)
        if room <= 0:
            return
        chosen: list[tuple[Delivery, str]] = []
        planned = Counter(self.per_host_in_flight)
        for delivery in await self.callbacks.candidates(min(room * 3, CANDIDATES_PER_ROUND)):
            host = urlsplit(delivery.url).hostname or ""
            if delivery.id in self.in_flight or planned[host] >= self.per_host * QUEUED_PER_SLOT:
                continue
            planned[host] += 1
            chosen.append((delivery, host))
            if len(chosen) >= room:
                break
        taken = await self.callbacks.lease([d.id for d, _ in chosen], self.owner, self.lease_seconds)
        leased_at = time.monotonic()
        tasks = await self.tasks.get_many([d.task_id for d, _ in chosen if d.id in taken])
        # One look-up per API key for the whole batch, not one per delivery.
        secrets = {
            key_id: await self.keys.signing_secrets(key_id)
            for key_id in {d.api_key_id for d, _ in chosen if d.id in taken}
        }
        for delivery, host in chosen:
            if delivery.id in taken:
                self.per_host_in_flight[host] += 1
                task = tasks.get(delivery.task_id)
                self.in_flight[delivery.id] = asyncio.create_task(
                    self._deliver(delivery, task, secrets[delivery.api_key_id], host, leased_at)
                )

    async def _settle_outcomes(self) -> None:
        outcomes, self._outcomes = self._outcomes, []
        await self.callbacks.settle(self.owner, outcomes)

    async def _deliver(
        self, delivery: Delivery, task: Task | None, secrets: list[str], host: str, leased_at: float
    ) -> None:
        try:
            async with self._host_slot(host):
                # A delivery that waited for its slot so long that its lease could run out during
                # the send is left alone: it is leased again (here or elsewhere) and sent then.
                if time.monotonic() - leased_at < self.lease_seconds - self.policy.timeout:
                    await self._attempt(delivery, task, secrets)
        except Exception:
            log.exception("delivery %s failed unexpectedly; its lease will run out and it is retried", delivery.id)
        finally:
            self.per_host_in_flight[host] -= 1
            left = self.per_host_in_flight[host]
            if not left:
                # The host's last delivery: forget the host, so these maps (copied every round)
                # hold only the hosts being sent to, not every host ever called.
                del self.per_host_in_flight[host]
                self._host_slots.pop(host, None)
            self.in_flight.pop(delivery.id, None)
            # The loop leases more once the queue has room for a batch, not after every send.
            if left <= self.per_host * QUEUED_PER_SLOT // 2:
                self._slot_freed.set()

    def _host_slot(self, host: str) -> asyncio.Semaphore:
        slot = self._host_slots.get(host)
        if slot is None:
            slot = self._host_slots[host] = asyncio.Semaphore(self.per_host)
        return slot

    async def _attempt(self, delivery: Delivery, task: Task | None, secrets: list[str]) -> None:
        started = time.time()
        status, error, sent, answer = await self._post(delivery, task, secrets)
        now = time.time()
        if status is not None and 200 <= status < 300:
            state, next_at = DELIVERED, None
        else:
            next_at = self.schedule.next_attempt(delivery.attempts + 1, delivery.created_at, now)
            state = PENDING if next_at is not None else DEAD
            log.info("callback %s to %s failed (%s); %s", delivery.id, delivery.url, error, state)
        self._outcomes.append(
            Outcome(delivery.id, started, (now - started) * 1000, status, error, state, next_at, sent, answer)
        )

    def _refusal(self, url: str) -> str | None:
        """Why this URL may not be called, or None. Checked at send time (the rules that held at
        the create may have changed), and remembered: the answer depends on the URL and this
        dispatcher's rules alone (names are vetted as each connection resolves them)."""
        if url not in self._refusals:
            if len(self._refusals) >= 4096:
                self._refusals.clear()
            try:
                check_url_syntax(url, field="callback_url", policy=self.policy, allow_http=True)
                self._refusals[url] = None
            except InputError as refused:
                self._refusals[url] = refused.message
        return self._refusals[url]

    async def _post(
        self, delivery: Delivery, task: Task | None, secrets: list[str]
    ) -> tuple[int | None, str | None, str | None, str | None]:
        """(HTTP status, error, what was sent, what came back): the two texts shortened, for the timeline."""
        if task is None:
            return None, "the task no longer exists", None, None
        refused = self._refusal(delivery.url)
        if refused is not None:
            return None, refused, None, None
        body = payload.render(
            task, delivery.event_status, result_urls(task, self.storage, self.base_url), self.task_object
        )
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "user-agent": "Reelay-Webhooks",
            "webhook-id": delivery.id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature_header(secrets, delivery.id, timestamp, body),
        }
        assert self._client is not None, "deliveries are sent only from run(), which makes the client first"
        sent = _excerpt(body, SENT_KEPT)
        try:
            reply = await self._client.post(delivery.url, body, headers)
        except Exception as failure:
            return None, describe_failure(failure, httpx.URL(delivery.url), self.policy), sent, None
        error = None if 200 <= reply.status < 300 else f"HTTP {reply.status}"
        return reply.status, error, sent, _excerpt(reply.answer, ANSWER_KEPT) or None


def _excerpt(data: bytes, limit: int) -> str:
    text = data[:limit].decode("utf-8", errors="replace")
    return text + "…" if len(data) > limit else text
