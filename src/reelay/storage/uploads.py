"""Uploads: files a client put into Reelay's storage to use as inputs, named by `runway://` URIs.

Runway's SDK uploads a file (`POST /v1/uploads`) and then passes its `runway://` URI wherever
a URL is accepted. An upload belongs to the API key that made it: its storage key holds the
key's id, so another key's URI names nothing. The id is random and unguessable; the URI is
the client's handle, the storage key never leaves the server.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass

from .base import Storage

SCHEME = "runway://"
_ID = re.compile(r"[0-9a-f]{32}")


def new_upload_id() -> str:
    return uuid.uuid4().hex


def upload_uri(upload_id: str) -> str:
    """The URI a client names the upload by."""
    return f"{SCHEME}{upload_id}"


def upload_key(api_key_id: str, upload_id: str) -> str:
    """Where the upload's bytes are stored."""
    return f"uploads/{api_key_id}/{upload_id}"


def is_upload_uri(value: str) -> bool:
    return value[: len(SCHEME)].lower() == SCHEME


def resolve_upload(uri: str, api_key_id: str) -> str:
    """The storage key a `runway://` URI names for this API key; ValueError if it is not one."""
    upload_id = uri[len(SCHEME) :] if is_upload_uri(uri) else ""
    if not _ID.fullmatch(upload_id):
        raise ValueError(f"{uri[:80]!r} is not a Reelay upload URI")
    return upload_key(api_key_id, upload_id)


# What an upload may be, by the file name's ending: the media Reelay's inputs read.
UPLOAD_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".flac": "audio/flac",
}


def upload_content_type(filename: str) -> str | None:
    """The content type a file name's ending says, or None when it is not an accepted medium."""
    dot = filename.rfind(".")
    return UPLOAD_TYPES.get(filename[dot:].lower()) if dot >= 0 else None


def record_key(data_key: str) -> str:
    """Where the upload's record (its expiry, owner's name, type) is kept, beside its bytes."""
    return f"{data_key}.json"


@dataclass(frozen=True)
class UploadRecord:
    """Written by Reelay when the upload is started, before any byte arrives: the client's form
    can only write the data key, so the record cannot be forged."""

    filename: str
    content_type: str
    created_at: float
    expires_at: float

    def to_json(self) -> bytes:
        return json.dumps(asdict(self)).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> UploadRecord:
        data = json.loads(raw)
        return cls(
            str(data["filename"]), str(data["content_type"]), float(data["created_at"]), float(data["expires_at"])
        )


def form_message(data_key: str, content_type: str, expires: int) -> str:
    """What the upload form's signature covers (local storage): where, what, until when."""
    return f"upload\n{data_key}\n{content_type}\n{expires}"


def is_upload_key(key: str) -> bool:
    parts = key.split("/")
    return len(parts) == 3 and parts[0] == "uploads" and bool(parts[1]) and bool(_ID.fullmatch(parts[2]))


async def delete_expired_uploads(storage: Storage, now: float) -> int:
    """Deletes every upload whose time is up, file first and record last: a sweep cut short
    leaves the record, which the next sweep finds. A task's inputs were copied when it was
    created, so no task needs an upload after it expires. Returns how many were deleted."""
    deleted = 0
    for key in await storage.keys("uploads/"):
        data_key = key.removesuffix(".json")
        if data_key == key or not is_upload_key(data_key):
            continue
        try:
            record = UploadRecord.from_json(await storage.get_bytes(key))
        except FileNotFoundError:  # deleted meanwhile by another process's sweep
            continue
        if record.expires_at > now:
            continue
        await storage.delete(data_key)
        await storage.delete(key)
        deleted += 1
    return deleted
