"""Video and audio inputs, and uploads: real files made by PyAV, served by a real HTTP server,
probed for real; each refusal names the field."""

from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reelay.domain.artifacts import MediaKind
from reelay.domain.errors import InputError
from reelay.domain.request import MediaInput
from reelay.media.fetch import FetchPolicy
from reelay.media.inputs import MediaLimits, read_media, verify_media
from reelay.media.probe import probe
from reelay.service.inputs import InputLoader
from reelay.settings import Settings
from reelay.storage.local import LocalStorage
from reelay.storage.signing import UrlSigner
from reelay.storage.uploads import UploadRecord, new_upload_id, record_key, upload_key, upload_uri
from support.images import encode, gradient_image
from support.media import data_uri, make_audio, make_video

LIMITS = MediaLimits(url_max_bytes=1024 * 1024, data_uri_max_bytes=512 * 1024, max_seconds=3.0, max_pixels=1_000_000)
LOCAL = FetchPolicy(allow_private=True, timeout=5)
MP4 = make_video(1.0, 64, 48)
PNG = encode(gradient_image(64, 48))


@pytest.mark.parametrize(
    ("container", "content_type", "codec"),
    [("mp4", "video/mp4", "h264"), ("webm", "video/webm", "vp8"), ("mov", "video/quicktime", "mpeg4")],
)
def test_videos_are_probed_for_size_duration_and_codec(container, content_type, codec):
    probed = probe(make_video(2.0, 80, 64, fps=12, container=container))
    assert probed.info.kind == MediaKind.VIDEO and probed.info.content_type == content_type
    assert (probed.info.width, probed.info.height, probed.info.frame_rate) == (80, 64, 12.0)
    assert probed.info.duration == pytest.approx(2.0, abs=0.1) and probed.codec == codec


@pytest.mark.parametrize(
    ("container", "content_type"), [("mp3", "audio/mpeg"), ("wav", "audio/wav"), ("flac", "audio/flac")]
)
def test_audio_is_probed_for_duration(container, content_type):
    probed = probe(make_audio(1.5, container=container))
    assert (probed.info.kind, probed.info.content_type, probed.info.width) == (MediaKind.AUDIO, content_type, None)
    assert probed.info.duration == pytest.approx(1.5, abs=0.1)


async def refused(data: bytes, kind=MediaKind.VIDEO, field="videoUri", limits=LIMITS) -> str:
    with pytest.raises(InputError) as info:
        await verify_media(data, field=field, kind=kind, limits=limits)
    assert info.value.field == field
    return info.value.message


async def test_a_video_within_the_limits_is_accepted():
    loaded = await verify_media(MP4, field="videoUri", kind=MediaKind.VIDEO, limits=LIMITS)
    assert (loaded.extension, loaded.codec, loaded.info.width, loaded.info.height) == ("mp4", "h264", 64, 48)


