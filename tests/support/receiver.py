"""A callback receiver that runs as its own process and writes every POST it gets to a JSONL file.

python receiver.py --port 9001 --log received.jsonl [--fail-first 3] [--fail-status 500] [--delay 0]
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--fail-status", type=int, default=500)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    lock = threading.Lock()
    seen = {"count": 0}
    log = open(args.log, "a", buffering=1)  # noqa: SIM115 - open for the receiver's whole life

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("content-length", 0))
            body = self.rfile.read(length)
            if len(body) < length:
                return  # the sender died mid-request (a killed worker): no request was made
            if args.delay:
                time.sleep(args.delay)
            with lock:
                seen["count"] += 1
                failing = seen["count"] <= args.fail_first
                status = args.fail_status if failing else 200
                entry = {
                    "received_at": time.time(),
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body.decode(),
                    "answered": status,
                }
                log.write(json.dumps(entry) + "\n")
            # A short answer, as receivers give: the timeline keeps what came back.
            said = f"failing on purpose ({seen['count']} of {args.fail_first})" if failing else "ok"
            answer = said.encode()
            self.send_response(status)
            self.send_header("content-type", "text/plain")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        # socketserver's listen backlog is 5: 64 senders connecting at once overflowed it, and
        # the dropped connections waited a second for their retry. Web servers take hundreds.
        request_queue_size = 512

    server = Server(("127.0.0.1", args.port), Handler)
    print(f"receiving on {args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
