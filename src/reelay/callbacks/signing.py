"""Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 over id.timestamp.body."""

from __future__ import annotations

import base64
import hashlib
import hmac

from reelay.domain.secrets import SECRET_PREFIX, new_secret

__all__ = ["SECRET_PREFIX", "new_secret", "sign", "signature_header"]


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signature_header(secrets_in_force: list[str], message_id: str, timestamp: int, body: bytes) -> str:
    """One signature per secret in force, space separated: during a rotation both verify."""
    return " ".join(sign(secret, message_id, timestamp, body) for secret in secrets_in_force)
