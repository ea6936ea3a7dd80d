"""Creating a task: idempotency, routing, inputs, then one transaction that saves it all."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from reelay.domain.errors import IdempotencyConflict, InputError
from reelay.domain.footage import fit_to_footage
from reelay.domain.request import GenerationRequest
from reelay.domain.schedule import ScheduleState
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.media.fetch import FetchPolicy, check_url_syntax
from reelay.service.inputs import InputLoader
from reelay.service.outputs import fit_to_input
from reelay.service.pricing import Pricing
from reelay.service.stills import settle
from reelay.store.keys import ApiKey
from reelay.store.retries import CreateFingerprints
from reelay.store.tasks import IdempotencyClaim, IdempotencyMismatch, TaskStore

log = logging.getLogger("reelay")


def body_hash(route: str, body: Any) -> str:
    """Same route and same JSON (key order aside) give the same hash."""
    canonical = json.dumps([route, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Submitter:
    def __init__(
        self, settings, tasks: TaskStore, storage, engines, policy: FetchPolicy, pricing: Pricing, on_created=None
    ) -> None:
        self.settings = settings
        self.tasks = tasks
        self.storage = storage
        self.engines = engines
        self.policy = policy
        self.pricing = pricing
        self.on_created = on_created or (lambda task: None)
        self.fingerprints = CreateFingerprints(tasks.db)
        self.inputs = InputLoader(settings, storage, policy)
        self._next_sweep = 0.0
        self._sweeps: set[asyncio.Task] = set()

    async def submit(
        self,
        key: ApiKey,
        request: GenerationRequest,
        *,
        idempotency_key: str | None = None,
        request_hash: str = "",
        retry_count: int = 0,
        callback_field: str = "callback_url",
        channel: str | None = None,
        charge: bool = True,
    ) -> tuple[Task, bool]:
        """Returns (task, created). A repeated idempotent request returns the first task, and so
        does an SDK's retry (`retry_count` >= 1) of an identical create made within the window.
        `callback_field`: where the client put the callback URL, as its dialect names it.
        `channel`: the task runs on that channel or fails, never moved to another (a channel test).
        `charge=False`: the task costs no points (the operator's own channel test)."""
        claim = fingerprint = None
        if idempotency_key:
            if len(idempotency_key) > 255:
                raise InputError("Idempotency-Key", "must be at most 255 characters")
            claim = IdempotencyClaim(idempotency_key, request_hash)
        elif request_hash:
            fingerprint = request_hash
            if retry_count >= 1:
                # Before routing and image loading: the first attempt passed them, and a retry that
                # finds its task must not fail on a channel that has gone unhealthy since.
                since = time.time() - self.settings.sdk_retry_window_seconds
                earlier = await self.fingerprints.latest(key.id, fingerprint, since)
                if earlier is not None:
                    return earlier, False
        if request.callback_url:
            check_url_syntax(request.callback_url, field=callback_field, policy=self.policy, allow_http=True)
        engine = self.engines.route(request) if channel is None else self._pinned_to(channel, request)

        task_id = str(uuid.uuid4())
        forwards_body = getattr(engine, "forwards_body", None)
        if forwards_body is not None and forwards_body(request):
            # A relay sends the client's own body on (pro video2video, act_one): the upstream
            # fetches its files itself, so Reelay keeps none.
            inputs: tuple = ()
        else:
            inputs = await self.inputs.load_all(request.inputs, task_id=task_id, api_key_id=key.id)
        request = settle(fit_to_input(fit_to_footage(replace(request, inputs=inputs))))
        now = datetime.now(UTC)
        task = Task(
            id=task_id,
            api_key_id=key.id,
            request=request,
            status=Status.PENDING,
            created_at=now,
            updated_at=now,
            seed=request.seed if request.seed is not None else random.randint(0, 4294967295),
            channel=engine.name,
            points=self.pricing.points(request, engine.name) if charge else 0,
            schedule=ScheduleState(pinned=channel is not None),
        )
        try:
            task, created = await self.tasks.create(
                task,
                claim,
                window=self.settings.idempotency_hours * 3600,
                daily_limit=key.limits.daily_limit,
                fingerprint=fingerprint,
            )
        except IdempotencyMismatch:
            raise IdempotencyConflict(
                "Idempotency-Key: this key was already used with a different request body.",
                field="Idempotency-Key",
            ) from None
        if created:
            self.on_created(task)
        if fingerprint:
            self._expire_fingerprints()
        return task, created

    def _pinned_to(self, channel: str, request: GenerationRequest):
        """The engine of `channel`, which must serve the request; InputError naming `channel`."""
        if channel not in self.engines.channels:
            raise InputError("channel", f"no channel is named {channel!r}")
        engine = self.engines.get(channel)
        if not engine.supports(request) or not self.engines.config(channel).serves(request.model, request.engine_model):
            raise InputError("channel", f"{channel} does not serve {request.kind} with model {request.model}")
        return engine

    def _expire_fingerprints(self) -> None:
        """Forget creates older than the window, at most once a minute per process, so the table
        holds about one window of creates. In the background: no create waits for the sweep, nor
        loses its answer (after committing) to a failed one."""
        now = time.monotonic()
        if now < self._next_sweep:
            return
        window = self.settings.sdk_retry_window_seconds
        self._next_sweep = now + min(window, 60.0)
        sweep = asyncio.create_task(self.fingerprints.expire(time.time() - window))
        self._sweeps.add(sweep)  # a reference, or the loop may drop the task half-way
        sweep.add_done_callback(self._swept)

    def _swept(self, sweep: asyncio.Task) -> None:
        self._sweeps.discard(sweep)
        if not sweep.cancelled() and sweep.exception() is not None:
            log.warning("expiring create fingerprints failed: %r", sweep.exception())
