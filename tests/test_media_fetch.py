"""Safe fetching against real local HTTP(S) servers: no mocks of httpx or of the network."""

from __future__ import annotations

import contextlib
import io
import ipaddress
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme
from PIL import Image

from reelay.domain.errors import InputError
from reelay.media import fetch
from reelay.media.fetch import FetchPolicy, check_url_syntax, fetch_bytes, make_client
from reelay.settings import Settings

PNG = io.BytesIO()
Image.new("RGB", (8, 6), "red").save(PNG, "PNG")
PNG = PNG.getvalue()


# --- a real server -----------------------------------------------------------------------------


def respond(status=200, body=b"", content_type="image/png", headers=(), length=True):
    def route(handler):
        handler.send_response(status)
        if content_type:
            handler.send_header("Content-Type", content_type)
        for name, value in headers:
            handler.send_header(name, value)
        if length:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()  # HTTP/1.0: without a length, the body ends when we close
        handler.wfile.write(body)

    return route


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.routes.get(self.path, respond(404, b"not found", "text/plain"))(self)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients hanging up on purpose (limits, timeouts, bad certificates) are expected


@contextlib.contextmanager
def serve(routes, *, host="127.0.0.1", ssl_context=None):
    server = Server((host, 0), Handler)
    server.routes = routes
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def url(server, path, host=None):
    scheme = "https" if isinstance(server.socket, ssl.SSLSocket) else "http"
    return f"{scheme}://{host or server.server_address[0]}:{server.server_address[1]}{path}"


def endless(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "image/png")
    handler.end_headers()
    handler.server.sent = 0
    with contextlib.suppress(OSError):
        for _ in range(10_000):  # 640 MB if nobody hangs up
            handler.wfile.write(b"\0" * 65536)
            handler.server.sent += 65536


def slow(handler):
    time.sleep(2)
    respond(body=PNG)(handler)


@pytest.fixture(scope="module")
def http():
    routes = {
        "/img.png": respond(body=PNG),
        "/img-charset.png": respond(body=PNG, content_type="Image/PNG; charset=binary"),
        "/octet": respond(body=PNG, content_type="application/octet-stream"),
        "/binary-octet": respond(body=PNG, content_type="binary/octet-stream"),
        "/no-type": respond(body=PNG, content_type=None),
        "/html": respond(body=b"<html></html>", content_type="text/html"),
        "/big": respond(body=b"\0" * 5000),
        "/big-no-length": respond(body=b"\0" * 5000, length=False),
        "/endless": endless,
        "/slow": slow,
        "/server-error": respond(500, b"oops", "text/plain"),
        "/redirect-no-location": respond(302, b"", "text/plain"),
    }
    for n in range(2, 8):  # /redirect/n takes n hops to the image
        routes[f"/redirect/{n}"] = respond(302, headers=[("Location", f"/redirect/{n - 1}")])
    routes["/redirect/1"] = respond(301, headers=[("Location", "/img.png")])
    with serve(routes) as server:
        yield server


LOCAL = FetchPolicy(allow_private=True, timeout=5)


async def fails(url, *, policy=LOCAL, field="image", **kwargs) -> str:
    kwargs.setdefault("max_bytes", 1_000_000)
    with pytest.raises(InputError) as info:
        await fetch_bytes(url, field=field, policy=policy, **kwargs)
    assert info.value.field == field
    assert info.value.message.startswith(f"{field}: ")
    return info.value.message


# --- check_url_syntax -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad, reason",
    [
        ("", "must be a URL"),
        ("ftp://example.com/a.png", "must use https"),
        ("http://example.com/a.png", "must use https"),
        ("https:///a.png", "no host"),
        ("https://example.com/" + "a" * 2048, "longer than 2048"),
        ("https://127.0.0.1/a.png", "address 127.0.0.1 is not public"),
        ("https://10.1.2.3/a.png", "address 10.1.2.3 is not public"),
        ("https://192.168.0.1/", "not public"),
        ("https://169.254.169.254/latest/meta-data/", "address 169.254.169.254 is not public"),
        ("https://100.64.0.1/", "not public"),
        ("https://0.0.0.0/", "not public"),
        ("https://224.0.0.1/", "not public"),
        ("https://[::1]/", "address ::1 is not public"),
        ("https://[::ffff:127.0.0.1]/", "not public"),
        ("https://[fe80::1]/", "not public"),
        ("https://[fd00:ec2::254]/", "not public"),
        ("https://2130706433/", "address 127.0.0.1 is not public"),  # decimal form of 127.0.0.1
        ("https://0x7f.1/", "address 127.0.0.1 is not public"),
        ("https://localhost/a.png", "host localhost is not public"),
        ("https://LocalHost./a.png", "host localhost is not public"),
        ("https://app.localhost/a.png", "not public"),
        ("https://metadata.google.internal/", "not public"),
    ],
)
def test_check_url_syntax_refuses(bad, reason):
    with pytest.raises(InputError) as info:
        check_url_syntax(bad, field="callback_url", policy=FetchPolicy())
    assert info.value.field == "callback_url"
    assert reason in info.value.message


