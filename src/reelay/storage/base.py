"""What Reelay needs of a place to keep files: local disk (embedded) or S3-compatible storage."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class Storage(Protocol):
    async def put_file(self, key: str, source: Path, content_type: str) -> None: ...

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get_bytes(self, key: str) -> bytes: ...

    async def exists(self, key: str) -> bool: ...

    async def keys(self, prefix: str) -> list[str]:
        """Every stored key that starts with `prefix` (a folder, ending in "/")."""

    async def delete(self, key: str) -> None:
        """Removes the object; a key already gone is no error."""

    async def fetch_to(self, key: str, folder: Path) -> Path:
        """A local file with the object's bytes (for renderers); may be the object itself."""

    def url(self, key: str, base_url: str) -> str:
        """A URL a client can read the object at, signed and expiring."""

    async def ping(self) -> None:
        """Raise if the storage cannot be reached (readiness)."""

    async def close(self) -> None: ...
