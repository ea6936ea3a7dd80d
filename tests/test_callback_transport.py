"""The callbacks' aiohttp client against a real local server: the address rules of media/fetch.py
hold, redirects are not followed, and one kept-alive connection carries many POSTs."""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from reelay.callbacks.transport import CallbackClient
from reelay.media.fetch import FetchPolicy, describe_failure


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps the connection open between requests

    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        self.server.seen.append((self.path, self.client_address[1], body))
        redirect = self.path == "/moved"
        self.send_response(302 if redirect else 200)
        if redirect:
            self.send_header("location", "http://127.0.0.1:1/inside")
        answer = b'{"ok":true}'
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        return None  # no line on stderr per request: the test reads `seen`


@contextlib.asynccontextmanager
async def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


async def test_name_resolving_to_private_address_is_refused_before_connecting():
    async with receiver() as server:
        port = server.server_address[1]
        policy = FetchPolicy(resolve_overrides={("hooks.example.test", port): "127.0.0.1"}, timeout=5)
        client = CallbackClient(policy, keep_alive_per_host=4)
        hook = f"http://hooks.example.test:{port}/hook"
        try:
            with pytest.raises(Exception) as refused:
                await client.post(hook, b"{}", {"content-type": "application/json"})
        finally:
            await client.aclose()
        reason = describe_failure(refused.value, httpx.URL(hook), policy)
        assert reason == "host hooks.example.test resolves to 127.0.0.1, which is not public"
        assert server.seen == []


async def test_posts_share_one_connection_and_redirects_are_not_followed():
    async with receiver() as server:
        port = server.server_address[1]
        # A name, an address override and another port: the rules of --resolve apply here too.
        policy = FetchPolicy(
            allow_private=True,
            resolve_overrides={("hooks.test", 80): "127.0.0.1"},
            connect_ports={("hooks.test", 80): port},
            timeout=5,
        )
        client = CallbackClient(policy, keep_alive_per_host=4)
        try:
            statuses = [(await client.post("http://hooks.test/hook", b'{"n":%d}' % n, {})).status for n in range(3)]
            moved = (await client.post("http://hooks.test/moved", b"{}", {})).status
        finally:
            await client.aclose()
        assert statuses == [200, 200, 200] and moved == 302
        assert [(path, body) for path, _, body in server.seen] == [
            ("/hook", b'{"n":0}'),
            ("/hook", b'{"n":1}'),
            ("/hook", b'{"n":2}'),
            ("/moved", b"{}"),
        ]
        assert len({client_port for _, client_port, _ in server.seen}) == 1  # one kept-alive connection
