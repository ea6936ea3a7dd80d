"""python -m reelay.emulator --host 127.0.0.1 --port 8900 [--video-size 320x192]"""

from __future__ import annotations

import argparse
import asyncio
import sys

import uvicorn

from .app import create_app
from .media import parse_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reelay.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900, help="0 picks a free port (printed when ready)")
    parser.add_argument("--video-size", default="320x192", help="WxH of the one MP4 served for every task")
    parser.add_argument("--log-limit", type=int, default=100_000, help="entries kept in the request log")
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    try:
        size = parse_size(args.video_size)
    except ValueError as exc:
        parser.error(str(exc))
    app = create_app(size, log_limit=args.log_limit)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        proxy_headers=False,
        lifespan="on",
        timeout_keep_alive=30,
        backlog=4096,
    )
    return asyncio.run(_serve(uvicorn.Server(config), args.host))


async def _serve(server: uvicorn.Server, host: str) -> int:
    serving = asyncio.create_task(server.serve())
    while not server.started:  # print only once the socket accepts connections
        if serving.done():
            await serving
            return 1
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    print(f"emulator listening on http://{host}:{port}", flush=True)
    await serving
    return 0


if __name__ == "__main__":
    sys.exit(main())
