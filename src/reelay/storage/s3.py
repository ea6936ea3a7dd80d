"""Results in an S3-compatible bucket (AWS S3, MinIO, moto), addressed by key under a prefix."""

from __future__ import annotations

import asyncio
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

MAX_URL_TTL = 7 * 24 * 3600  # SigV4 presigned URLs cannot live longer than a week


class S3StorageError(RuntimeError):
    """The bucket cannot be used: missing, forbidden or unreachable."""


def parse_storage_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ("bucket", "some/prefix")."""
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"storage URL must look like s3://bucket/optional/prefix, not {url!r}")
    return parsed.netloc, parsed.path.strip("/")


def _not_found(error: ClientError) -> bool:
    # HEAD answers carry no body, so a missing key or bucket shows only as "404".
    return error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}


class S3Storage:
    """Clients read results straight from the bucket through presigned GET URLs."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        url_ttl_seconds: int = 24 * 3600,
        multipart_threshold: int = 8 * 1024 * 1024,
    ) -> None:
        if not 1 <= url_ttl_seconds <= MAX_URL_TTL:
            raise ValueError(f"url_ttl_seconds must be 1..{MAX_URL_TTL} for S3 presigned URLs, not {url_ttl_seconds}")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url or None
        self.url_ttl_seconds = url_ttl_seconds
        config = Config(
            region_name=region,
            signature_version="s3v4",  # the only presigning every S3-compatible server accepts
            # One client is shared by every thread: room for several uploads' parts at once.
            max_pool_connections=50,
            retries={"max_attempts": 5, "mode": "standard"},
            connect_timeout=10,
            read_timeout=60,
            # Custom endpoints (MinIO, moto) are often an IP or a single host name: no bucket subdomains.
            s3={"addressing_style": "path"} if self.endpoint_url else {},
        )
        # Empty credentials fall through to boto3's chain (env, profile, instance role).
        session = boto3.session.Session(
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            region_name=region,
        )
        self.client = session.client("s3", endpoint_url=self.endpoint_url, config=config)
        # s3transfer raises chunks below 5 MiB (S3's minimum part) on its own.
        self.transfer = TransferConfig(multipart_threshold=multipart_threshold, multipart_chunksize=multipart_threshold)

    @classmethod
    def from_settings(cls, settings) -> S3Storage:
        bucket, prefix = parse_storage_url(settings.storage_url)
        return cls(
            bucket,
            prefix,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
            url_ttl_seconds=settings.url_ttl_seconds,
        )

    def object_key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    async def put_file(self, key: str, source: Path, content_type: str) -> None:
        # upload_file switches to a multipart upload above the threshold; S3 shows the object only once complete.
        await asyncio.to_thread(
            self.client.upload_file,
            str(source),
            self.bucket,
            self.object_key(key),
            ExtraArgs={"ContentType": content_type},
            Config=self.transfer,
        )

    def presigned_post(
        self, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> tuple[str, dict[str, str]]:
        """A form a client POSTs one file with straight to the bucket, at `key` only, of this
        content type and 1..max_bytes long, until it expires (the uploads' form)."""
        conditions: list = [
            {"Content-Type": content_type},
            ["content-length-range", 1, max_bytes],
            ["starts-with", "$metadata", ""],  # Runway's SDKs may send a `metadata` field
        ]
        post = self.client.generate_presigned_post(
            self.bucket,
            self.object_key(key),
            Fields={"Content-Type": content_type},
            Conditions=conditions,
            ExpiresIn=expires_in,
        )
        return post["url"], {name: str(value) for name, value in post["fields"].items()}

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self.client.put_object, Bucket=self.bucket, Key=self.object_key(key), Body=data, ContentType=content_type
        )

    async def get_bytes(self, key: str) -> bytes:
        def read() -> bytes:
            try:
                response = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))
            except ClientError as error:
                if _not_found(error):  # the same error LocalStorage raises for a missing key
                    raise FileNotFoundError(f"s3://{self.bucket}/{self.object_key(key)}") from error
                raise
            with response["Body"] as body:
                return body.read()

        return await asyncio.to_thread(read)

    async def exists(self, key: str) -> bool:
        try:
            await asyncio.to_thread(self.client.head_object, Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as error:
            if _not_found(error):
                return False
            raise  # 403 and the like are misconfiguration, not absence
        return True

    async def keys(self, prefix: str) -> list[str]:
        def listed() -> list[str]:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.object_key(prefix)
            )
            skip = len(self.object_key(""))
            return [item["Key"][skip:] for page in pages for item in page.get("Contents", ())]

        return await asyncio.to_thread(listed)

    async def delete(self, key: str) -> None:
        # S3 answers 204 for a key that is not there.
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=self.object_key(key))

    async def fetch_to(self, key: str, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / PurePosixPath(key).name
        # download_file writes a temporary name and renames it: no half files at `target`.
        await asyncio.to_thread(
            self.client.download_file, self.bucket, self.object_key(key), str(target), Config=self.transfer
        )
        return target

    def url(self, key: str, base_url: str) -> str:
        # Signed locally, no request: the bucket serves the bytes (and Range) itself.
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self.object_key(key)}, ExpiresIn=self.url_ttl_seconds
        )

    async def ping(self) -> None:
        try:
            await asyncio.to_thread(self.client.head_bucket, Bucket=self.bucket)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            where = f"S3 bucket {self.bucket!r}" + (f" at {self.endpoint_url}" if self.endpoint_url else "")
            if _not_found(error):
                raise S3StorageError(f"{where} does not exist; create it first") from error
            if code in {"403", "AccessDenied", "Forbidden"}:
                raise S3StorageError(f"{where}: access denied; check the credentials and the bucket policy") from error
            raise S3StorageError(f"{where}: {error}") from error
        except Exception as error:  # network, DNS, missing credentials
            raise S3StorageError(f"S3 bucket {self.bucket!r}: {type(error).__name__}: {error}") from error

    async def close(self) -> None:
        self.client.close()
