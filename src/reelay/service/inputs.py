"""A task's inputs at submission: each fetched (https URL, data URI or `runway://` upload),
proven to be what its field expects, and copied into Reelay's storage before the task is saved."""

from __future__ import annotations

from dataclasses import replace

from reelay.domain.artifacts import MediaInfo, MediaKind
from reelay.domain.errors import InputError, Problem
from reelay.domain.request import Input, MediaInput, MediaRef
from reelay.media.fetch import FetchPolicy
from reelay.media.images import load_image, verify_image
from reelay.media.inputs import MediaLimits, read_media, verify_media
from reelay.storage.base import Storage
from reelay.storage.uploads import is_upload_uri

from .uploads import read_upload


class InputLoader:
    def __init__(self, settings, storage: Storage, policy: FetchPolicy) -> None:
        self.settings = settings
        self.storage = storage
        self.policy = policy

    async def load_all(self, inputs: tuple[Input, ...], *, task_id: str, api_key_id: str) -> tuple[MediaRef, ...]:
        loaded = []
        for index, item in enumerate(inputs):
            if isinstance(item, MediaRef):
                loaded.append(item)
            else:
                loaded.append(
                    await self.load(item, key=f"inputs/{task_id}/{index + 1}-{item.role}", api_key_id=api_key_id)
                )
        return tuple(loaded)

    async def load(self, item: MediaInput, *, key: str, api_key_id: str) -> MediaRef:
        """Fetch and verify one input, store it at `key` + its extension."""
        data = await self._upload(item, api_key_id) if is_upload_uri(item.uri) else None
        if item.kind == MediaKind.IMAGE:
            if data is None:
                image = await load_image(
                    item.uri,
                    field=item.field,
                    policy=self.policy,
                    url_max_bytes=self.settings.image_url_max_bytes,
                    data_uri_max_bytes=self.settings.data_uri_max_bytes,
                    max_pixels=self.settings.image_max_pixels,
                )
            else:
                image = await verify_image(data, field=item.field, max_pixels=self.settings.image_max_pixels)
            info = MediaInfo(MediaKind.IMAGE, image.content_type, image.width, image.height)
            data, extension = image.data, image.extension
        else:
            limits = self.limits(item.kind)
            if item.max_seconds is not None:
                limits = replace(limits, max_seconds=min(limits.max_seconds, item.max_seconds))
            if data is None:
                data = await read_media(item.uri, field=item.field, kind=item.kind, policy=self.policy, limits=limits)
            media = await verify_media(data, field=item.field, kind=item.kind, limits=limits)
            check_length(item, media.info)
            info, extension = media.info, media.extension
        stored_key = f"{key}.{extension}"
        await self.storage.put_bytes(stored_key, data, info.content_type)
        uri = item.uri if not item.uri.startswith("data:") else item.uri[:64] + "..."
        return MediaRef(
            uri=uri,
            key=stored_key,
            width=info.width,
            height=info.height,
            content_type=info.content_type,
            kind=item.kind,
            role=item.role,
            tag=item.tag,
            duration=info.duration,
        )

    def limits(self, kind: MediaKind) -> MediaLimits:
        video = kind == MediaKind.VIDEO
        return MediaLimits(
            url_max_bytes=self.settings.video_url_max_bytes if video else self.settings.audio_url_max_bytes,
            data_uri_max_bytes=self.settings.media_data_uri_max_bytes,
            max_seconds=self.settings.video_max_seconds if video else self.settings.audio_max_seconds,
            max_pixels=self.settings.image_max_pixels,
        )

    async def _upload(self, item: MediaInput, api_key_id: str) -> bytes:
        """The bytes of the caller's own upload the URI names."""
        return await read_upload(self.storage, self.settings.upload_max_bytes, item.uri, api_key_id, item.field)


def check_length(item: MediaInput, info: MediaInfo) -> None:
    """A video whose field takes only some lengths (Act-Two's reference: 3 to 30 seconds)."""
    if item.seconds is None or info.duration is None:
        return
    least, most = item.seconds
    if info.duration < least - 0.05 or info.duration > most + 0.05:  # half a frame's slack
        raise InputError(
            item.field,
            f"must be a video of {least:g} to {most:g} seconds; this one is {info.duration:.2f} seconds long",
            problem=Problem.TOO_SMALL if info.duration < least else Problem.TOO_BIG,
            limit=least if info.duration < least else most,
        )
