"""Fetching client-supplied URLs without letting a client reach our private network (SSRF).

The address check lives in the httpcore network backend, where the connection is made: we
resolve the name ourselves, vet every address, then connect to the vetted address. A checked
name can therefore never be re-resolved to another address before connecting (DNS rebinding),
and every redirect hop goes through the same gate. TLS still verifies the original host name,
because httpcore passes it as `server_hostname` to `start_tls` whatever address we dialled.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import typing
from dataclasses import dataclass, field

import anyio
import certifi
import httpcore
import httpx

from reelay.domain.errors import InputError

MAX_URL_LENGTH = 2048
MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that always mean "this machine" or a cloud metadata service, whatever DNS says.
_LOCAL_NAMES = {
    "localhost",
    "localhost.localdomain",
    "ip6-localhost",
    "ip6-loopback",
    "metadata",
    "metadata.google.internal",
}
# Cloud metadata endpoints: refused even when private addresses are allowed, since no
# development setup needs them and they hand out credentials.
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
# Not covered by `is_private` on every Python version.
_EXTRA_BLOCKED = [ipaddress.ip_network("100.64.0.0/10"), ipaddress.ip_network("192.0.0.0/24")]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Generic types mean "the server does not know"; Runway refuses them for images, so do we.
_GENERIC_TYPES = {"application/octet-stream", "binary/octet-stream", "application/unknown"}


class UnsafeAddress(Exception):
    """A URL's host is, or resolves to, an address we must not connect to."""

    def __init__(self, address: str, host: str | None = None) -> None:
        if host and host != address:
            super().__init__(f"host {host} resolves to {address}, which is not public")
        else:
            super().__init__(f"address {address} is not public")
        self.address = address


class ResolveFailed(Exception):
    """A URL's host name does not resolve."""

    def __init__(self, host: str) -> None:
        super().__init__(f"host {host} does not resolve")
        self.host = host


@dataclass(frozen=True)
class FetchPolicy:
    allow_private: bool = False  # allows http:// and loopback/private/link-local addresses
    resolve_overrides: dict[tuple[str, int], str] = field(default_factory=dict)  # curl --resolve
    connect_ports: dict[tuple[str, int], int] = field(default_factory=dict)  # curl --connect-to
    ca_bundle: str | None = None  # extra PEM CA file, trusted on top of certifi and the system
    timeout: float = 20.0

    @classmethod
    def from_settings(cls, settings: typing.Any) -> FetchPolicy:
        return cls(
            allow_private=settings.allow_private_urls,
            resolve_overrides=parse_resolve(settings.resolve),
            connect_ports=parse_connect_ports(settings.resolve),
            ca_bundle=settings.ca_bundle or None,
            timeout=settings.fetch_timeout_seconds,
        )


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str
    final_url: str


def parse_resolve(value: str) -> dict[tuple[str, int], str]:
    """Parse curl-style overrides: "host:port:address,host2:443:[::1]"."""
    return {(host, port): address for host, port, address, _ in _resolve_entries(value)}


def parse_connect_ports(value: str) -> dict[tuple[str, int], int]:
    """The optional fourth part, "host:443:127.0.0.1:8443": connect to another port too."""
    return {(host, port): target for host, port, _, target in _resolve_entries(value) if target}


def _resolve_entries(value: str) -> list[tuple[str, int, str, int | None]]:
    entries = []
    for entry in filter(None, (part.strip() for part in value.split(","))):
        host, _, rest = entry.partition(":")
        port, _, address = rest.partition(":")
        target = None
        if address.startswith("["):
            address, _, tail = address[1:].partition("]")
            target = tail.lstrip(":") or None
        elif address.count(":") == 1:
            address, target = address.split(":")
        try:
            ipaddress.ip_address(address)
            entries.append((host.lower(), int(port), address, int(target) if target else None))
        except ValueError:
            raise ValueError(f"resolve entry {entry!r} is not host:port:address[:port]") from None
    return entries