@pytest.mark.parametrize(
    "good",
    [
        "https://example.com/a.png",
        "https://8.8.8.8/a.png",
        "https://[2001:4860:4860::8888]/a.png",
        "https://user:pw@example.com:8443/a.png?x=1",
        "https://callbacks.internal.example/hook",  # not resolvable from here: no DNS at this stage
    ],
)
def test_check_url_syntax_accepts(good):
    check_url_syntax(good, field="callback_url", policy=FetchPolicy())


def test_check_url_syntax_http_and_private_switches():
    check_url_syntax("http://example.com/", field="f", policy=FetchPolicy(), allow_http=True)
    with pytest.raises(InputError, match=r"address 127.0.0.1 is not public"):
        check_url_syntax("http://127.0.0.1/", field="f", policy=FetchPolicy(), allow_http=True)
    dev = FetchPolicy(allow_private=True)
    check_url_syntax("http://127.0.0.1:8000/", field="f", policy=dev)
    check_url_syntax("http://localhost:8000/", field="f", policy=dev)
    # Metadata endpoints hand out credentials; no development setup needs them.
    with pytest.raises(InputError, match=r"169.254.169.254 is not public"):
        check_url_syntax("http://169.254.169.254/", field="f", policy=dev)


@pytest.mark.parametrize(
    "address, public",
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("::ffff:8.8.8.8", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.1.1", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("255.255.255.255", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("::", False),
        ("fc00::1", False),
        ("fe80::1", False),
        ("ff02::1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::", False),
        ("64:ff9b::7f00:1", False),
    ],
)
def test_is_public_address(address, public):
    assert fetch.is_public_address(ipaddress.ip_address(address)) is public


def test_policy_from_settings(tmp_path):
    settings = Settings(
        resolve="Images.example.test:443:127.0.0.1, v6.test:8443:[::1]",
        ca_bundle="/etc/ca.pem",
        fetch_timeout_seconds=3,
        allow_private_urls=True,
    )
    policy = FetchPolicy.from_settings(settings)
    assert policy.resolve_overrides == {("images.example.test", 443): "127.0.0.1", ("v6.test", 8443): "::1"}
    assert policy == FetchPolicy(True, policy.resolve_overrides, {}, "/etc/ca.pem", 3)
    ported = FetchPolicy.from_settings(Settings(resolve="a.test:443:127.0.0.1:8443,b.test:443:[::1]:9443"))
    assert ported.resolve_overrides == {("a.test", 443): "127.0.0.1", ("b.test", 443): "::1"}
    assert ported.connect_ports == {("a.test", 443): 8443, ("b.test", 443): 9443}
    assert FetchPolicy.from_settings(Settings()) == FetchPolicy()
    with pytest.raises(ValueError, match="host:port:address"):
        FetchPolicy.from_settings(Settings(resolve="no-port.test"))


# --- fetch_bytes over plain http ------------------------------------------------------------


async def test_fetch_ok(http):
    fetched = await fetch_bytes(
        url(http, "/img.png"), field="image", policy=LOCAL, max_bytes=10_000, accept_prefix="image/"
    )
    assert fetched.data == PNG
    assert fetched.content_type == "image/png"
    assert fetched.final_url == url(http, "/img.png")


async def test_fetch_with_shared_client_and_type_parameters(http):
    async with make_client(LOCAL) as client:
        for _ in range(2):
            fetched = await fetch_bytes(
                url(http, "/img-charset.png"),
                field="image",
                policy=LOCAL,
                max_bytes=10_000,
                accept_prefix="image/",
                client=client,
            )
            assert fetched.content_type == "image/png"
        assert not client.is_closed


async def test_private_literal_refused(http):
    # Refused before any connection, whatever the scheme.
    assert "URL must use https" in await fails(url(http, "/img.png"), policy=FetchPolicy())
    https_url = url(http, "/img.png").replace("http://", "https://")
    assert "address 127.0.0.1 is not public" in await fails(https_url, policy=FetchPolicy())


