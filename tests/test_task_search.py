"""The console's task list: filters, newest first, keyset pages (SQLite and PostgreSQL)."""

import base64
import random
import uuid
from datetime import UTC, datetime

import pytest

from reelay.domain.errors import InputError
from reelay.domain.request import GenerationRequest
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.store.keys import KeyStore
from reelay.store.task_search import TaskFilters, TaskSearch, encode_cursor
from reelay.store.tasks import TaskStore

BASE = 1_780_000_000.0  # a day in 2026, epoch seconds
STATUSES = (Status.PENDING, Status.RUNNING, Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)
CHANNELS = ("main", "spare")
MODELS = ("gen4_turbo", "veo3.1")


def new_task(key_id: str, at: float, status: Status, channel: str, model: str) -> Task:
    moment = datetime.fromtimestamp(at, UTC)
    request = GenerationRequest("runway", "text_to_video", model, model, "1280:720", 1280, 720, 4, prompt="p")
    return Task(str(uuid.uuid4()), key_id, request, status, moment, moment, channel=channel)


@pytest.fixture
async def stored(db):
    """42 tasks of two keys over every status, channel and model, some created at the same moment
    (the id breaks the tie), and one deleted task that no page may show."""
    rng = random.Random(17)
    keys = [(await KeyStore(db).create(name))[0].id for name in ("alice", "bob")]
    store = TaskStore(db)
    made = []
    for index in range(42):
        at = BASE + (index // 3) * 60.5  # threes share a creation time
        task = new_task(rng.choice(keys), at, rng.choice(STATUSES), rng.choice(CHANNELS), rng.choice(MODELS))
        await store.create(task)
        made.append(task)
    gone = new_task(keys[0], BASE + 10_000, Status.SUCCEEDED, "main", "gen4_turbo")
    await store.create(gone)
    await store.mark_deleted(gone.id)
    return keys, made


def newest_first(tasks: list[Task]) -> list[str]:
    return [t.id for t in sorted(tasks, key=lambda t: (t.created_at, t.id), reverse=True)]


async def every_page(search: TaskSearch, filters: TaskFilters, limit: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = await search.page(filters, cursor=cursor, limit=limit)
        pages.append([t.id for t in page.tasks])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def matching(made: list[Task], filters: TaskFilters) -> list[Task]:
    def fits(task: Task) -> bool:
        at = task.created_at.timestamp()
        return (
            (filters.api_key_id is None or task.api_key_id == filters.api_key_id)
            and (filters.status is None or task.status == filters.status)
            and (filters.channel is None or task.channel == filters.channel)
            and (filters.model is None or task.request.engine_model == filters.model)
            and (filters.created_from is None or at >= filters.created_from)
            and (filters.created_to is None or at < filters.created_to)
        )

    return [task for task in made if fits(task)]


async def test_each_filter_alone_finds_exactly_its_tasks_newest_first(db, stored):
    keys, made = stored
    search = TaskSearch(db)
    middle = made[20].created_at.timestamp()
    cases = [
        TaskFilters(),
        *(TaskFilters(api_key_id=key) for key in keys),
        *(TaskFilters(status=status) for status in STATUSES),
        *(TaskFilters(channel=channel) for channel in CHANNELS),
        *(TaskFilters(model=model) for model in MODELS),
        TaskFilters(created_from=middle),  # inclusive: the tasks created at that very moment are in
        TaskFilters(created_to=middle),  # exclusive: they are out
    ]
    for filters in cases:
        page = await search.page(filters, limit=100)
        assert [t.id for t in page.tasks] == newest_first(matching(made, filters)), filters
        assert page.next_cursor is None
    assert 0 < len(matching(made, TaskFilters(created_to=middle))) < len(made)


async def test_filters_combine_and_a_client_key_sees_only_its_own(db, stored):
    keys, made = stored
    search = TaskSearch(db)
    combined = TaskFilters(
        api_key_id=keys[1],
        channel="spare",
        model="veo3.1",
        created_from=made[5].created_at.timestamp(),
        created_to=made[35].created_at.timestamp(),
    )
    page = await search.page(combined, limit=100)
    assert [t.id for t in page.tasks] == newest_first(matching(made, combined))
    assert all(t.api_key_id == keys[1] for t in page.tasks)
    nothing = TaskFilters(api_key_id=keys[0], status=Status.SUCCEEDED, model="no-such-model")
    assert (await search.page(nothing)).tasks == []


async def test_paging_through_every_page_misses_and_repeats_nothing(db, stored):
    keys, made = stored
    search = TaskSearch(db)
    for filters, limit in ((TaskFilters(), 3), (TaskFilters(), 7), (TaskFilters(api_key_id=keys[0]), 2)):
        pages = await every_page(search, filters, limit)
        assert all(len(page) == limit for page in pages[:-1]) and 0 < len(pages[-1]) <= limit
        assert [task_id for page in pages for task_id in page] == newest_first(matching(made, filters))
    # A page boundary inside a group of tasks created at the same moment: the id carries on.
    first = await search.page(TaskFilters(), limit=1)
    second = await search.page(TaskFilters(), cursor=first.next_cursor, limit=1)
    assert first.tasks[0].created_at == second.tasks[0].created_at
    assert first.tasks[0].id > second.tasks[0].id


async def test_tasks_created_after_the_first_page_do_not_shift_the_next_one(db, stored):
    keys, made = stored
    search = TaskSearch(db)
    first = await search.page(TaskFilters(), limit=10)
    await TaskStore(db).create(new_task(keys[0], BASE + 20_000, Status.PENDING, "main", "gen4_turbo"))
    second = await search.page(TaskFilters(), cursor=first.next_cursor, limit=10)
    assert [t.id for t in second.tasks] == newest_first(made)[10:20]


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        "%%%",
        base64.urlsafe_b64encode(b"{not json").decode(),
        base64.urlsafe_b64encode(b'["1", "id"]').decode(),  # the time is not a number
        base64.urlsafe_b64encode(b"[1.5]").decode(),  # not a pair
        base64.urlsafe_b64encode(b'{"a": 1, "b": 2}').decode(),
        base64.urlsafe_b64encode(b'[1e999, "id"]').decode(),  # infinite
        base64.urlsafe_b64encode(b"[1.5, 7]").decode(),  # the id is not a string
        "ü",
    ],
)
async def test_a_bad_cursor_is_refused_naming_the_cursor(db, cursor):
    with pytest.raises(InputError) as refused:
        await TaskSearch(db).page(TaskFilters(), cursor=cursor)
    assert refused.value.field == "cursor" and refused.value.status_code == 400


async def test_a_cursor_from_the_list_is_url_safe_and_a_limit_out_of_range_is_refused(db, stored):
    search = TaskSearch(db)
    cursor = (await search.page(TaskFilters(), limit=5)).next_cursor
    assert cursor and all(c.isalnum() or c in "-_" for c in cursor)
    assert encode_cursor(BASE, "x" * 36) != encode_cursor(BASE + 0.001, "x" * 36)
    for limit in (0, 501):
        with pytest.raises(InputError) as refused:
            await search.page(TaskFilters(), limit=limit)
        assert refused.value.field == "limit"


async def test_facets_list_the_channels_and_models_seen(db, stored):
    _, made = stored
    facets = await TaskSearch(db).facets()
    assert facets == {
        "channel": sorted({t.channel for t in made}),
        "model": sorted({t.request.engine_model for t in made}),
    }
