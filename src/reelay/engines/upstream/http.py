"""The upstream engines' HTTP client: aiohttp, behind the few calls the engines make.

A worker with 10,000 upstream tasks in flight spends most of its event loop on polls. httpx
took 1.3 to 1.5 ms of CPU a request here (its pool looks at every idle connection on each
request), aiohttp 0.7 ms, so one worker polls twice as many tasks for the same CPU.
The engines see only this module: `request` (a JSON body, or a multipart form of `FormField`s),
`download`, and three kinds of failure, named by what they mean for a create that may or may not
have reached the upstream.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, NoReturn

import aiohttp
from multidict import CIMultiDictProxy

from reelay.engines import steps

KEEP_ALIVE_CONNECTIONS = 64  # as many as the worker steps at once


class TransportFailure(Exception):
    """No HTTP answer came back."""


class CannotConnect(TransportFailure):
    """The connection was never made: the request surely did not reach the upstream."""


class NoAnswer(TransportFailure):
    """The request was (at least partly) sent and no answer came: the upstream may have acted on it."""


@dataclass(frozen=True)
class FilePart:
    """A file in a multipart form."""

    data: bytes
    filename: str
    content_type: str


# A multipart form, in order: (name, text or file).
FormField = tuple[str, str | FilePart]


@dataclass
class Answer:
    status_code: int
    headers: CIMultiDictProxy[str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    @property
    def reason_phrase(self) -> str:
        try:
            return HTTPStatus(self.status_code).phrase
        except ValueError:
            return ""

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not JSON (as httpx and requests do)."""
        return jsonlib.loads(self.content)


class UpstreamHttp:
    def __init__(self, base_url: str, timeout_seconds: float, headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=min(10.0, timeout_seconds), sock_read=timeout_seconds
        )
        self.headers = headers or {}
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use, inside the running event loop that will use it.
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=0, limit_per_host=KEEP_ALIVE_CONNECTIONS, ttl_dns_cache=60)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self.timeout, headers=self.headers, trust_env=True
            )
        return self._session

    def _url(self, path_or_url: str) -> str:
        return path_or_url if "://" in path_or_url else self.base_url + path_or_url

    async def request(
        self,
        method: str,
        path_or_url: str,
        *,
        json: Any = None,
        form: list[FormField] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        data = _form_data(form) if form is not None else None
        url = self._url(path_or_url)
        sent = _shown(json, form)
        started = time.monotonic()
        try:
            async with self._client().request(method, url, json=json, data=data, headers=headers) as response:
                answer = Answer(response.status, response.headers, await response.read())
        except Exception as error:
            steps.note(method, url, started, sent=sent, error=error)
            _raise_translated(error)
        steps.note(method, url, started, status=answer.status_code, sent=sent, answer=answer.content)
        return answer

    async def get(self, path: str, *, headers: dict[str, str] | None = None) -> Answer:
        return await self.request("GET", path, headers=headers)

    async def post(
        self,
        path: str,
        *,
        json: Any = None,
        form: list[FormField] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        return await self.request("POST", path, json=json, form=form, headers=headers)

    async def delete(self, path: str, *, headers: dict[str, str] | None = None) -> Answer:
        return await self.request("DELETE", path, headers=headers)

    @asynccontextmanager
    async def download(self, url: str, headers: dict[str, str] | None = None) -> AsyncIterator[Download]:
        """A GET whose body is read in chunks, for result files of any size."""
        url = self._url(url)
        started = time.monotonic()
        download: Download | None = None
        try:
            async with self._client().get(url, headers=headers) as response:
                download = Download(response)
                yield download
        except Exception as error:
            steps.note("GET", url, started, status=download.status_code if download else None, error=error)
            _raise_translated(error)
        if download is not None:
            steps.note("GET", url, started, status=download.status_code, size=download.size)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class Download:
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.status_code = response.status
        self.size = 0  # bytes read so far

    async def chunks(self, size: int = 1 << 16) -> AsyncIterator[bytes]:
        async for chunk in self._response.content.iter_chunked(size):
            self.size += len(chunk)
            yield chunk


def _shown(json: Any, form: list[FormField] | None) -> Any:
    """What the timeline shows of a request body: the JSON, or a form's text fields and files' names."""
    if not steps.is_recording() or (json is None and form is None):
        return None
    if form is None:
        return json
    return {
        name: f"<file {value.filename}, {len(value.data)} bytes>" if isinstance(value, FilePart) else value
        for name, value in form
    }


def _form_data(form: list[FormField]) -> aiohttp.FormData:
    """Built for each request: aiohttp's FormData cannot be sent twice."""
    # Multipart even without a file, as OpenAI's SDK sends every create.
    data = aiohttp.FormData(default_to_multipart=True)
    for name, value in form:
        if isinstance(value, FilePart):
            data.add_field(name, value.data, filename=value.filename, content_type=value.content_type)
        else:
            data.add_field(name, value)
    return data


def _raise_translated(error: Exception) -> NoReturn:
    """Raises aiohttp's and asyncio's errors as the kinds the engines act on; others as they are.

    Order matters: a failed connect is also an OSError, a connect timeout also a timeout."""
    if isinstance(error, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        raise CannotConnect(f"cannot connect ({error})") from error
    if isinstance(error, aiohttp.ClientPayloadError | aiohttp.ServerDisconnectedError | aiohttp.ClientOSError):
        raise NoAnswer(f"the connection broke before the answer ({type(error).__name__})") from error
    if isinstance(error, aiohttp.ServerTimeoutError | asyncio.TimeoutError):
        raise NoAnswer(f"no answer in time ({type(error).__name__})") from error
    if isinstance(error, aiohttp.ClientResponseError):
        raise NoAnswer(f"the answer could not be read ({error.message})") from error
    raise error
