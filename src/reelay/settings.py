"""Every setting Reelay reads, with the embedded defaults (env prefix `REELAY_`)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REELAY_", extra="ignore")

    # Redis, for limits shared by every API process. Empty: limits are counted per process.
    redis_url: str = ""
    # The operator's config file (TOML): channels, prices. Empty: one sandbox channel.
    config: str = ""
    # Where every piece of state lives in the embedded mode: database, results, secrets.
    data_dir: Path = Path("./reelay-data")
    # SQLAlchemy async URL; empty means SQLite inside data_dir.
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    # The URL clients use to reach this server; signed file URLs are built on it.
    # Empty: derived from each request's own base URL.
    public_url: str = ""
    # Run the task worker inside the API process.
    worker: bool = True
    # Engine kinds this process's worker claims tasks for (sandbox, runway, relay); empty: all.
    worker_engines: list[str] = []
    # Processes that render sandbox videos.
    render_processes: int = 2
    # Tests and development only: the sandbox renders at this fraction of the requested size
    # (each side rounded to an even number of pixels, at least 16); frames, fps and duration are
    # unchanged. 1 renders the size asked for, as a real model does.
    sandbox_scale: float = Field(default=1.0, gt=0, le=1)
    # How long a worker's claim on a task lasts without a heartbeat, in seconds.
    lease_seconds: float = 30.0
    worker_poll_seconds: float = 0.2
    # When every channel refuses a create (429, 5xx, no connection), the task waits THROTTLED and
    # tries them all again: after the upstream's Retry-After, else after a wait doubling from
    # retry_first_seconds up to retry_max_seconds, until the channel's task_timeout_seconds.
    # max_failover_rounds > 0 fails it sooner, after that many rounds.
    max_failover_rounds: int = 0
    retry_first_seconds: float = 1.0
    retry_max_seconds: float = 30.0
    # A task waiting for a concurrency slot looks again after this long (longer the further back
    # in the line it is, up to throttle_max_seconds).
    throttle_check_seconds: float = 1.0
    throttle_max_seconds: float = 10.0
    # Where results live: empty = local disk in data_dir; "s3://bucket/prefix" = S3-compatible.
    storage_url: str = ""
    s3_endpoint_url: str = ""  # e.g. http://127.0.0.1:9000 for MinIO or moto; empty = AWS
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""  # empty: the usual AWS credential chain
    s3_secret_access_key: str = ""
    # Lifetime of signed result URLs, in seconds.
    url_ttl_seconds: int = 24 * 3600
    # Development only: allow http:// and loopback/private addresses for image and callback URLs.
    allow_private_urls: bool = False
    # curl-style DNS overrides "host:port:address", comma separated (split-horizon DNS, tests).
    resolve: str = ""
    # Extra CA bundle (PEM) trusted for https image and callback URLs.
    ca_bundle: str = ""
    image_url_max_bytes: int = 16 * 1024 * 1024
    data_uri_max_bytes: int = 5 * 1024 * 1024
    image_max_pixels: int = 40_000_000
    # Video and audio inputs (Runway's limits): by URL, by data URI, and how long they may run.
    # Video frames are held to image_max_pixels.
    video_url_max_bytes: int = 32 * 1024 * 1024
    audio_url_max_bytes: int = 32 * 1024 * 1024
    media_data_uri_max_bytes: int = 16 * 1024 * 1024
    video_max_seconds: float = 60.0
    audio_max_seconds: float = 60.0
    # A stored upload (runway:// URI) read as an input, any kind.
    upload_max_bytes: int = 200 * 1024 * 1024
    # How long a runway:// upload can be used after it was started (Runway: 24 hours).
    upload_ttl_seconds: int = 24 * 3600
    # How often each worker deletes the uploads whose time is up from storage.
    upload_sweep_seconds: float = 600.0
    fetch_timeout_seconds: float = 20.0
    # Pro dialect: refuse creates without callback_url (seed 001 behaviour).
    require_callback_url: bool = True
    # Official dialect: refuse /v1 requests without X-Runway-Version, as Runway does (/runwayml/v1
    # never requires it); false lets old clients that omit it in.
    require_runway_version: bool = True
    # OpenAI dialect (/v1/videos): the model when a create names none, and the operator's aliases
    # (a name clients send -> a catalogue model), e.g. REELAY_OPENAI_MODELS='{"sora-2": "veo3.1"}'.
    openai_default_model: str = "gen4.5"
    openai_models: dict[str, str] = {"sora-2": "gen4.5", "sora-2-pro": "veo3.1"}
    idempotency_hours: int = 24
    # How long a create retried by Runway's SDKs (x-stainless-retry-count >= 1, no
    # Idempotency-Key) returns the task an identical first attempt made, in seconds.
    sdk_retry_window_seconds: float = 600.0
    # Callbacks: per-attempt timeout, the retry schedule, and how many sends at once.
    callback_timeout_seconds: float = 10.0
    callback_first_retry_seconds: float = 5.0
    callback_max_retry_seconds: float = 3600.0
    callback_give_up_hours: float = 24.0
    callback_per_host: int = 4
    callback_max_in_flight: int = 256
    # How long a rotated signing secret keeps signing beside the new one.
    secret_overlap_hours: float = 24.0

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'reelay.db').resolve()}"

    @property
    def own_url(self) -> str:
        """Reelay's URL when no request tells it (signed URLs inside callbacks)."""
        return self.public_url.rstrip("/") if self.public_url else f"http://{self.host}:{self.port}"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def work_dir(self) -> Path:
        return self.data_dir / "work"
