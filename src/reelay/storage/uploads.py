"""Uploads: files a client put into Reelay's storage to use as inputs, named by `runway://` URIs.

Runway's SDK uploads a file (`POST /v1/uploads`) and then passes its `runway://` URI wherever
a URL is accepted. An upload belongs to the API key that made it: its storage key holds the
key's id, so another key's URI names nothing. The id is random and unguessable; the URI is
the client's handle, the storage key never leaves the server.
"""

from __future__ import annotations

import re
import uuid

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
