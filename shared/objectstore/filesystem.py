"""The filesystem object store (embedded mode): an object and its facts (`.<name>.meta.json`)
written atomically, a refused upload leaving nothing behind, downloads by HMAC-signed links."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import msgspec

from shared.objectstore.base import (
    CHUNK,
    Meter,
    ObjectNotFound,
    StoredObject,
    check_key,
    coalesce,
)


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
        meter = Meter(max_size)
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
        # As bytes: compare_digest refuses a str with letters beyond ASCII (an altered link).
        return hmac.compare_digest(self._signature(key, expires, name).encode(), signature.encode())


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
