"""A real S3-protocol server for tests: moto's server in its own process, checking presigned URLs.

moto accepts any credentials and, on its own, serves a presigned URL whatever its signature or
expiry. Real S3 and MinIO refuse a bad or expired one with 403, so the server run here puts a
small SigV4 query-signature check (written from AWS's spec, not botocore's signer) in front of
moto. Requests signed in the Authorization header (every boto3 call) pass through untouched.

    with moto_s3() as (endpoint_url, bucket, env):        # env: REELAY_STORAGE_URL, REELAY_S3_*
        ReelayProcess(data_dir, extra_env=env).start()

Run as a script, this file is the server: `python tests/support/s3.py --port 5000`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, quote

ACCESS_KEY = "testing"  # moto takes any; the presign check knows this pair
SECRET_KEY = "testing"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class MotoS3:
    """One moto server process with one bucket; `env` points a Reelay process at it."""

    bucket: str = "reelay"
    prefix: str = "results"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log: Path | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def storage_url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    @property
    def env(self) -> dict[str, str]:
        return {
            "REELAY_STORAGE_URL": self.storage_url,
            "REELAY_S3_ENDPOINT_URL": self.endpoint_url,
            "REELAY_S3_REGION": REGION,
            "REELAY_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "REELAY_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(s3={"addressing_style": "path"}),
        )

    def start(self, timeout: float = 30) -> MotoS3:
        import httpx

        fd, name = tempfile.mkstemp(prefix="moto-s3-", suffix=".log")
        self.log = Path(name)
        with os.fdopen(fd, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, __file__, "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto server exited at start:\n{self.log.read_text()[-3000:]}")
            try:
                httpx.get(self.endpoint_url + "/", timeout=1)  # any answer (ListBuckets): it listens
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto server did not answer within {timeout} s") from None
                time.sleep(0.1)
        self.client().create_bucket(Bucket=self.bucket)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.unlink(missing_ok=True)


@contextmanager
def moto_s3(bucket: str = "reelay", prefix: str = "results"):
    """Yields (endpoint_url, bucket, env) for a running moto server holding `bucket`."""
    server = MotoS3(bucket=bucket, prefix=prefix).start()
    try:
        yield server.endpoint_url, server.bucket, server.env
    finally:
        server.stop()


# --- The server process ------------------------------------------------------------------------


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def presign_error(environ: dict, secrets: dict[str, str], now: datetime) -> tuple[str, str] | None:
    """(code, message) S3 would answer a bad presigned request with; None when valid or not presigned."""
    pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    params = dict(pairs)
    if "X-Amz-Signature" not in params:
        return None
    try:
        if params["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
            return "AuthorizationQueryParametersError", "Only AWS4-HMAC-SHA256 is supported"
        access_key, day, region, service, _ = params["X-Amz-Credential"].split("/")
        amz_date = params["X-Amz-Date"]
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        expires = int(params["X-Amz-Expires"])
        signed_headers = params["X-Amz-SignedHeaders"]
    except (KeyError, ValueError):
        return "AuthorizationQueryParametersError", "Malformed presigned query"
    if access_key not in secrets:
        return "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
    if not 1 <= expires <= 7 * 24 * 3600:
        return "AuthorizationQueryParametersError", "X-Amz-Expires must be between 1 and 604800 seconds"
    if now > signed_at + timedelta(seconds=expires):
        return "AccessDenied", "Request has expired"
    # The canonical request of AWS SigV4 with query-string auth, payload unsigned.
    path = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ["PATH_INFO"]).split("?", 1)[0]
    query = "&".join(
        f"{k}={v}" for k, v in sorted((_encode(k), _encode(v)) for k, v in pairs if k != "X-Amz-Signature")
    )
    headers = "".join(
        f"{name}:{' '.join(environ.get('HTTP_' + name.upper().replace('-', '_'), '').split())}\n"
        for name in signed_headers.split(";")
    )
    canonical = "\n".join([environ["REQUEST_METHOD"], path, query, headers, signed_headers, "UNSIGNED-PAYLOAD"])
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secrets[access_key]}".encode(), day), region), service), "aws4_request")
    if not hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), params["X-Amz-Signature"]):
        return "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."
    return None


def _condition_error(condition, fields: dict[str, str], size: int) -> str | None:
    """Why a form breaks one condition of its POST policy (AWS's POST policy spec), or None."""
    if isinstance(condition, dict):
        ((name, expected),) = condition.items()
        return (
            None
            if fields.get(name.lower()) == expected
            else f"Policy Condition failed: ['eq', '${name}', '{expected}']"
        )
    operator, *rest = condition
    if operator == "content-length-range":
        low, high = rest
        return None if int(low) <= size <= int(high) else "EntityTooLarge" if size > int(high) else "EntityTooSmall"
    name, expected = rest[0].lstrip("$").lower(), rest[1]
    value = fields.get(name, "")
    ok = value == expected if operator == "eq" else value.startswith(expected) if operator == "starts-with" else False
    return None if ok else f"Policy Condition failed: {condition}"


def post_policy_error(environ: dict, body: bytes, secrets: dict[str, str], now: datetime) -> tuple[str, str] | None:
    """(code, message) S3 answers a browser-style POST upload with when its policy refuses it;
    None when it is valid or not such a POST (moto itself checks no policy)."""
    from io import BytesIO

    from werkzeug.formparser import parse_form_data

    bucket = environ["PATH_INFO"].strip("/")
    if environ["REQUEST_METHOD"] != "POST" or not bucket or "/" in bucket:
        return None
    if not environ.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
        return None
    _, form, files = parse_form_data({**environ, "wsgi.input": BytesIO(body)})
    fields = {name.lower(): value for name, value in form.items()}
    if "policy" not in fields:
        return None
    try:
        policy = json.loads(base64.b64decode(fields["policy"]))
        access_key, day, region, service, _ = fields["x-amz-credential"].split("/")
        expiration = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (KeyError, ValueError):
        return "InvalidPolicyDocument", "Invalid Policy: malformed"
    if access_key not in secrets:
        return "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
    key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secrets[access_key]}".encode(), day), region), service), "aws4_request")
    expected = hmac.new(key, fields["policy"].encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields.get("x-amz-signature", "")):
        return "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."
    if now > expiration:
        return "AccessDenied", "Invalid according to Policy: Policy expired."
    upload = files.get("file")
    size = len(upload.read()) if upload else 0
    named = {"bucket"}
    for condition in policy["conditions"]:
        if isinstance(condition, dict):
            named |= {name.lower() for name in condition}
        elif condition[0] != "content-length-range":
            named.add(condition[1].lstrip("$").lower())
        error = _condition_error(condition, {**fields, "bucket": bucket}, size)
        if error in ("EntityTooLarge", "EntityTooSmall"):
            return (
                error,
                f"Your proposed upload is {'larger' if error == 'EntityTooLarge' else 'smaller'} than allowed.",
            )
        if error:
            return "AccessDenied", f"Invalid according to Policy: {error}"
    signing = {"policy", "x-amz-signature", "file"}
    stray = [name for name in fields if name not in named | signing and not name.startswith("x-ignore-")]
    if stray:
        return "AccessDenied", f"Invalid according to Policy: Extra input fields: {stray[0]}"
    return None


