"""What a `runway` or relay channel sends for each stored input: the client's https URL as sent,
a data URI of Reelay's copy while it fits Runway's data-URI limit, else a signed URL of the copy
(or, when Reelay has no public address, a refusal that says how to fix it)."""

import base64
import os

import pytest

from reelay.domain.artifacts import MediaKind
from reelay.domain.request import MediaRef
from reelay.engines.upstream.errors import Rejected
from reelay.engines.upstream.inputs import DATA_URI_MAX_BYTES, readable_uri
from reelay.storage.local import LocalStorage
from reelay.storage.signing import UrlSigner

PUBLIC = "https://reelay.example"


@pytest.fixture
def storage(tmp_path):
    return LocalStorage(tmp_path / "files", UrlSigner("secret", 3600))


async def stored(storage, key: str, data: bytes, kind: MediaKind, content_type: str) -> MediaRef:
    await storage.put_bytes(key, data, content_type)
    return MediaRef("runway://" + "a" * 32, key, None, None, content_type, kind=kind, role="video")


async def test_a_clients_https_url_goes_on_as_sent(storage):
    item = MediaRef("https://cdn.example/cat.png", "inputs/t/1-first.png", 10, 10, "image/png")
    assert await readable_uri(storage, item, PUBLIC) == "https://cdn.example/cat.png"


async def test_a_copy_within_the_limit_goes_as_a_data_uri_even_with_a_public_address(storage):
    data = os.urandom(1000)
    item = await stored(storage, "inputs/t/1-video.mp4", data, MediaKind.VIDEO, "video/mp4")
    uri = await readable_uri(storage, item, PUBLIC)
    assert uri.startswith("data:video/mp4;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]) == data


async def test_a_copy_over_the_limit_goes_as_a_signed_url_or_is_refused_without_an_address(storage):
    big = os.urandom(DATA_URI_MAX_BYTES[MediaKind.VIDEO] * 3 // 4 + 1)  # its base64 is over the limit
    item = await stored(storage, "inputs/t/1-video.mp4", big, MediaKind.VIDEO, "video/mp4")
    signed = await readable_uri(storage, item, PUBLIC)
    assert signed.startswith(f"{PUBLIC}/files/inputs/t/1-video.mp4?expires=")
    with pytest.raises(Rejected, match=r"too large for a data URI .* set REELAY_PUBLIC_URL"):
        await readable_uri(storage, item, "")
