"""Signing in to the console from a test client, as a browser's form post does."""

from __future__ import annotations

import re

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(client, plain: str):
    """Sign in with the key `plain` (any earlier session dropped); the sign-in's 303 answer."""
    client.cookies.clear()
    form = client.get("/console/login")
    answer = client.post(
        "/console/login",
        data={"api_key": plain, "csrf_token": TOKEN.search(form.text).group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return answer
