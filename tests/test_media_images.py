"""Image loading: data URIs, real http(s) servers, real decoding with Pillow."""

from __future__ import annotations

import base64
import contextlib
import io
import ssl
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme
from PIL import Image

from reelay.domain.errors import InputError
from reelay.media.fetch import FetchPolicy
from reelay.media.images import LoadedImage, load_image, load_image_sync_decode


def encode(fmt, size=(32, 24), mode="RGB"):
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 90)).save(out, fmt)
    return out.getvalue()


def png_header_only(width, height):
    """A PNG whose header claims a size, with no real pixels: a decompression bomb's shape."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


PNG, JPEG, WEBP = encode("PNG"), encode("JPEG"), encode("WEBP")
GIF = encode("GIF")


def data_uri(data, content_type="image/png"):
    return f"data:{content_type};base64," + base64.b64encode(data).decode()


# --- a real server -----------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body, content_type = self.server.routes.get(self.path, (b"not found", None))
        self.send_response(200 if content_type else 404)
        self.send_header("Content-Type", content_type or "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients hanging up on purpose (limits, timeouts, bad certificates) are expected


@contextlib.contextmanager
def serve(routes, ssl_context=None):
    server = Server(("127.0.0.1", 0), Handler)
    server.routes = routes
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


ROUTES = {
    "/a.png": (PNG, "image/png"),
    "/a.jpg": (JPEG, "image/jpeg"),
    "/a.webp": (WEBP, "image/webp"),
    "/a.gif": (GIF, "image/gif"),
    "/jpeg-labelled-png": (JPEG, "image/png"),
    "/not-an-image": (b"<html>hello</html>", "image/png"),
    "/octet.png": (PNG, "application/octet-stream"),
    "/big.png": (encode("PNG", (300, 200)), "image/png"),
}


@pytest.fixture(scope="module")
def http():
    with serve(ROUTES) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


LIMITS = dict(url_max_bytes=1024 * 1024, data_uri_max_bytes=1024 * 1024, max_pixels=40_000_000)
LOCAL = FetchPolicy(allow_private=True, timeout=5)


async def load(value, *, field="image", policy=LOCAL, **kwargs):
    return await load_image(value, field=field, policy=policy, **{**LIMITS, **kwargs})


async def fails(value, *, field="image", **kwargs) -> str:
    with pytest.raises(InputError) as info:
        await load(value, field=field, **kwargs)
    assert info.value.field == field
    return info.value.message


# --- URLs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, content_type, extension, data",
    [
        ("/a.png", "image/png", "png", PNG),
        ("/a.jpg", "image/jpeg", "jpg", JPEG),
        ("/a.webp", "image/webp", "webp", WEBP),
        ("/jpeg-labelled-png", "image/jpeg", "jpg", JPEG),  # the bytes decide, not the label
    ],
)
async def test_url_images(http, path, content_type, extension, data):
    image = await load(http + path)
    assert image == LoadedImage(data=data, content_type=content_type, width=32, height=24, extension=extension)


async def test_url_failures(http):
    assert await fails(http + "/missing.png") == "image: URL answered HTTP 404"
    assert "only JPEG, PNG and WebP" in await fails(http + "/a.gif")
    assert "could not be decoded" in await fails(http + "/not-an-image")
    assert "content type application/octet-stream" in await fails(http + "/octet.png")
    assert "larger than the 50 bytes limit" in await fails(http + "/a.png", url_max_bytes=50)
    assert await fails(http + "/big.png", field="promptImage", max_pixels=50_000) == (
        "promptImage: image is 300x200 pixels, more than the 50000 pixel limit"
    )


async def test_url_private_refused(http):
    assert "address 127.0.0.1 is not public" in await fails(
        http.replace("http:", "https:") + "/a.png", policy=FetchPolicy()
    )
    assert "must use https" in await fails(http + "/a.png", policy=FetchPolicy())


# --- https with a private CA, through a resolve override ------------------------------------------


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory):
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("images.example.test").configure_cert(context)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    with serve(ROUTES, ssl_context=context) as server:
        port = server.server_address[1]
        overrides = {("images.example.test", port): "127.0.0.1"}
        yield f"https://images.example.test:{port}", overrides, str(ca_file)


async def test_https_with_extra_ca(tls_site):
    base, overrides, ca_file = tls_site
    policy = FetchPolicy(allow_private=True, resolve_overrides=overrides, ca_bundle=ca_file)
    image = await load(base + "/a.webp", policy=policy)
    assert (image.content_type, image.width, image.height) == ("image/webp", 32, 24)


async def test_https_without_the_ca_fails(tls_site):
    base, overrides, _ = tls_site
    policy = FetchPolicy(allow_private=True, resolve_overrides=overrides, timeout=5)
    reason = await fails(base + "/a.png", policy=policy)
    assert "TLS certificate of images.example.test could not be verified" in reason


async def test_https_checks_the_host_name_not_the_address(tls_site):
    # Same server, same CA, but asked for by another name: its certificate does not match.
    base, _overrides, ca_file = tls_site
    port = base.rsplit(":", 1)[1]
    policy = FetchPolicy(
        allow_private=True,
        ca_bundle=ca_file,
        timeout=5,
        resolve_overrides={("other.example.test", int(port)): "127.0.0.1"},
    )
    reason = await fails(f"https://other.example.test:{port}/a.png", policy=policy)
    assert "could not be verified" in reason


# --- data URIs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, declared, content_type",
    [
        (PNG, "image/png", "image/png"),
        (JPEG, "image/jpeg", "image/jpeg"),
        (JPEG, "image/jpg", "image/jpeg"),
        (WEBP, "image/webp", "image/webp"),
    ],
)
async def test_data_uri_images(data, declared, content_type):
    image = await load(data_uri(data, declared))
    assert (image.data, image.content_type, image.width, image.height) == (data, content_type, 32, 24)


async def test_data_uri_tolerates_case_and_line_breaks():
    encoded = base64.encodebytes(PNG).decode()  # wrapped at 76 characters
    image = await load("DATA:Image/PNG;BASE64," + encoded)
    assert image.data == PNG


@pytest.mark.parametrize(
    "value, reason",
    [
        ("data:image/png," + "abc", "data URI must be base64 image/jpeg, image/png or image/webp"),
        ("data:text/plain;base64,aGVsbG8=", "data URI must be base64 image/jpeg, image/png or image/webp"),
        ("data:image/gif;base64," + base64.b64encode(GIF).decode(), "data URI must be base64"),
        ("data:image/png;base64", "data URI must be base64"),
        ("data:image/png;base64,not*base64!", "data URI is not valid base64"),
        ("data:image/png;base64,abc", "data URI is not valid base64"),  # bad padding
        ("data:image/png;base64,", "data URI is empty"),
        (data_uri(b"plainly not an image"), "image could not be decoded as JPEG, PNG or WebP"),
        (data_uri(GIF), "image is a GIF; only JPEG, PNG and WebP are accepted"),  # GIF bytes, PNG label
        (data_uri(PNG[: len(PNG) // 2]), "could not be decoded"),  # header fine, pixels cut short
        ("", "must be an https URL or a data URI"),
    ],
)
async def test_data_uri_refused(value, reason):
    assert reason in await fails(value)


async def test_data_uri_size_limit():
    assert "data URI image is larger than the 1 KB limit" in await fails(
        data_uri(b"\0" * 1025), data_uri_max_bytes=1024
    )
    # Refused from its length alone, before decoding anything.
    huge = "data:image/png;base64," + "A" * (8 * 1024 * 1024)
    assert "larger than the 5 MB limit" in await fails(huge, data_uri_max_bytes=5 * 1024 * 1024)


# --- decoding limits -----------------------------------------------------------------------------


async def test_pixel_limit_checked_before_decoding():
    # 9000x9000 claimed, almost no data: refused from the header, no 243 MB decode attempted.
    assert await fails(data_uri(png_header_only(9000, 9000)), field="promptImage") == (
        "promptImage: image is 9000x9000 pixels, more than the 40000000 pixel limit"
    )


async def test_decompression_bomb_refused():
    # Past Pillow's own bomb guard, which refuses it inside Image.open.
    reason = await fails(data_uri(png_header_only(30000, 30000)))
    assert reason == "image: image is more than the 40000000 pixel limit"


def test_sync_decode_helper():
    assert load_image_sync_decode(JPEG, field="image", max_pixels=10_000) == (32, 24, "JPEG")
    with pytest.raises(InputError, match="32x24 pixels, more than the 100 pixel limit"):
        load_image_sync_decode(PNG, field="image", max_pixels=100)
