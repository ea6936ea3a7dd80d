"""SQLite's one writer: waiting client and background writes take turns."""

import asyncio

import pytest

from reelay.store.db import WriteLock


async def test_a_client_write_waits_for_one_background_write_at_most_and_they_alternate():
    lock = WriteLock()
    order: list[str] = []

    async def write(name: str, background: bool) -> None:
        await lock.acquire(background)
        order.append(name)
        await asyncio.sleep(0.01)
        lock.release()

    await lock.acquire(background=True)  # a background write holds it
    waiting = [asyncio.create_task(write(f"worker {n}", True)) for n in range(3)]
    await asyncio.sleep(0.01)
    waiting += [asyncio.create_task(write(f"create {n}", False)) for n in range(3)]
    await asyncio.sleep(0.01)
    lock.release()
    await asyncio.gather(*waiting)
    assert order == ["create 0", "worker 0", "create 1", "worker 1", "create 2", "worker 2"]


@pytest.mark.parametrize("handed_first", [False, True])
async def test_a_cancelled_waiter_neither_holds_nor_loses_the_lock(handed_first):
    lock = WriteLock()
    await lock.acquire(background=False)
    cancelled = asyncio.create_task(lock.acquire(background=True))
    after = asyncio.create_task(lock.acquire(background=True))
    await asyncio.sleep(0.01)
    if handed_first:  # handed the lock, then cancelled before it could run: it must pass it on
        lock.release()
        cancelled.cancel()
    else:
        cancelled.cancel()
        await asyncio.sleep(0)
        lock.release()
    await asyncio.wait_for(after, 1)
    assert cancelled.cancelled()
    lock.release()
    await asyncio.wait_for(lock.acquire(background=False), 1)  # free again


async def test_a_waiter_cancelled_just_before_a_release_ends_cancelled():
    lock = WriteLock()
    await lock.acquire(background=False)
    cancelled = asyncio.create_task(lock.acquire(background=True))
    after = asyncio.create_task(lock.acquire(background=True))
    await asyncio.sleep(0.01)
    cancelled.cancel()
    lock.release()  # before the cancelled waiter runs: the release passes over it
    await asyncio.wait_for(after, 1)
    with pytest.raises(asyncio.CancelledError):
        await cancelled
