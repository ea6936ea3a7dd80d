"""Results on the local disk, under one folder, addressed by key."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .signing import UrlSigner


class LocalStorage:
    """Served by Reelay itself under /files, with signed URLs (files.py)."""

    def __init__(self, root: Path, signer: UrlSigner) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.signer = signer

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        # Keys come from us, but a signed URL path is still user input: stay inside root.
        if self.root not in path.parents:
            raise ValueError(f"storage key escapes the root: {key!r}")
        return path

    async def put_file(self, key: str, source: Path, content_type: str) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)  # readers never see half a file

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, target)

    async def get_bytes(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    async def exists(self, key: str) -> bool:
        try:
            return self.path(key).is_file()
        except ValueError:
            return False

    async def keys(self, prefix: str) -> list[str]:
        folder = self.path(prefix)
        if not folder.is_dir():
            return []
        return sorted(
            path.relative_to(self.root).as_posix()
            for path in folder.rglob("*")
            if path.is_file() and not path.name.endswith(".part")  # a write still under way
        )

    async def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    async def fetch_to(self, key: str, folder: Path) -> Path:
        return self.path(key)  # already a local file: no copy

    def url(self, key: str, base_url: str) -> str:
        return self.signer.url(base_url, key)

    async def ping(self) -> None:
        if not self.root.is_dir():
            raise OSError(f"storage folder {self.root} is missing")

    async def close(self) -> None:
        return None
