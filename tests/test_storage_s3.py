"""S3Storage against a real S3-protocol server process (moto, with presigned URLs checked)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time

import httpx
import pytest

from reelay.settings import Settings
from reelay.storage.s3 import S3Storage, S3StorageError, parse_storage_url
from reelay.storage.uploads import UploadRecord, delete_expired_uploads, new_upload_id, record_key, upload_key
from support.processes import starts_processes
from support.s3 import ACCESS_KEY, SECRET_KEY, MotoS3

MiB = 1024 * 1024


@pytest.fixture(scope="module")
@starts_processes
def s3():
    server = MotoS3(bucket="reelay-test", prefix="results").start()
    yield server
    server.stop()


def make_storage(s3: MotoS3, bucket: str | None = None, **options) -> S3Storage:
    return S3Storage(
        bucket or s3.bucket,
        s3.prefix,
        endpoint_url=s3.endpoint_url,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
        **options,
    )


@pytest.fixture
async def storage(s3):
    settings = Settings(
        storage_url=s3.storage_url,
        s3_endpoint_url=s3.endpoint_url,
        s3_access_key_id=ACCESS_KEY,
        s3_secret_access_key=SECRET_KEY,
    )
    store = S3Storage.from_settings(settings)
    yield store
    await store.close()


def test_storage_url_parsing():
    assert parse_storage_url("s3://bucket") == ("bucket", "")
    assert parse_storage_url("s3://bucket/a/b/") == ("bucket", "a/b")
    for bad in ("s3:///prefix", "https://bucket/x", "bucket"):
        with pytest.raises(ValueError):
            parse_storage_url(bad)


def test_url_ttl_beyond_sigv4_limit_is_refused(s3):
    with pytest.raises(ValueError, match="url_ttl_seconds"):
        make_storage(s3, url_ttl_seconds=8 * 24 * 3600)


async def test_round_trip_under_the_prefix(storage, s3):
    data = os.urandom(1000)
    await storage.put_bytes("tasks/t1/poster.jpg", data, "image/jpeg")
    assert await storage.get_bytes("tasks/t1/poster.jpg") == data
    # Stored under the prefix of the storage URL, nowhere else.
    raw = s3.client().get_object(Bucket=s3.bucket, Key="results/tasks/t1/poster.jpg")
    assert raw["Body"].read() == data


async def test_content_types_kept(storage, s3, tmp_path):
    video = tmp_path / "video.mp4"
    video.write_bytes(os.urandom(4096))
    await storage.put_file("tasks/t2/video.mp4", video, "video/mp4")
    await storage.put_bytes("tasks/t2/last_frame.jpg", b"\xff\xd8jpeg", "image/jpeg")
    client = s3.client()
    assert client.head_object(Bucket=s3.bucket, Key="results/tasks/t2/video.mp4")["ContentType"] == "video/mp4"
    assert client.head_object(Bucket=s3.bucket, Key="results/tasks/t2/last_frame.jpg")["ContentType"] == "image/jpeg"
    # What a client downloading the presigned URL is told.
    response = httpx.get(storage.url("tasks/t2/video.mp4", "http://unused"))
    assert response.status_code == 200 and response.headers["content-type"] == "video/mp4"
    assert response.content == video.read_bytes()


async def test_exists_and_missing(storage):
    await storage.put_bytes("tasks/t3/video.mp4", b"x", "video/mp4")
    assert await storage.exists("tasks/t3/video.mp4")
    assert not await storage.exists("tasks/t3/nothing.mp4")
    assert not await storage.exists("tasks/never/video.mp4")
    with pytest.raises(FileNotFoundError):
        await storage.get_bytes("tasks/t3/nothing.mp4")


async def test_fetch_to_keeps_the_file_name(storage, tmp_path):
    data = os.urandom(2048)
    await storage.put_bytes("inputs/t4/first.png", data, "image/png")
    path = await storage.fetch_to("inputs/t4/first.png", tmp_path / "work")
    assert path == tmp_path / "work" / "first.png"
    assert path.read_bytes() == data


async def test_large_file_goes_up_in_parts_intact(s3, tmp_path):
    store = make_storage(s3, multipart_threshold=5 * MiB)  # S3's smallest part size
    try:
        big = tmp_path / "big.mp4"
        big.write_bytes(os.urandom(12 * MiB + 123))  # parts of 5 + 5 + 2 MiB
        small = tmp_path / "small.mp4"
        small.write_bytes(os.urandom(MiB))
        await store.put_file("tasks/t5/video.mp4", big, "video/mp4")
        await store.put_file("tasks/t5/small.mp4", small, "video/mp4")
        client = s3.client()
        head = client.head_object(Bucket=s3.bucket, Key="results/tasks/t5/video.mp4")
        # A multipart object's ETag is md5-of-part-md5s with "-<part count>".
        assert head["ETag"].strip('"').endswith("-3")
        assert head["ContentType"] == "video/mp4" and head["ContentLength"] == big.stat().st_size
        assert "-" not in client.head_object(Bucket=s3.bucket, Key="results/tasks/t5/small.mp4")["ETag"]
        expected = hashlib.sha256(big.read_bytes()).hexdigest()
        assert hashlib.sha256(await store.get_bytes("tasks/t5/video.mp4")).hexdigest() == expected
        fetched = await store.fetch_to("tasks/t5/video.mp4", tmp_path / "back")
        assert hashlib.sha256(fetched.read_bytes()).hexdigest() == expected
    finally:
        await store.close()


async def test_expired_uploads_are_listed_and_deleted_under_the_prefix_only(storage, s3):
    owner = "key1"
    old, fresh = new_upload_id(), new_upload_id()
    for upload_id, expires in ((old, 100.0), (fresh, 10_000.0)):
        key = upload_key(owner, upload_id)
        await storage.put_bytes(key, b"jpeg bytes", "image/jpeg")
        await storage.put_bytes(record_key(key), UploadRecord("a.jpg", "image/jpeg", 0.0, expires).to_json(), "x/y")
    await storage.put_bytes("tasks/t9/video.mp4", b"a result", "video/mp4")
    assert len(await storage.keys("uploads/")) == 4

    assert await delete_expired_uploads(storage, now=1000.0) == 1
    assert await storage.keys("uploads/") == sorted([upload_key(owner, fresh), record_key(upload_key(owner, fresh))])
    assert await storage.get_bytes("tasks/t9/video.mp4") == b"a result"  # results are not uploads
    await storage.delete(upload_key(owner, old))  # already gone: no error


async def test_presigned_url_serves_ranges(storage):
    data = bytes(range(256)) * 40
    await storage.put_bytes("tasks/t6/video.mp4", data, "video/mp4")
    url = storage.url("tasks/t6/video.mp4", "http://ignored.example")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=86400" in url
    whole = httpx.get(url)
    assert whole.status_code == 200 and whole.content == data
    part = httpx.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    assert part.content == data[100:200]


async def test_presigned_url_expires(s3):
    store = make_storage(s3, url_ttl_seconds=2)
    try:
        await store.put_bytes("tasks/t7/video.mp4", b"soon gone", "video/mp4")
        url = store.url("tasks/t7/video.mp4", "")
        # X-Amz-Date has whole seconds, so a 2 s URL lives 1..2 s: use it at once, then after 3 s.
        assert httpx.get(url).status_code == 200
        time.sleep(3)
        expired = httpx.get(url)
        assert expired.status_code == 403 and "Request has expired" in expired.text
    finally:
        await store.close()


async def test_signature_is_bound_to_key_and_query(storage):
    await storage.put_bytes("tasks/a/video.mp4", b"a", "video/mp4")
    await storage.put_bytes("tasks/b/video.mp4", b"b", "video/mp4")
    url = storage.url("tasks/a/video.mp4", "")
    assert httpx.get(url).content == b"a"
    other = httpx.get(url.replace("/tasks/a/", "/tasks/b/"))
    assert other.status_code == 403 and "SignatureDoesNotMatch" in other.text
    longer = httpx.get(url.replace("X-Amz-Expires=86400", "X-Amz-Expires=604800"))
    assert longer.status_code == 403 and "SignatureDoesNotMatch" in longer.text


async def test_many_calls_at_once_share_one_client(storage):
    keys = [f"tasks/many/{n}.jpg" for n in range(30)]
    await asyncio.gather(*(storage.put_bytes(key, key.encode(), "image/jpeg") for key in keys))
    assert await asyncio.gather(*(storage.get_bytes(key) for key in keys)) == [key.encode() for key in keys]


async def test_ping(storage):
    await storage.ping()


async def test_ping_names_a_missing_bucket(s3):
    store = make_storage(s3, bucket="no-such-bucket")
    try:
        with pytest.raises(S3StorageError, match=r"'no-such-bucket'.*does not exist"):
            await store.ping()
    finally:
        await store.close()


async def test_ping_names_the_bucket_when_unreachable():
    store = S3Storage("reelay", endpoint_url="http://127.0.0.1:1", access_key_id="a", secret_access_key="b")
    try:
        with pytest.raises(S3StorageError, match=r"'reelay'.*EndpointConnectionError"):
            await store.ping()
    finally:
        await store.close()


async def test_a_presigned_post_writes_only_its_key_of_its_type_and_size(storage):
    """The upload form S3 storage hands out (POST /v1/uploads): the server holds it to its policy."""
    url, fields = storage.presigned_post("uploads/k/form", "image/jpeg", 10, 60)
    attempts = {
        "too big": ({}, b"x" * 11, 400, "EntityTooLarge"),
        "another type": ({"Content-Type": "video/mp4"}, b"x" * 5, 403, "Policy Condition failed"),
        "another key": ({"key": "results/uploads/k/other"}, b"x" * 5, 403, "Policy Condition failed"),
        "a stray field": ({"colour": "red"}, b"x" * 5, 403, "Extra input fields"),
    }
    for name, (changed, data, status, said) in attempts.items():
        answer = httpx.post(url, data={**fields, **changed}, files={"file": ("a.jpg", data)})
        assert (answer.status_code, said in answer.text) == (status, True), name
    assert not await storage.exists("uploads/k/form") and not await storage.exists("uploads/k/other")
    # As Runway's SDKs send it: the fields unchanged, perhaps with `metadata`.
    sent = httpx.post(url, data={**fields, "metadata": '{"take": 1}'}, files={"file": ("a.jpg", b"12345")})
    assert sent.status_code == 204
    assert await storage.get_bytes("uploads/k/form") == b"12345"


async def test_a_presigned_post_expires(storage):
    url, fields = storage.presigned_post("uploads/k/late", "image/png", 10, 1)
    time.sleep(1.5)
    answer = httpx.post(url, data=fields, files={"file": ("a.png", b"123")})
    assert answer.status_code == 403 and "Policy expired" in answer.text
