"""Who is calling: the key from the Authorization header, with or without `Bearer `."""

from __future__ import annotations

from reelay.domain.errors import Unauthorized
from reelay.store.keys import ApiKey, KeyStore


def key_from_header(header: str | None) -> str | None:
    if not header:
        return None
    value = header.strip()
    # Seed 002's curl sends the key raw; everyone else sends "Bearer <key>".
    if value.lower().startswith("bearer "):
        value = value[7:].strip()
    return value or None


async def authenticate(keys: KeyStore, header: str | None) -> ApiKey:
    plain = key_from_header(header)
    if plain is None:
        raise Unauthorized("Authorization: an API key is required (Authorization: Bearer <key>).")
    key = await keys.authenticate(plain)
    if key is None:
        raise Unauthorized("Authorization: the API key is not valid or has been revoked.")
    return key
