"""What every object store shares: the interface, the object's facts and its errors, the key
rule, the download's file name, and the streaming helpers (coalesced blocks, a meter that
counts and hashes while it enforces the size limit)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Protocol, runtime_checkable
from urllib.parse import quote

import msgspec

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


class Meter:
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
