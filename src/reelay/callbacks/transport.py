"""The callbacks' HTTP client: aiohttp, under the same address rules as media/fetch.py.

httpx took 1.3 to 5 ms of CPU a POST here (its pool looks at every idle connection on each
request), aiohttp well under one, and the dispatcher's rate is its CPU. The rules stay those of
fetch.py: the resolver below vets every address before aiohttp may connect to it (so a name is
never re-resolved between the check and the connection), no redirect is followed, no
environment proxy is used, and every POST has a deadline.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from reelay.media.fetch import FetchPolicy, resolve_vetted, ssl_context

ANSWER_LIMIT = 64 * 1024  # a longer answer is dropped with its connection
ANSWER_KEPT = 1000  # of each answer, for the task's timeline ("what came back")


@dataclass(frozen=True)
class Reply:
    status: int
    answer: bytes  # its first ANSWER_KEPT bytes, and one more when it was longer


class _VettingResolver(AbstractResolver):
    def __init__(self, policy: FetchPolicy) -> None:
        self._policy = policy

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses, port = await resolve_vetted(host, port, self._policy, self._policy.timeout)
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        return None


class CallbackClient:
    def __init__(self, policy: FetchPolicy, keep_alive_per_host: int) -> None:
        # aiohttp asks the resolver about names only: a literal address is vetted by
        # check_url_syntax, which the dispatcher runs on every URL right before sending.
        connector = aiohttp.TCPConnector(
            resolver=_VettingResolver(policy),
            use_dns_cache=False,  # vetted at each new connection, never from a cache
            limit=0,
            limit_per_host=keep_alive_per_host,
            ssl=ssl_context(policy.ca_bundle),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=policy.timeout),
            trust_env=False,  # an environment proxy would make the connection for us, unchecked
            auto_decompress=False,
        )

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Reply:
        """POSTs and answers the HTTP status and the start of the answer; raises what aiohttp
        raises when no answer came."""
        async with self._session.post(url, data=body, headers=headers, allow_redirects=False) as answer:
            # Read the (small) answer to its end, so its connection is kept alive for the next POST.
            read = 0
            kept = b""
            async for chunk in answer.content.iter_any():
                if read <= ANSWER_KEPT:  # one byte past the limit says the answer was longer
                    kept += chunk[: ANSWER_KEPT + 1 - read]
                read += len(chunk)
                if read > ANSWER_LIMIT:
                    answer.close()
                    break
            return Reply(answer.status, kept)

    async def aclose(self) -> None:
        await self._session.close()
