"""Test images made on the spot, and a real HTTPS server that serves them."""

from __future__ import annotations

import base64
import io
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
from PIL import Image


def gradient_image(width: int = 640, height: int = 400, seed: int = 1) -> Image.Image:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 / width, y * 255 / height, (x + y) * 127 / (width + height)], axis=-1)
    blocks = rng.integers(0, 80, size=(height // 40 + 1, width // 40 + 1, 3))
    texture = np.kron(blocks, np.ones((40, 40, 1)))[:height, :width]
    return Image.fromarray(np.clip(base + texture, 0, 255).astype(np.uint8))


def encode(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def data_uri(image: Image.Image, fmt: str = "PNG") -> str:
    return f"data:image/{fmt.lower()};base64,{base64.b64encode(encode(image, fmt)).decode()}"


class ImageServer:
    """Serves {path: (content_type, bytes)} over HTTP or HTTPS on 127.0.0.1."""

    def __init__(self, files: dict[str, tuple[str, bytes]], ssl_context: ssl.SSLContext | None = None) -> None:
        self.files = files
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append(self.path)
                found = outer.files.get(self.path)
                if found is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                content_type, body = found
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if ssl_context is not None:
            self.server.socket = ssl_context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