async def test_each_wrong_video_is_refused_naming_the_field():
    assert "video is 5 seconds long, more than the 3 second limit" in await refused(make_video(5.0))
    assert "is a PNG image; expected video" in await refused(PNG)
    assert "is audio (MP3); expected video" in await refused(make_audio(1.0))
    assert "is not a recognised image, video or audio file" in await refused(b"<html>not a video</html>" * 4)
    assert "looks like MP4 but could not be decoded" in await refused(MP4[: len(MP4) // 3])
    big = make_video(0.5, 1280, 1000)
    assert "frames are 1280x1000 pixels, more than the 1000000 pixel limit" in await refused(big)


async def test_each_wrong_audio_is_refused_naming_the_field():
    assert "is video (MP4); expected audio" in await refused(MP4, MediaKind.AUDIO, "referenceAudio")
    assert "audio is 4 seconds long" in await refused(make_audio(4.0), MediaKind.AUDIO, "referenceAudio")


async def test_a_playlist_is_never_opened_so_it_cannot_fetch_anything():
    with serve({"/segment.ts": (MP4, "video/mp2t")}) as (base, requests):
        playlist = f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n{base}/segment.ts\n#EXT-X-ENDLIST\n".encode()
        assert "is not a recognised" in await refused(playlist)
    assert requests == []


async def test_videos_by_data_uri():
    data = await read_media(
        data_uri(MP4, "video/mp4"), field="videoUri", kind=MediaKind.VIDEO, policy=LOCAL, limits=LIMITS
    )
    assert data == MP4
    with pytest.raises(InputError, match="data URI must be base64 video/"):
        await read_media(
            data_uri(MP4, "image/png"), field="videoUri", kind=MediaKind.VIDEO, policy=LOCAL, limits=LIMITS
        )
    small = MediaLimits(1024 * 1024, 1000, 3.0, 1_000_000)
    with pytest.raises(InputError, match="data URI video is larger than the 1000 bytes limit"):
        await read_media(data_uri(MP4, "video/mp4"), field="videoUri", kind=MediaKind.VIDEO, policy=LOCAL, limits=small)


async def test_videos_by_url_follow_the_address_rules():
    with serve({"/a.mp4": (MP4, "video/mp4"), "/a.html": (MP4, "text/html")}) as (base, _):
        fetched = await read_media(f"{base}/a.mp4", field="videoUri", kind=MediaKind.VIDEO, policy=LOCAL, limits=LIMITS)
        assert fetched == MP4
        with pytest.raises(InputError, match="expected video/"):
            await read_media(f"{base}/a.html", field="videoUri", kind=MediaKind.VIDEO, policy=LOCAL, limits=LIMITS)
        public_only = FetchPolicy(timeout=5)
        with pytest.raises(InputError, match=r"videoUri: .*must use https"):
            await read_media(f"{base}/a.mp4", field="videoUri", kind=MediaKind.VIDEO, policy=public_only, limits=LIMITS)
        https = base.replace("http:", "https:") + "/a.mp4"
        with pytest.raises(InputError, match=r"address 127.0.0.1 is not public"):
            await read_media(https, field="videoUri", kind=MediaKind.VIDEO, policy=public_only, limits=LIMITS)


# --- the submission-time loader: URL, data URI or upload, stored under the task -------------------


@pytest.fixture
def loader(tmp_path):
    storage = LocalStorage(tmp_path / "files", UrlSigner("s", 60))
    return InputLoader(Settings(video_max_seconds=3.0), storage, LOCAL), storage


async def put_upload(storage, key: str, data: bytes, content_type: str) -> None:
    """An upload as POST /v1/uploads and its form leave it: the record, then the bytes."""
    record = UploadRecord("file", content_type, time.time(), time.time() + 60)
    await storage.put_bytes(record_key(key), record.to_json(), "application/json")
    await storage.put_bytes(key, data, content_type)


async def test_an_upload_uri_resolves_to_the_callers_own_upload(loader):
    inputs, storage = loader
    upload_id = new_upload_id()
    await put_upload(storage, upload_key("key-1", upload_id), make_video(2.0, 96, 64), "video/mp4")
    item = MediaInput(upload_uri(upload_id), "videoUri", MediaKind.VIDEO, role="video")

    ref = await inputs.load(item, key="inputs/t1/1-video", api_key_id="key-1")

    assert (ref.uri, ref.key, ref.kind, ref.role) == (upload_uri(upload_id), "inputs/t1/1-video.mp4", "video", "video")
    assert (ref.width, ref.height, ref.content_type) == (96, 64, "video/mp4") and ref.duration == pytest.approx(
        2.0, abs=0.1
    )
    assert probe(await storage.get_bytes(ref.key)).info.duration == pytest.approx(2.0, abs=0.1)

    with pytest.raises(InputError, match="videoUri: names no upload of this API key"):
        await inputs.load(item, key="inputs/t2/1-video", api_key_id="key-2")
    with pytest.raises(InputError, match="videoUri: is not a valid upload URI"):
        await inputs.load(
            MediaInput("runway://../../etc/passwd", "videoUri", MediaKind.VIDEO), key="k", api_key_id="key-1"
        )


async def test_an_uploaded_image_is_decoded_like_any_image(loader):
    inputs, storage = loader
    upload_id = new_upload_id()
    await put_upload(storage, upload_key("key-1", upload_id), PNG, "image/png")
    ref = await inputs.load(
        MediaInput(upload_uri(upload_id), "promptImage"), key="inputs/t/1-first", api_key_id="key-1"
    )
    assert (ref.key, ref.width, ref.height, ref.content_type) == ("inputs/t/1-first.png", 64, 48, "image/png")


async def test_the_settings_limit_video_length_at_submission(loader):
    inputs, _ = loader
    item = MediaInput(data_uri(make_video(4.0), "video/mp4"), "videoUri", MediaKind.VIDEO, role="video")
    with pytest.raises(InputError, match="videoUri: video is 4 seconds long, more than the 3 second limit"):
        await inputs.load(item, key="inputs/t/1-video", api_key_id="key-1")


@contextlib.contextmanager
def serve(files: dict[str, tuple[bytes, str]]):
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body, content_type = files.get(self.path, (b"", ""))
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            """Quiet: the test reads `requests`, not the server's log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
