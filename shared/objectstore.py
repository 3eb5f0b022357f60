"""One ObjectStore interface, two implementations that pass one contract suite:
MinIO/S3 through the minio SDK (production, compose) and the filesystem (embedded mode).

Uploads stream: bytes are counted and hashed as they pass, the size limit is enforced while
streaming, and a refused upload leaves nothing behind. The minio SDK is synchronous, so its
calls run in worker threads; a bounded queue bridges the async stream to the SDK's reader.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import re
import threading
import time
import unicodedata
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast, runtime_checkable
from urllib.parse import quote

import msgspec
from minio import Minio
from minio.commonconfig import Tags
from minio.datatypes import Object
from minio.error import S3Error

CHUNK = 256 * 1024
KEY_PATTERN = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")


class ObjectStoreError(Exception):
    pass


class ObjectTooLarge(ObjectStoreError):
    def __init__(self, max_size: int) -> None:
        super().__init__(f"the object is larger than {max_size} bytes")
        self.max_size = max_size


class ObjectNotFound(ObjectStoreError):
    pass


class StoredObject(msgspec.Struct, frozen=True):
    key: str
    size: int
    sha256: str
    content_type: str


def check_key(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key) or any(part in (".", "..") for part in key.split("/")):
        raise ValueError(f"not a valid object key: {key!r}")
    return key


def ascii_filename(name: str) -> str:
    """A plain-ASCII stand-in for `filename=` (accents dropped, other scripts gone)."""
    unaccented = "".join(
        ch for ch in unicodedata.normalize("NFKD", name) if unicodedata.category(ch) != "Mn"
    )
    plain = re.sub(r"[^A-Za-z0-9._ -]+", "_", unaccented)
    stem, dot, extension = plain.rpartition(".") if "." in plain else (plain, "", "")
    if not stem.strip("_ ."):  # nothing of the name was ASCII
        return f"file{dot}{extension}"
    return plain.strip(" ")


def content_disposition(name: str) -> str:
    """An attachment header; a non-ASCII name also travels whole as RFC 5987 `filename*`."""
    fallback = ascii_filename(name)
    if fallback == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@runtime_checkable
class ObjectStore(Protocol):
    async def ensure_bucket(self) -> None: ...

    async def put(
        self, key: str, chunks: AsyncIterator[bytes], *, max_size: int, content_type: str
    ) -> StoredObject: ...

    def open(self, key: str) -> AsyncIterator[bytes]: ...

    async def stat(self, key: str) -> StoredObject: ...

    async def delete(self, key: str) -> None: ...

    async def download_url(
        self, key: str, *, expires: timedelta, filename: str | None = None
    ) -> str: ...


BLOCK = 256 * 1024


async def coalesce(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Network chunks are small; one thread hop per megabyte instead of per chunk."""
    pending: list[bytes] = []
    size = 0
    async for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= BLOCK:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


class _Meter:
    """Counts and hashes what passes; refuses the byte past the limit."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self.size = 0
        self.hash = hashlib.sha256()

    def take(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_size:
            raise ObjectTooLarge(self.max_size)
        self.hash.update(chunk)


# ---- filesystem ---------------------------------------------------------------------------


class FilesystemObjectStore:
    def __init__(self, root: Path, link_secret: bytes, link_base_url: str) -> None:
        self.root = root
        self.link_secret = link_secret
        self.link_base_url = link_base_url.rstrip("/")

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def ensure_bucket(self) -> None:
        await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)

    async def put(
        self, key: str, chunks: AsyncIterator[bytes], *, max_size: int, content_type: str
    ) -> StoredObject:
        path = self._path(key)
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        meter = _Meter(max_size)
        handle = await asyncio.to_thread(open, temp, "wb")
        try:
            async for block in coalesce(chunks):
                meter.take(block)
                await asyncio.to_thread(handle.write, block)
            await asyncio.to_thread(_flush_and_close, handle)
            stored = StoredObject(key, meter.size, meter.hash.hexdigest(), content_type)
            meta = json.dumps(msgspec.to_builtins(stored))
            await asyncio.to_thread(_write_atomically, self._meta(path), meta.encode())
            await asyncio.to_thread(os.replace, temp, path)
            return stored
        except BaseException:
            handle.close()
            await asyncio.to_thread(_remove, temp)
            await asyncio.to_thread(_remove, self._meta(path))
            raise

    @staticmethod
    def _meta(path: Path) -> Path:
        return path.with_name(f".{path.name}.meta.json")

    async def open(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(open, path, "rb")
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK):
                yield chunk
        finally:
            handle.close()

    async def stat(self, key: str) -> StoredObject:
        path = self._path(key)
        try:
            raw = await asyncio.to_thread(self._meta(path).read_bytes)
            exists = await asyncio.to_thread(path.exists)
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        if not exists:
            raise ObjectNotFound(key)
        return msgspec.json.decode(raw, type=StoredObject)

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(_remove, path)
        await asyncio.to_thread(_remove, self._meta(path))

    def _signature(self, key: str, expires: int, name: str) -> str:
        message = f"{key}\n{expires}\n{name}".encode()
        return hmac.new(self.link_secret, message, hashlib.sha256).hexdigest()

    async def download_url(
        self, key: str, *, expires: timedelta, filename: str | None = None
    ) -> str:
        """The download's file name travels in the link, signed with it: the same file may be
        offered under its own name (the applicant) or a neutral one (a blind evaluator)."""
        check_key(key)
        until = int(time.time() + expires.total_seconds())
        name = filename or ""
        named = f"&name={quote(name, safe='')}" if name else ""
        return (
            f"{self.link_base_url}/{quote(key)}?expires={until}{named}"
            f"&signature={self._signature(key, until, name)}"
        )

    def verify_download_link(self, key: str, expires: int, signature: str, name: str = "") -> bool:
        if expires < time.time():
            return False
        return hmac.compare_digest(self._signature(key, expires, name), signature)


def _flush_and_close(handle: Any) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()


def _write_atomically(path: Path, data: bytes) -> None:
    temp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part")
    temp.write_bytes(data)
    os.replace(temp, path)


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


# ---- MinIO / S3 ---------------------------------------------------------------------------


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
        meter = _Meter(max_size)
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
