"""Signed, expiring URLs for stored objects: HMAC-SHA256 over the key and the expiry time."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from urllib.parse import quote

# Up to 12 ASCII digits (ten reach the year 2286): str.isdigit() also takes "²", which int()
# refuses, and int() refuses more than 4300 digits; either was a 500, as was a non-ASCII
# signature (compare_digest raises TypeError on it). All are just an invalid link.
_EXPIRES = re.compile(r"[0-9]{1,12}")


class UrlSigner:
    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self._secret = secret.encode()
        self.ttl_seconds = ttl_seconds

    def _signature(self, key: str, expires: int) -> str:
        # surrogatepass: a lone surrogate in the key signs (and so fails to verify) instead of raising.
        message = f"{key}\n{expires}".encode("utf-8", "surrogatepass")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def url(self, base_url: str, key: str, *, now: float | None = None) -> str:
        expires = int((now or time.time()) + self.ttl_seconds)
        return f"{base_url.rstrip('/')}/files/{quote(key)}?expires={expires}&sig={self._signature(key, expires)}"

    def token(self, value: str) -> str:
        """A signature for a value that does not expire (the relay's callback URL per task)."""
        return hmac.new(self._secret, f"token\n{value}".encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def verify_token(self, value: str, token: str | None) -> bool:
        # compare_digest raises TypeError on non-ASCII text; such a token is simply wrong.
        if not token or not token.isascii():
            return False
        return hmac.compare_digest(self.token(value), token)

    def verify(self, key: str, expires: str | None, signature: str | None) -> bool:
        if not expires or not signature or not _EXPIRES.fullmatch(expires) or not signature.isascii():
            return False
        if int(expires) < time.time():
            return False
        return hmac.compare_digest(self._signature(key, int(expires)), signature)