def is_public_address(ip: IPAddress) -> bool:
    """True for an address on the public internet, the only kind a client may make us reach."""
    if ip.version == 6:
        # An IPv6 address that embeds an IPv4 one reaches that IPv4 address.
        if ip.ipv4_mapped is not None:
            return is_public_address(ip.ipv4_mapped)
        embedded = ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public_address(embedded):
            return False
    blocked = (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )
    return not blocked and not any(ip in net for net in _EXTRA_BLOCKED if net.version == ip.version)


def _allowed(ip: IPAddress, policy: FetchPolicy) -> bool:
    if ip in _METADATA:
        return False
    return policy.allow_private or is_public_address(ip)


def _literal_ip(host: str) -> IPAddress | None:
    """The address a host names literally, including legacy IPv4 forms like 2130706433 or 0x7f.1."""
    try:
        return ipaddress.ip_address(host.split("%")[0] if ":" in host else host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefx." for c in host.lower()):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))  # what getaddrinfo would do
        except OSError:
            pass
    return None


def check_url_syntax(url: str, *, field: str, policy: FetchPolicy, allow_http: bool = False) -> None:
    """Refuse a URL we would never fetch, without DNS (callback hosts may not resolve from here)."""
    if not isinstance(url, str) or not url:
        raise InputError(field, "must be a URL")
    if len(url) > MAX_URL_LENGTH:
        raise InputError(field, f"URL is longer than {MAX_URL_LENGTH} characters")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise InputError(field, "is not a valid URL") from None
    schemes = {"https", "http"} if (policy.allow_private or allow_http) else {"https"}
    if parsed.scheme not in schemes:
        raise InputError(field, "URL must use " + " or ".join(sorted(schemes, reverse=True)))
    host = parsed.host.lower().rstrip(".")
    if not host:
        raise InputError(field, "URL has no host")
    ip = _literal_ip(host)
    if ip is not None:
        if not _allowed(ip, policy):
            raise InputError(field, f"address {ip} is not public")
    elif not policy.allow_private and (host in _LOCAL_NAMES or host.endswith(".localhost")):
        raise InputError(field, f"host {host} is not public")


async def resolve_vetted(host: str, port: int, policy: FetchPolicy, timeout: float | None) -> tuple[list[str], int]:
    """The addresses to connect to for host:port, and the port: every one vetted, or UnsafeAddress.
    A connection made only to these can never reach an address re-resolved after the check."""
    host = host.lower().rstrip(".")
    override = policy.resolve_overrides.get((host, port))
    literal = _literal_ip(host)
    if override is not None:
        addresses = [override]
    elif literal is not None:
        addresses = [str(literal)]
    else:
        try:
            with anyio.fail_after(timeout):
                infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError:  # an OSError too, but not a name that does not resolve
            raise
        except (OSError, UnicodeError):
            raise ResolveFailed(host) from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    # A name with any non-public address is refused outright: it is either a mistake
    # or someone trying to steer us inside.
    for address in addresses:
        if not _allowed(ipaddress.ip_address(address.split("%")[0]), policy):
            raise UnsafeAddress(address, host)
    return addresses, policy.connect_ports.get((host, port), port)


class SafeBackend(httpcore.AsyncNetworkBackend):
    """Resolves and vets the host itself, then connects to the vetted address."""

    def __init__(self, policy: FetchPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses, port = await resolve_vetted(host, port, self._policy, timeout)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        error: Exception = ResolveFailed(host)
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: typing.Any = None
    ) -> httpcore.AsyncNetworkStream:
        raise UnsafeAddress(path)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@functools.lru_cache(maxsize=8)
def ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    # Loading trust stores takes tens of milliseconds, so contexts are built once per bundle.
    context = ssl.create_default_context()  # system trust store
    context.load_verify_locations(certifi.where())
    if ca_bundle:
        context.load_verify_locations(ca_bundle)
    return context


class _SafeTransport(httpx.AsyncHTTPTransport):
    def __init__(self, policy: FetchPolicy) -> None:
        context = ssl_context(policy.ca_bundle)
        super().__init__(verify=context, trust_env=False)
        # httpx has no public hook for the network backend, so swap in a pool that uses ours.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            network_backend=SafeBackend(policy),
            max_connections=20,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
        )


