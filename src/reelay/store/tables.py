"""The schema, as SQLAlchemy Core tables. Changes go through a migration in migrations/versions."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False, server_default=""),
    # sha256 of the key: the plain key is shown once and never stored.
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("is_admin", Boolean, nullable=False, server_default="0"),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float, nullable=True),
    # Standard Webhooks signing secrets ("whsec_..."); the previous one stays valid for a while
    # after a rotation so receivers can switch without losing deliveries.
    Column("signing_secret", String(80), nullable=True),
    Column("previous_signing_secret", String(80), nullable=True),
    Column("previous_secret_expires_at", Float, nullable=True),
    # Points: the balance is kept beside the ledger and changed only with a ledger entry, in the
    # same transaction, so the two never disagree.
    Column("balance", Integer, nullable=False, server_default="0"),
    # Limits; null means none.
    Column("max_concurrent", Integer, nullable=True),
    Column("rate_limit_per_second", Float, nullable=True),
    Column("daily_limit", Integer, nullable=True),
    Column("monthly_spend_limit", Integer, nullable=True),
)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("api_key_id", String(36), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # charge | refund | topup | adjustment
    Column("amount", Integer, nullable=False),  # signed: a charge is negative
    Column("task_id", String(36), nullable=True),
    Column("model", String(50), nullable=True),
    Column("note", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Index("ix_ledger_entries_task", "task_id"),  # a task's charge and refund, for its timeline
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("api_key_id", String(36), ForeignKey("api_keys.id"), nullable=False),
    Column("model", String(50), nullable=False),
    Column("request", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("progress", Float, nullable=False, server_default="0"),
    Column("seed", BigInteger, nullable=False, server_default="0"),  # 0..4294967295
    Column("failure", Text, nullable=True),
    Column("failure_code", String(100), nullable=True),
    Column("results", JSON, nullable=False),  # domain.artifacts, in order
    Column("raw_video_url", Text, nullable=True),
    Column("points", Integer, nullable=False, server_default="0"),
    Column("refunded", Boolean, nullable=False, server_default="0"),
    Column("channel", String(50), nullable=False),  # the channel that runs it
    Column("engine_state", JSON, nullable=False),  # the engine's own, opaque here
    Column("schedule_state", JSON, nullable=False, server_default=text("'{}'")),  # placement's (ScheduleState)
    Column("deleted", Boolean, nullable=False, server_default="0"),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    # Scheduling: a live task is due when next_check_at has passed and nobody holds its lease.
    Column("next_check_at", Float, nullable=True),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_expires_at", Float, nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Index("ix_tasks_api_key_created", "api_key_id", "created_at"),
    Index("ix_tasks_due", "next_check_at"),
    Index("ix_tasks_lease_owner", "lease_owner"),
    # A channel's waiting line (slots.py counts the tasks ahead of one).
    Index("ix_tasks_line", "channel", "status", "created_at"),
    # Newest first across every key: the console's task list and usage (store/task_search.py).
    Index("ix_tasks_created", "created_at", "id"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("api_key_id", String(36), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("body_hash", String(64), nullable=False),
    Column("task_id", String(36), nullable=False),
    Column("created_at", Float, nullable=False),
)

# One row per create made without an Idempotency-Key, kept for a short window: a create that
# Runway's SDKs retry after losing its answer finds the task its first attempt made.
create_fingerprints = Table(
    "create_fingerprints",
    metadata,
    Column("task_id", String(36), primary_key=True),
    Column("api_key_id", String(36), nullable=False),
    Column("fingerprint", String(64), nullable=False),  # body_hash of the route and the body
    Column("created_at", Float, nullable=False),
    Index("ix_create_fingerprints_lookup", "api_key_id", "fingerprint", "created_at"),
    Index("ix_create_fingerprints_created", "created_at"),
)

# The callback outbox: one row per status change that a receiver must hear about, written in
# the same transaction as the change itself.
callback_deliveries = Table(
    "callback_deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("task_id", String(36), nullable=False),
    Column("api_key_id", String(36), nullable=False),
    # Order within a task: RUNNING is 1, the final status 2.
    Column("seq", Integer, nullable=False),
    Column("event_status", String(16), nullable=False),
    Column("url", Text, nullable=False),
    Column("state", String(12), nullable=False),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("created_at", Float, nullable=False),
    Column("next_attempt_at", Float, nullable=True),
    Column("delivered_at", Float, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_expires_at", Float, nullable=True),
    Index("ix_callback_deliveries_task", "task_id", "seq", unique=True),
    Index("ix_callback_deliveries_due", "state", "next_attempt_at"),
)

callback_attempts = Table(
    "callback_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", String(36), nullable=False, index=True),
    Column("attempted_at", Float, nullable=False),
    Column("duration_ms", Float, nullable=False),
    Column("http_status", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("next_attempt_at", Float, nullable=True),
    # Shortened, for the task's timeline: what was posted, and what the receiver answered.
    Column("sent", Text, nullable=True),
    Column("answer", Text, nullable=True),
)

# What the worker saw of each task, for its timeline: status changes, each start and check of an
# engine (with the upstream exchanges it made), result copies, moves to another channel. Written
# in the worker's batches; a task's checks are bounded (steps.py keeps its first and latest).
task_steps = Table(
    "task_steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", String(36), nullable=False),
    Column("attempt", Integer, nullable=False),  # the worker's claim of the task that saw it
    Column("seq", Integer, nullable=False),  # its number within that claim: gaps are dropped checks
    Column("kind", String(16), nullable=False),  # status | start | check | store | move
    Column("at", Float, nullable=False),
    Column("summary", Text, nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_task_steps_task", "task_id", "id"),
)

# Concurrency slots of capped channels and keys ("key:<id>"): one row per task holding a slot,
# for its whole life.
# The primary key makes the cap hold across processes on any database.
channel_slots = Table(
    "channel_slots",
    metadata,
    Column("channel", String(100), primary_key=True),
    Column("slot", Integer, primary_key=True),
    Column("task_id", String(36), nullable=False),
    Column("acquired_at", Float, nullable=False),
    # A task holds at most one slot per scope (its channel's, its key's).
    Index("ix_channel_slots_task", "task_id", "channel", unique=True),
)

# Callbacks that upstream relays sent us, kept so any process can read them.
relay_callbacks = Table(
    "relay_callbacks",
    metadata,
    Column("task_id", String(36), primary_key=True),
    Column("upstream_id", String(100), nullable=True),
    Column("status", String(20), nullable=True),
    Column("received_at", Float, nullable=False),
)

# Small server-wide values shared by every process (the URL signing secret).
server_meta = Table(
    "server_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
