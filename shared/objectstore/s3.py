"""The MinIO/S3 object store (production, compose) through the minio SDK. The SDK is
synchronous, so its calls run in worker threads; a bounded queue bridges the async stream to
the SDK's reader."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import BinaryIO, cast

import urllib3.exceptions
from minio import Minio
from minio.commonconfig import Tags
from minio.datatypes import Object
from minio.error import MinioException, S3Error

from shared.objectstore.base import (
    CHUNK,
    Meter,
    ObjectNotFound,
    ObjectStoreError,
    StoredObject,
    check_key,
    coalesce,
    content_disposition,
)


class _StreamReader:
    """A file-like `read()` for the minio SDK's worker thread, fed from the event loop
    through a bounded queue: at most a few chunks are in memory at any time."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._ready = threading.Condition()
        self._done = False
        self._aborted = False
        self._room = threading.Semaphore(4)

    def feed(self, chunk: bytes) -> None:  # runs in a worker thread, never on the loop
        while not self._room.acquire(timeout=0.1):
            if self._done:  # the SDK stopped reading: its error surfaces in put()
                return
        with self._ready:
            self._chunks.append(chunk)
            self._ready.notify()

    def finish(self) -> None:
        with self._ready:
            self._done = True
            self._ready.notify()

    def abort(self) -> None:
        """The SDK's next read fails, so it aborts the multipart upload instead of completing it."""
        with self._ready:
            self._aborted = True
            self._done = True
            self._ready.notify()
        self._room.release()

    def read(self, size: int = -1) -> bytes:
        """Hands over at most one queued chunk: the SDK reads until its part is full, so
        short reads keep a single part buffer (the SDK's own) in memory."""
        with self._ready:
            while not self._chunks and not self._done:
                self._ready.wait()
            if self._aborted:
                raise ObjectStoreError("upload aborted")
            if not self._chunks:
                return b""
            chunk = self._chunks[0]
            if 0 <= size < len(chunk):
                self._chunks[0] = chunk[size:]
                return chunk[:size]
            self._chunks.pop(0)
        self._room.release()
        return chunk


SHA256_TAG = "sha256"
# What the SDK raises when the store cannot be reached or answers as no store should.
STORE_OUTAGES: tuple[type[Exception], ...] = (urllib3.exceptions.HTTPError, MinioException)


class MinioObjectStore:
    # S3's smallest part, two in flight: near a direct put's speed, memory bounded (bench/upload).
    PART_SIZE = 5 * 1024 * 1024
    PARALLEL_PARTS = 2

    def __init__(
        self, *, endpoint: str, access_key: str, secret_key: str, bucket: str,
        secure: bool = False, region: str = "us-east-1", public_endpoint: str | None = None,
        public_secure: bool | None = None,
    ) -> None:  # fmt: skip
        """`public_endpoint`: where browsers reach the store when the services use an internal
        name (compose: `minio:9000`); links are signed for that host. Signing is local: with
        the region given, the SDK makes no request to it."""
        self.bucket = bucket
        self.client = Minio(
            endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region
        )
        self.links = self.client
        if public_endpoint:
            self.links = Minio(
                public_endpoint, access_key=access_key, secret_key=secret_key,
                secure=secure if public_secure is None else public_secure, region=region,
            )  # fmt: skip

    async def ensure_bucket(self) -> None:
        if not await asyncio.to_thread(self.client.bucket_exists, self.bucket):
            await asyncio.to_thread(self.client.make_bucket, self.bucket)

    async def put(
        self, key: str, chunks: AsyncIterator[bytes], *, max_size: int, content_type: str
    ) -> StoredObject:
        check_key(key)
        meter = Meter(max_size)
        reader = _StreamReader()
        upload = asyncio.create_task(
            asyncio.to_thread(
                self.client.put_object, self.bucket, key, cast(BinaryIO, reader), length=-1,
                part_size=self.PART_SIZE, content_type=content_type, num_parallel_uploads=self.PARALLEL_PARTS,
            )
        )  # fmt: skip
        upload.add_done_callback(lambda _: reader.finish())
        try:
            async for block in coalesce(chunks):
                meter.take(block)
                await asyncio.to_thread(reader.feed, block)
                if upload.done():
                    upload.result()  # the SDK failed early: raise its error
            reader.finish()
            await upload
            digest = meter.hash.hexdigest()
            # S3 keeps no sha256 of a multipart object. A tag is set without touching the data
            # (a metadata copy would rewrite the whole object on the server). Inside the try:
            # an object whose tagging failed is removed like any other failed put.
            tags = Tags.new_object_tags()
            tags[SHA256_TAG] = digest
            await asyncio.to_thread(self.client.set_object_tags, self.bucket, key, tags)
        except BaseException:
            reader.abort()
            # The SDK aborts its multipart upload when a read fails; should the object have
            # been completed all the same, it is removed too.
            await asyncio.gather(upload, return_exceptions=True)
            await self.delete(key)
            raise
        return StoredObject(key, meter.size, digest, content_type)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        check_key(key)
        try:
            response = await asyncio.to_thread(self.client.get_object, self.bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject"):
                raise ObjectNotFound(key) from None
            raise
        try:
            stream: Iterator[bytes] = response.stream(CHUNK)
            while chunk := await asyncio.to_thread(next, stream, b""):
                yield chunk
        finally:
            response.close()
            response.release_conn()

    async def stat(self, key: str) -> StoredObject:
        check_key(key)
        try:
            found, digest = await asyncio.to_thread(self._stat_with_digest, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject"):
                raise ObjectNotFound(key) from None
            raise
        return StoredObject(
            key, found.size or 0, digest, found.content_type or "application/octet-stream"
        )

    def _stat_with_digest(self, key: str) -> tuple[Object, str]:
        found = self.client.stat_object(self.bucket, key)
        tags: dict[str, str] = dict(self.client.get_object_tags(self.bucket, key) or {})
        return found, tags.get(SHA256_TAG, "")

    async def delete(self, key: str) -> None:
        check_key(key)
        await asyncio.to_thread(self.client.remove_object, self.bucket, key)

    async def download_url(
        self, key: str, *, expires: timedelta, filename: str | None = None
    ) -> str:
        check_key(key)
        headers: dict[str, str | list[str] | tuple[str]] | None = None
        if filename:
            headers = {"response-content-disposition": content_disposition(filename)}
        url: str = await asyncio.to_thread(
            self.links.presigned_get_object, self.bucket, key, expires=expires,
            response_headers=headers,
        )  # fmt: skip
        return url
