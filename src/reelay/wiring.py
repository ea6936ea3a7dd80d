"""The one object that owns the wiring: settings → database, storage, stores, channels,
placement, worker, dispatcher. The server's lifespan, `reelay worker` and the admin commands all
build it the same way (`running` with the background loops, `opened` without)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from reelay.callbacks.dispatcher import Dispatcher
from reelay.callbacks.schedule import RetrySchedule
from reelay.config import ChannelConfig, ReelayConfig, load_config
from reelay.dialects import registry as dialects
from reelay.engines.base import Engine
from reelay.engines.diffusers.engine import DiffusersEngine
from reelay.engines.placement import Placement, RetryPolicy
from reelay.engines.registry import ChannelRegistry
from reelay.engines.sandbox.engine import SandboxEngine
from reelay.engines.upstream.openai_videos import OpenAIVideosEngine
from reelay.engines.upstream.relay import RelayEngine
from reelay.engines.upstream.runway import RunwayEngine
from reelay.media import frames_pool
from reelay.media.fetch import FetchPolicy
from reelay.metrics import Metrics
from reelay.service.limits import MemoryRateLimiter, RedisRateLimiter
from reelay.service.pricing import Pricing
from reelay.service.submit import Submitter
from reelay.service.tasks import TaskReader
from reelay.service.timeline import Timeline
from reelay.settings import Settings
from reelay.storage.base import Storage
from reelay.storage.local import LocalStorage
from reelay.storage.signing import UrlSigner
from reelay.store.callbacks import CallbackStore
from reelay.store.db import migrate, open_engine
from reelay.store.keys import KeyStore
from reelay.store.ledger import LedgerStore
from reelay.store.meta import get_or_create_secret
from reelay.store.relay_callbacks import RelayCallbackStore
from reelay.store.steps import StepStore
from reelay.store.task_search import TaskSearch
from reelay.store.tasks import TaskStore
from reelay.store.usage import UsageStore
from reelay.worker.runner import Worker


@dataclass
class Reelay:
    """Everything a request handler or the worker needs, built once per process."""

    settings: Settings
    db: AsyncEngine
    keys: KeyStore
    tasks: TaskStore
    storage: Storage  # LocalStorage, or S3Storage for an s3:// storage URL
    signer: UrlSigner
    engines: ChannelRegistry
    submitter: Submitter
    reader: TaskReader
    callbacks: CallbackStore
    ledger: LedgerStore
    relay_callbacks: RelayCallbackStore
    limiter: MemoryRateLimiter | RedisRateLimiter
    metrics: Metrics
    timeline: Timeline
    search: TaskSearch  # the console's task list
    usage: UsageStore  # the console's usage by day
    worker: Worker | None = None
    dispatcher: Dispatcher | None = None
    background: list[asyncio.Task] = field(default_factory=list)
    admin_key: str | None = None  # set only on the start that created it

    def start(self) -> None:
        """The background loops: the worker and the callback dispatcher (where settings want them)."""
        if self.worker:
            self.background.append(asyncio.create_task(self.worker.run(), name="worker"))
        if self.dispatcher:
            self.background.append(asyncio.create_task(self.dispatcher.run(), name="callbacks"))

    async def stop(self) -> None:
        """Hand the worker's tasks back and let the dispatcher finish its sends."""
        if self.worker:
            await self.worker.stop()
        if self.dispatcher:
            await self.dispatcher.stop()
        await asyncio.gather(*self.background, return_exceptions=True)
        self.background.clear()

    async def close(self) -> None:
        await self.engines.close()
        # The poster process, shared by this process's engines, stops here and not at exit: a
        # server stopped by SIGTERM dies of the signal (uvicorn raises it again), past exit handlers.
        await asyncio.to_thread(frames_pool.shutdown)
        await self.limiter.close()
        await self.storage.close()
        await self.db.dispose()


