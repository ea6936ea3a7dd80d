"""Starting an upload (`POST /v1/uploads`) and reading one back as a task's input.

An upload is started with a file name; Reelay writes its record (type, expiry) and hands out a
form the client POSTs the file with: on S3 storage a presigned POST straight to the bucket, on
local storage Reelay's own signed form (`upload_form.py`). Either can only write that upload's
bytes, of that type, up to the size limit, until the form expires. The `runway://` URI names
the upload for the key that started it until the upload expires.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from reelay.domain.errors import InputError
from reelay.storage.base import Storage
from reelay.storage.signing import UrlSigner
from reelay.storage.uploads import (
    UploadRecord,
    form_message,
    new_upload_id,
    record_key,
    resolve_upload,
    upload_content_type,
    upload_key,
    upload_uri,
)

# Runway's upload forms are short-lived; the upload itself lives on (upload_ttl_seconds).
FORM_SECONDS = 3600
FILENAME_MAX = 255
NO_UPLOAD = "names no upload of this API key (uploads are deleted once they expire)"


@dataclass(frozen=True)
class StartedUpload:
    uri: str  # runway://...
    url: str  # where the form is POSTed
    fields: dict[str, str]  # sent with the file, unchanged


class Uploads:
    def __init__(self, settings, storage: Storage, signer: UrlSigner) -> None:
        self.settings = settings
        self.storage = storage
        self.signer = signer

    async def start(self, api_key_id: str, filename: str, base_url: str) -> StartedUpload:
        name = filename.strip()
        if not name or len(name) > FILENAME_MAX:
            raise InputError("filename", f"must be 1 to {FILENAME_MAX} characters")
        content_type = upload_content_type(name)
        if content_type is None:
            raise InputError("filename", "must end in an image, video or audio extension (.jpg, .png, .mp4, .mp3, ...)")
        upload_id = new_upload_id()
        key = upload_key(api_key_id, upload_id)
        now = time.time()
        record = UploadRecord(name, content_type, now, now + self.settings.upload_ttl_seconds)
        await self.storage.put_bytes(record_key(key), record.to_json(), "application/json")
        form_seconds = min(FORM_SECONDS, self.settings.upload_ttl_seconds)
        presign = getattr(self.storage, "presigned_post", None)
        if presign is not None:
            url, fields = presign(key, content_type, self.settings.upload_max_bytes, form_seconds)
        else:
            expires = int(now + form_seconds)
            url = f"{base_url.rstrip('/')}/uploads"
            fields = {
                "key": key,
                "Content-Type": content_type,
                "expires": str(expires),
                "signature": self.signer.token(form_message(key, content_type, expires)),
            }
        return StartedUpload(upload_uri(upload_id), url, fields)


async def read_upload(storage: Storage, max_bytes: int, uri: str, api_key_id: str, field: str) -> bytes:
    """The bytes of the caller's own, unexpired upload the URI names; InputError naming `field`."""
    try:
        key = resolve_upload(uri, api_key_id)
    except ValueError:
        raise InputError(field, "is not a valid upload URI (runway://...)") from None
    try:
        record = UploadRecord.from_json(await storage.get_bytes(record_key(key)))
    except FileNotFoundError:
        raise InputError(field, NO_UPLOAD) from None
    if record.expires_at <= time.time():
        raise InputError(field, "names an upload that has expired; upload the file again")
    try:
        data = await storage.get_bytes(key)
    except FileNotFoundError:
        raise InputError(field, "names an upload whose file was never sent") from None
    if len(data) > max_bytes:
        raise InputError(field, "upload is larger than the upload size limit")
    return data
