"""Signed, expiring URLs for stored objects: HMAC-SHA256 over the key and the expiry time."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote


class UrlSigner:
    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self._secret = secret.encode()
        self.ttl_seconds = ttl_seconds

    def _signature(self, key: str, expires: int) -> str:
        message = f"{key}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def url(self, base_url: str, key: str, *, now: float | None = None) -> str:
        expires = int((now or time.time()) + self.ttl_seconds)
        return f"{base_url.rstrip('/')}/files/{quote(key)}?expires={expires}&sig={self._signature(key, expires)}"

    def token(self, value: str) -> str:
        """A signature for a value that does not expire (the relay's callback URL per task)."""
        return hmac.new(self._secret, f"token\n{value}".encode(), hashlib.sha256).hexdigest()

    def verify_token(self, value: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.token(value), token)

    def verify(self, key: str, expires: str | None, signature: str | None) -> bool:
        if not expires or not signature or not expires.isdigit():
            return False
        if int(expires) < time.time():
            return False
        return hmac.compare_digest(self._signature(key, int(expires)), signature)
