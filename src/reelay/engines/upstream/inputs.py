"""What an upstream can read for each of a task's inputs, by one rule for every endpoint.

The client's https URL goes on as sent. Any other input (a data URI, a `runway://` upload of
Reelay's) becomes Reelay's verified copy: as a data URI while it fits Runway's data-URI limit for
its kind, so the upstream never has to reach Reelay; above that, a signed URL of the copy, which
needs Reelay's public address (REELAY_PUBLIC_URL) or storage the upstream can read (S3).
"""

from __future__ import annotations

import base64

from reelay.domain.artifacts import MediaKind
from reelay.domain.request import MediaRef
from reelay.storage.base import Storage

from .errors import Rejected

MB = 1024 * 1024
# Runway's limits on a data URI (docs.dev.runwayml.com/assets/inputs).
DATA_URI_MAX_BYTES = {MediaKind.IMAGE: 5 * MB, MediaKind.VIDEO: 16 * MB, MediaKind.AUDIO: 16 * MB}


async def readable_uri(storage: Storage, item: MediaRef, public_url: str = "") -> str:
    if item.uri.startswith("https://"):
        return item.uri
    data = await storage.get_bytes(item.key)
    uri = f"data:{item.content_type};base64,{base64.b64encode(data).decode()}"
    if len(uri) <= DATA_URI_MAX_BYTES[item.kind]:
        return uri
    signed = storage.url(item.key, public_url)  # local storage without a public address: a bare path
    if signed.startswith(("https://", "http://")):
        return signed
    raise Rejected(
        f"the {item.role} {item.kind} is {len(data) / MB:.1f} MB, too large for a data URI "
        f"({DATA_URI_MAX_BYTES[item.kind] // MB} MB at most), and the upstream cannot fetch it from Reelay: "
        "set REELAY_PUBLIC_URL to Reelay's public address"
    )
