"""The zip of a person's data archive, written entry by entry into a temporary file in a worker
thread (files stream in chunk by chunk, never whole in memory), then streamed out."""

from __future__ import annotations

import asyncio
import contextlib
import re
import tempfile
import zipfile
from collections.abc import AsyncIterator
from datetime import datetime
from typing import IO, Any

import msgspec

CHUNK = 256 * 1024
# Characters no file name in an archive should carry (separators, controls, reserved on Windows).
UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_name(name: str, fallback: str = "file") -> str:
    """One path segment a person's file manager shows as it was written, without separators."""
    cleaned = UNSAFE.sub("-", name).strip(" .-")[:120].strip()
    return cleaned or fallback


def json_bytes(value: Any) -> bytes:
    """Indented JSON a person can read in a text editor."""
    return msgspec.json.format(msgspec.json.encode(value), indent=2) + b"\n"


class ArchiveWriter:
    """Entries are written one at a time (a ZipFile is not for concurrent writers)."""

    def __init__(self, made_at: datetime) -> None:
        # Outlives this call: closed (and so deleted) by `stream` or `discard`.
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="portal-archive-")  # noqa: SIM115
        self.zip = zipfile.ZipFile(self.file, "w", zipfile.ZIP_DEFLATED)
        self.stamp = made_at.timetuple()[:6]
        self.names: set[str] = set()

    def unique(self, path: str) -> str:
        """`path`, or `name (2).ext` when the archive already holds that path."""
        stem, dot, extension = path.rpartition(".")
        if not dot or "/" in extension:
            stem, dot, extension = path, "", ""
        candidate, count = path, 1
        while candidate in self.names:
            count += 1
            candidate = f"{stem} ({count}){dot}{extension}"
        self.names.add(candidate)
        return candidate

    def _info(self, path: str, compress: bool) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        return info

    async def add(self, path: str, data: bytes) -> str:
        name = self.unique(path)
        await asyncio.to_thread(self.zip.writestr, self._info(name, True), data)
        return name

    async def add_stream(self, path: str, chunks: AsyncIterator[bytes]) -> str:
        """Stored as it comes (files are mostly compressed formats already)."""
        name = self.unique(path)
        entry = await asyncio.to_thread(self.zip.open, self._info(name, False), "w")
        try:
            async for chunk in chunks:
                await asyncio.to_thread(entry.write, chunk)
        finally:
            await asyncio.to_thread(entry.close)
        return name

    async def finish(self) -> int:
        """Closes the zip; returns its size. The temporary file stays open for `stream`."""
        await asyncio.to_thread(self.zip.close)
        size = await asyncio.to_thread(self.file.seek, 0, 2)
        await asyncio.to_thread(self.file.seek, 0)
        return size

    def discard(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.zip.close()  # a no-op once finished; else its end is written, then dropped
        self.file.close()  # a temporary file is gone once closed

    async def stream(self) -> AsyncIterator[bytes]:
        try:
            while chunk := await asyncio.to_thread(self.file.read, CHUNK):
                yield chunk
        finally:
            self.discard()
