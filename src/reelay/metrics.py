"""Prometheus metrics: counts read from the database at scrape time, plus this process's own
observations (task durations per engine, upstream errors per channel)."""

from __future__ import annotations

import asyncio
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

DURATION_BUCKETS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.task_seconds = Histogram(
            "reelay_engine_task_seconds",
            "Time from a task's creation to its final status, by engine channel and outcome.",
            ["engine", "status"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.upstream_errors = Counter(
            "reelay_upstream_errors", "Upstream calls that failed, by channel.", ["channel"], registry=self.registry
        )
        self.swept = Counter(
            "reelay_slots_swept",
            "Slots this process found held by tasks that had ended, and freed (should stay 0).",
            registry=self.registry,
        )
        self._snapshot: list = []

    def task_finished(self, task) -> None:
        self.task_seconds.labels(task.channel, task.status.value).observe(time.time() - task.created_at.timestamp())

    def upstream_error(self, channel: str) -> None:
        self.upstream_errors.labels(channel).inc()

    def slots_swept(self, count: int) -> None:
        self.swept.inc(count)

    async def render(self, tasks, callbacks, audit=None) -> bytes:
        """The exposition text, with the database's counts as of now."""
        by_status = await tasks.counts_by_status_and_channel()
        depth, oldest = await tasks.queue_depth()
        deliveries = await callbacks.backlog()
        families = []
        family = GaugeMetricFamily("reelay_tasks", "Tasks by status and engine channel.", labels=["status", "engine"])
        for status, engine, count in by_status:
            family.add_metric([status, engine], count)
        families.append(family)
        families.append(
            GaugeMetricFamily("reelay_queue_depth", "Live tasks due and not leased by a worker.", value=depth)
        )
        families.append(
            GaugeMetricFamily("reelay_queue_oldest_due_seconds", "Age of the oldest due, unleased task.", value=oldest)
        )
        family = GaugeMetricFamily("reelay_callback_deliveries", "Callback deliveries by state.", labels=["state"])
        for state in ("pending", "delivered", "dead"):
            family.add_metric([state], deliveries.get(state, 0))
        families.append(family)
        if audit is not None:
            families += _watchdog(audit)
        return await asyncio.to_thread(self._expose, families)

    def _expose(self, families) -> bytes:
        snapshot = _Snapshot(families)
        self.registry.register(snapshot)
        try:
            return generate_latest(self.registry)
        finally:
            self.registry.unregister(snapshot)


def _watchdog(audit) -> list:
    """The scheduler's invariant made visible: a slot is held only by a live task that a worker
    leases or will lease again, and no queue's head waits without bound."""
    stale = GaugeMetricFamily(
        "reelay_slots_stale",
        "Concurrency slots held by tasks that are final, or live but unleased for over a lease period (should be 0).",
        labels=["reason"],
    )
    stale.add_metric(["final"], audit.held_by_final)
    stale.add_metric(["unleased"], audit.held_by_unleased)
    oldest = GaugeMetricFamily(
        "reelay_throttled_oldest_seconds", "Age of the oldest THROTTLED task, by channel.", labels=["channel"]
    )
    for channel, age in sorted(audit.oldest_throttled.items()):
        oldest.add_metric([channel], age)
    return [stale, oldest]


class _Snapshot:
    def __init__(self, families) -> None:
        self.families = families

    def collect(self):
        return iter(self.families)