async def build(settings: Settings) -> Reelay:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = open_engine(settings.resolved_database_url)
    await migrate(db)
    keys = KeyStore(db)
    tasks = TaskStore(db)
    signer = UrlSigner(await get_or_create_secret(db, "url_signing_secret"), settings.url_ttl_seconds)
    storage = open_storage(settings, signer)
    config = load_config(settings.config)
    metrics = Metrics()
    relay_callbacks = RelayCallbackStore(db)
    engines = build_engines(config, settings, storage, signer, relay_callbacks)
    engines.on_failure = metrics.upstream_error
    pricing = Pricing(config.prices, {c.name: c.prices for c in config.channels})
    limiter = RedisRateLimiter(settings.redis_url) if settings.redis_url else MemoryRateLimiter()
    policy = FetchPolicy.from_settings(settings)
    callbacks = CallbackStore(db)
    ledger = LedgerStore(db)
    steps = StepStore(db)
    worker = dispatcher = None
    if settings.worker:
        retries = RetryPolicy(
            max_failover_rounds=settings.max_failover_rounds,
            retry_first_seconds=settings.retry_first_seconds,
            retry_max_seconds=settings.retry_max_seconds,
            throttle_check_seconds=settings.throttle_check_seconds,
            throttle_max_seconds=settings.throttle_max_seconds,
        )
        worker = Worker(
            tasks,
            storage,
            Placement(engines, keys, retries),
            lease_seconds=settings.lease_seconds,
            poll_seconds=settings.worker_poll_seconds,
            engine_names=engines.names_for_engines(settings.worker_engines) if settings.worker_engines else None,
            metrics=metrics,
            upload_sweep_seconds=settings.upload_sweep_seconds,
            steps=steps,
        )
        dispatcher = Dispatcher(
            callbacks,
            tasks,
            keys,
            storage,
            task_object=dialects.callback_object,
            base_url=settings.own_url,
            policy=policy,
            schedule=RetrySchedule(
                first_delay=settings.callback_first_retry_seconds,
                max_delay=settings.callback_max_retry_seconds,
                give_up_after=settings.callback_give_up_hours * 3600,
            ),
            timeout=settings.callback_timeout_seconds,
            per_host=settings.callback_per_host,
            max_in_flight=settings.callback_max_in_flight,
        )
    submitter = Submitter(
        settings, tasks, storage, engines, policy, pricing, on_created=(lambda task: worker.wake()) if worker else None
    )
    reelay = Reelay(
        settings,
        db,
        keys,
        tasks,
        storage,
        signer,
        engines,
        submitter,
        TaskReader(tasks),
        callbacks,
        ledger,
        relay_callbacks,
        limiter,
        metrics,
        Timeline(steps, callbacks, ledger, relay_callbacks),
        TaskSearch(db),
        UsageStore(db),
        worker,
        dispatcher,
    )
    return reelay


def open_storage(settings: Settings, signer: UrlSigner) -> Storage:
    if settings.storage_url.startswith("s3://"):
        from reelay.storage.s3 import S3Storage

        return S3Storage.from_settings(settings)
    return LocalStorage(settings.files_dir, signer)


def build_engines(
    config: ReelayConfig, settings: Settings, storage: Storage, signer: UrlSigner, relay_callbacks: RelayCallbackStore
) -> ChannelRegistry:
    """One engine per channel of the config file (one sandbox channel without a file)."""

    def hook_url(task_id: str) -> str:
        return f"{settings.own_url}/hooks/relay/{task_id}?token={signer.token(task_id)}"

    # Scratch space of this process alone: workers sharing a data dir never touch each other's
    # half-written files when one takes over a task from another that died.
    work_dir = settings.work_dir / f"process-{os.getpid()}"
    channels: list[tuple[ChannelConfig, Engine]] = []
    for channel in config.channels:
        engine: Engine
        if channel.engine == "sandbox":
            engine = SandboxEngine(
                storage, work_dir, settings.render_processes, name=channel.name, scale=settings.sandbox_scale
            )
        elif channel.engine == "diffusers":
            engine = DiffusersEngine(channel, storage, work_dir)
        elif channel.engine == "runway":
            engine = RunwayEngine(channel, storage, work_dir, public_url=settings.public_url)
        elif channel.engine == "openai-videos":
            engine = OpenAIVideosEngine(channel, storage, work_dir)
        else:
            engine = RelayEngine(channel, storage, work_dir, hook_url=hook_url, callbacks=relay_callbacks)
        channels.append((channel, engine))
    return ChannelRegistry(channels)


@asynccontextmanager
async def opened(settings: Settings) -> AsyncIterator[Reelay]:
    """Built and migrated, nothing running in the background (the admin commands)."""
    reelay = await build(settings)
    try:
        yield reelay
    finally:
        await reelay.close()


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Reelay]:
    """Built, with its worker and dispatcher running until the block ends (server, worker)."""
    async with opened(settings) as reelay:
        reelay.start()
        try:
            yield reelay
        finally:
            await reelay.stop()
