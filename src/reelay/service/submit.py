"""Creating a task: idempotency, routing, input images, then one transaction that saves it all."""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from reelay.domain.errors import IdempotencyConflict, InputError
from reelay.domain.request import GenerationRequest, ImageInput, ImageRef
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.media.fetch import FetchPolicy, check_url_syntax
from reelay.media.images import load_image
from reelay.service.pricing import Pricing
from reelay.store.keys import ApiKey
from reelay.store.tasks import IdempotencyClaim, IdempotencyMismatch, TaskStore


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

    async def submit(
        self, key: ApiKey, request: GenerationRequest, *, idempotency_key: str | None = None, request_hash: str = ""
    ) -> tuple[Task, bool]:
        """Returns (task, created). A repeated idempotent request returns the first task."""
        claim = None
        if idempotency_key:
            if len(idempotency_key) > 255:
                raise InputError("Idempotency-Key", "must be at most 255 characters")
            claim = IdempotencyClaim(idempotency_key, request_hash)
        if request.callback_url:
            field = "callback_url" if request.dialect == "pro" else "X-Reelay-Callback-Url"
            check_url_syntax(request.callback_url, field=field, policy=self.policy, allow_http=True)
        engine = self.engines.route(request)

        task_id = str(uuid.uuid4())
        request = replace(
            request,
            first_image=await self._load(task_id, "first", request.first_image),
            last_image=await self._load(task_id, "last", request.last_image),
        )
        now = datetime.now(timezone.utc)
        task = Task(
            id=task_id,
            api_key_id=key.id,
            request=request,
            status=Status.PENDING,
            created_at=now,
            updated_at=now,
            seed=request.seed if request.seed is not None else random.randint(0, 4294967295),
            engine=engine.name,
            points=self.pricing.points(request, engine.name),
        )
        try:
            task, created = await self.tasks.create(
                task, claim, window=self.settings.idempotency_hours * 3600, daily_limit=key.limits.daily_limit
            )
        except IdempotencyMismatch:
            raise IdempotencyConflict(
                "Idempotency-Key: this key was already used with a different request body.",
                field="Idempotency-Key",
            ) from None
        if created:
            self.on_created(task)
        return task, created

    async def _load(self, task_id: str, position: str, image: ImageInput | ImageRef | None) -> ImageRef | None:
        if not isinstance(image, ImageInput):
            return image
        loaded = await load_image(
            image.uri,
            field=image.field,
            policy=self.policy,
            url_max_bytes=self.settings.image_url_max_bytes,
            data_uri_max_bytes=self.settings.data_uri_max_bytes,
            max_pixels=self.settings.image_max_pixels,
        )
        key = f"inputs/{task_id}/{position}.{loaded.extension}"
        await self.storage.put_bytes(key, loaded.data, loaded.content_type)
        uri = image.uri if not image.uri.startswith("data:") else image.uri[:64] + "..."
        return ImageRef(uri=uri, key=key, width=loaded.width, height=loaded.height, content_type=loaded.content_type)
