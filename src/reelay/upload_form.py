"""The upload form Reelay serves on local storage (`POST /uploads`), as S3 serves a presigned POST.

Runway's SDKs POST it multipart, without the API key: the form's fields (`key`, `Content-Type`,
`expires`, `signature`, from `POST /v1/uploads`) and the `file`, plus an optional `metadata`.
The signature binds the storage key, the content type and the expiry, so the form writes only
the upload it was made for. The file is streamed to disk and refused past the size limit.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from reelay.storage.uploads import form_message, is_upload_key

router = APIRouter()

FORM_FIELDS = {"key", "Content-Type", "expires", "signature", "metadata", "file"}
# Room for the form's other fields and multipart framing around the file.
FRAMING_BYTES = 64 * 1024
CHUNK = 1024 * 1024


def _refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


@router.post("/uploads")
async def receive_upload(request: Request) -> Response:
    reelay = request.app.state.reelay
    max_bytes = reelay.settings.upload_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes + FRAMING_BYTES:
        return _refuse(413, f"The file is larger than the upload size limit ({max_bytes} bytes).")
    try:
        form = await request.form(max_files=1, max_fields=len(FORM_FIELDS))
    except HTTPException as error:  # Starlette's answer to a malformed or oversized form
        return _refuse(
            400, f"The body must be a multipart form with the upload's fields and one file ({error.detail})."
        )
    try:
        unknown = sorted(set(form.keys()) - FORM_FIELDS)
        if unknown:
            return _refuse(400, f"The form has a field this upload does not allow: {unknown[0]}.")
        key, content_type, expires = (form.get(name) for name in ("key", "Content-Type", "expires"))
        signature, upload = form.get("signature"), form.get("file")
        if not all(isinstance(value, str) for value in (key, content_type, expires, signature)):
            return _refuse(400, "The form must carry the fields POST /v1/uploads returned, unchanged.")
        assert isinstance(key, str) and isinstance(content_type, str) and isinstance(expires, str)
        if not (
            is_upload_key(key)
            and expires.isascii()
            and expires.isdigit()
            and len(expires) <= 12
            and reelay.signer.verify_token(form_message(key, content_type, int(expires)), signature)
        ):
            return _refuse(403, "This upload form is not valid: its fields were changed or it was not Reelay's.")
        if int(expires) < time.time():
            return _refuse(403, "This upload form has expired; start the upload again.")
        if not isinstance(upload, UploadFile):
            return _refuse(400, "The form must carry the file, as the field `file`.")
        sent_type = (upload.content_type or "").split(";")[0].strip().lower()
        if sent_type not in ("", "application/octet-stream") and sent_type.split("/")[0] != content_type.split("/")[0]:
            return _refuse(400, f"The file is {sent_type}, but this upload is for {content_type}.")
        return await _store(reelay, key, upload, content_type, max_bytes)
    finally:
        await form.close()


async def _store(reelay, key: str, upload: UploadFile, content_type: str, max_bytes: int) -> Response:
    """Copy the file to storage in chunks, never holding it whole; nothing is kept if it is too big."""
    scratch = Path(reelay.settings.data_dir) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=scratch, suffix=".upload")
    path = Path(name)
    try:
        size = 0
        with os.fdopen(handle, "wb") as out:
            while chunk := await upload.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    return _refuse(413, f"The file is larger than the upload size limit ({max_bytes} bytes).")
                out.write(chunk)
        if size == 0:
            return _refuse(400, "The file is empty.")
        await reelay.storage.put_file(key, path, content_type)
    finally:
        path.unlink(missing_ok=True)
    return Response(status_code=204)  # as S3 answers a POST upload by default