def checking_presigned_urls(app, secrets: dict[str, str]):
    def middleware(environ, start_response):
        from io import BytesIO

        error = presign_error(environ, secrets, datetime.now(UTC))
        if error is None and environ["REQUEST_METHOD"] == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = BytesIO(body)  # moto reads it again
            error = post_policy_error(environ, body, secrets, datetime.now(UTC))
        if error is None:
            return app(environ, start_response)
        code, message = error
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
        status = (
            "400 Bad Request"
            if code in ("EntityTooLarge", "EntityTooSmall", "InvalidPolicyDocument")
            else "403 Forbidden"
        )
        start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
        return [body.encode()]

    return middleware


def main() -> None:
    import logging

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    app = checking_presigned_urls(DomainDispatcherApplication(create_backend_app), {ACCESS_KEY: SECRET_KEY})
    run_simple("127.0.0.1", args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()


_shared: MotoS3 | None = None


def bucket_env(name: str) -> dict[str, str]:
    """Env for a Reelay process on its own bucket of one moto server shared by the session."""
    global _shared
    if _shared is None:
        _shared = MotoS3(bucket="reelay-shared").start()
        import atexit

        atexit.register(stop_shared)
    bucket = "".join(c if c.isalnum() else "-" for c in name.lower())[:50].strip("-") or "reelay"
    try:
        _shared.client().create_bucket(Bucket=bucket)
    except Exception as error:  # already there: a restart of the same data dir
        if "BucketAlreadyOwnedByYou" not in str(error) and "BucketAlreadyExists" not in str(error):
            raise
    return {**_shared.env, "REELAY_STORAGE_URL": f"s3://{bucket}/results"}


def stop_shared() -> None:
    """At the session's end, before it checks that nothing it started still runs."""
    global _shared
    if _shared is not None:
        _shared.stop()
        _shared = None