async def test_private_after_resolution_refused(http):
    # The name passes the syntax check; only resolution shows where it leads.
    port = http.server_address[1]
    policy = FetchPolicy(resolve_overrides={("sneaky.example.test", port): "127.0.0.1"}, timeout=5)
    reason = await fails(f"https://sneaky.example.test:{port}/img.png", policy=policy)
    assert "host sneaky.example.test resolves to 127.0.0.1, which is not public" in reason


async def test_resolve_override_used(http):
    port = http.server_address[1]
    policy = FetchPolicy(allow_private=True, resolve_overrides={("img.test", port): "127.0.0.1"})
    fetched = await fetch_bytes(f"http://IMG.test:{port}/img.png", field="image", policy=policy, max_bytes=10_000)
    assert fetched.data == PNG


@pytest.mark.parametrize("path", ["/octet", "/binary-octet", "/no-type", "/html"])
async def test_content_type_refused(http, path):
    reason = await fails(url(http, path), accept_prefix="image/")
    assert "content type" in reason and "expected image/*" in reason


async def test_content_type_not_checked_without_prefix(http):
    fetched = await fetch_bytes(url(http, "/html"), field="f", policy=LOCAL, max_bytes=100)
    assert fetched.content_type == "text/html"


@pytest.mark.parametrize("path, status", [("/missing", 404), ("/server-error", 500), ("/redirect-no-location", 302)])
async def test_http_status_refused(http, path, status):
    assert await fails(url(http, path), field="promptImage") == (f"promptImage: URL answered HTTP {status}")


@pytest.mark.parametrize("path", ["/big", "/big-no-length"])
async def test_oversize_refused(http, path):
    assert "URL body is larger than the 4000 bytes limit" in await fails(url(http, path), max_bytes=4000)
    await fetch_bytes(url(http, path), field="f", policy=LOCAL, max_bytes=5000)  # exactly at the limit


async def test_endless_body_stops_early(http):
    assert "larger than the 1 MB limit" in await fails(url(http, "/endless"), max_bytes=1024 * 1024)
    # We hung up long before the server's 640 MB were out (socket buffers hold a few MB).
    assert http.sent < 64 * 1024 * 1024


async def test_redirect_chain(http):
    fetched = await fetch_bytes(
        url(http, "/redirect/5"), field="image", policy=LOCAL, max_bytes=10_000, accept_prefix="image/"
    )
    assert fetched.data == PNG
    assert fetched.final_url == url(http, "/img.png")
    assert "redirected more than 5 times" in await fails(url(http, "/redirect/6"))


async def test_timeout(http):
    reason = await fails(url(http, "/slow"), policy=FetchPolicy(allow_private=True, timeout=0.5))
    assert "did not answer within 0.5 seconds" in reason


async def test_unresolvable_host():
    assert "host nothing.invalid does not resolve" in await fails("http://nothing.invalid/a.png")


async def test_connection_refused():
    with serve({}) as server:
        closed = url(server, "/img.png")
    assert "could not connect to 127.0.0.1" in await fails(closed)


# --- redirects to private addresses, from a server the test treats as public -------------------


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture
def cdn(ca, tmp_path, monkeypatch):
    """https://cdn.example.test on 127.0.0.2, which counts as public for this test only."""
    real = fetch.is_public_address
    monkeypatch.setattr(fetch, "is_public_address", lambda ip: str(ip) == "127.0.0.2" or real(ip))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("cdn.example.test").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    routes = {"/img.png": respond(body=PNG)}
    with serve(routes, host="127.0.0.2", ssl_context=context) as server:
        port = server.server_address[1]
        overrides = {("cdn.example.test", port): "127.0.0.2", ("inside.example.test", port): "127.0.0.1"}
        server.policy = FetchPolicy(resolve_overrides=overrides, ca_bundle=str(ca_file), timeout=5)
        server.base = f"https://cdn.example.test:{port}"
        yield server


async def test_public_server_reachable(cdn):
    fetched = await fetch_bytes(
        cdn.base + "/img.png", field="image", policy=cdn.policy, max_bytes=10_000, accept_prefix="image/"
    )
    assert fetched.data == PNG


@pytest.mark.parametrize(
    "location, reason",
    [
        ("https://127.0.0.1:{port}/img.png", "address 127.0.0.1 is not public"),
        (
            "https://inside.example.test:{port}/img.png",
            "host inside.example.test resolves to 127.0.0.1, which is not public",
        ),
        ("http://cdn.example.test:{port}/img.png", "URL must use https"),
    ],
)
async def test_redirect_to_private_refused(cdn, location, reason):
    port = cdn.server_address[1]
    cdn.routes["/hop"] = respond(302, headers=[("Location", location.format(port=port))])
    assert reason in await fails(cdn.base + "/hop", policy=cdn.policy)