def make_client(policy: FetchPolicy) -> httpx.AsyncClient:
    # trust_env=False: an environment proxy would make the connection for us, unchecked.
    return httpx.AsyncClient(
        transport=_SafeTransport(policy),
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(policy.timeout),
        headers={"User-Agent": "Reelay"},
    )


def describe_failure(exc: BaseException, url: httpx.URL, policy: FetchPolicy) -> str:
    """A sentence for the client about why a request failed, from the whole cause chain."""
    chain: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in chain:
        chain.append(link)
        link = link.__cause__ or link.__context__
    for cause in chain:
        if isinstance(cause, (UnsafeAddress, ResolveFailed)):
            return str(cause)
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate of {url.host} could not be verified ({cause.verify_message})"
        if isinstance(cause, ssl.SSLError):
            return f"TLS connection to {url.host} failed ({cause.reason or cause})"
    if any(isinstance(c, (httpx.TimeoutException, TimeoutError)) for c in chain):
        return f"URL did not answer within {policy.timeout:g} seconds"
    if any(isinstance(c, (httpx.ConnectError, ConnectionError)) for c in chain):
        return f"could not connect to {url.host}"
    return f"URL could not be fetched ({type(chain[0]).__name__})"


def format_size(n: int) -> str:
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} bytes"


def _check_content_type(content_type: str, accept_prefix: str | None, field: str) -> None:
    if accept_prefix is None:
        return
    if not content_type.startswith(accept_prefix) or content_type in _GENERIC_TYPES:
        shown = content_type or "none"
        raise InputError(field, f"URL answered with content type {shown}, expected {accept_prefix}*")


async def fetch_bytes(
    url: str,
    *,
    field: str,
    policy: FetchPolicy,
    max_bytes: int,
    accept_prefix: str | None = None,
    client: httpx.AsyncClient | None = None,
) -> Fetched:
    """GET a client-supplied URL safely. Every failure is an InputError naming `field`."""
    own_client = client is None
    client = client or make_client(policy)
    try:
        # One deadline for the whole fetch, so a slow drip of bytes cannot hold us forever.
        with anyio.fail_after(policy.timeout):
            return await _fetch(client, url, field, policy, max_bytes, accept_prefix)
    except TimeoutError:
        raise InputError(field, f"URL did not answer within {policy.timeout:g} seconds") from None
    finally:
        if own_client:
            await client.aclose()


async def _fetch(
    client: httpx.AsyncClient, url: str, field: str, policy: FetchPolicy, max_bytes: int, accept_prefix: str | None
) -> Fetched:
    for _ in range(MAX_REDIRECTS + 1):
        check_url_syntax(url, field=field, policy=policy)
        request = client.build_request("GET", url, headers={"Accept-Encoding": "identity"})
        try:
            response = await client.send(request, stream=True, follow_redirects=False)
        except Exception as exc:  # whatever went wrong, the client gets a sentence, not a 500
            raise InputError(field, describe_failure(exc, request.url, policy)) from None
        try:
            if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                try:
                    url = str(request.url.join(response.headers["location"]))
                except httpx.InvalidURL:
                    raise InputError(field, "URL redirected to an invalid URL") from None
                continue
            if not 200 <= response.status_code < 300:
                raise InputError(field, f"URL answered HTTP {response.status_code}")
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            _check_content_type(content_type, accept_prefix, field)
            data = await _read_limited(response, request.url, field, policy, max_bytes)
            return Fetched(data=data, content_type=content_type, final_url=str(request.url))
        finally:
            await response.aclose()
    raise InputError(field, f"URL redirected more than {MAX_REDIRECTS} times")


async def _read_limited(
    response: httpx.Response, url: httpx.URL, field: str, policy: FetchPolicy, max_bytes: int
) -> bytes:
    too_big = f"URL body is larger than the {format_size(max_bytes)} limit"
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise InputError(field, too_big)
    body = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > max_bytes:  # stop reading at once, whatever the headers said
                raise InputError(field, too_big)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(field, describe_failure(exc, url, policy)) from None
    return bytes(body)
