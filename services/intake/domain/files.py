"""Files: their type told by content (magic bytes), never by name; names made safe."""

from __future__ import annotations

import re
import struct
import unicodedata

SNIFF_BYTES = 65536

CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "zip": "application/zip",
    "mp4": "video/mp4",
}

_ZIP = b"PK\x03\x04"
_LOCAL_HEADER = struct.Struct("<4s2x2x2x2x2x4x4x4xHH")  # signature ... name length, extra length
_ODT = b"application/vnd.oasis.opendocument.text"
_OOXML = ((b"word/", "docx"), (b"xl/", "xlsx"), (b"ppt/", "pptx"))


def _first_entry(head: bytes) -> tuple[bytes, bytes]:
    """Name and the bytes after the header of a zip's first entry (its data, if stored)."""
    if len(head) < _LOCAL_HEADER.size:
        return b"", b""
    _, name_length, extra_length = _LOCAL_HEADER.unpack_from(head)
    start = _LOCAL_HEADER.size
    name = head[start : start + name_length]
    return name, head[start + name_length + extra_length :]


def _zip_kind(head: bytes) -> str:
    name, data = _first_entry(head)
    # ODF stores an uncompressed `mimetype` entry first, so its type is readable in place.
    if name == b"mimetype" and data.startswith(_ODT) and not data.startswith(_ODT + b"-"):
        return "odt"
    if b"[Content_Types].xml" in head:
        found = [(head.find(marker), kind) for marker, kind in _OOXML if marker in head]
        if found:
            return min(found)[1]  # the part that comes first is the document's main part
    return "zip"


def sniff(head: bytes) -> str | None:
    """The file type its first bytes prove, or None (executables, scripts, unknown)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(_ZIP):
        return _zip_kind(head)
    if head[4:8] == b"ftyp":
        return "mp4"
    return None


def file_type_error(detected: str | None, allowed: list[str]) -> str | None:
    """Why a file of the detected type may not be attached here, or None when it may."""
    if detected is not None and detected in allowed:
        return None
    seen = (
        f"its content is of type {detected}"
        if detected
        else "its content looks like an executable or an unknown type"
    )
    return f"this file is not one of: {', '.join(allowed)} ({seen})"


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
_REPEATS = re.compile(r"([_ .-])\1+")
MAX_NAME = 120
_MAX_EXTENSION = 10


def sanitize_filename(name: str) -> str:
    """The last path component, printable and plain; never hidden, never a path."""
    base = re.split(r"[/\\]", name)[-1]
    base = unicodedata.normalize("NFKC", base)
    # Category C: controls, but also bidi overrides that disguise `exe.pdf` as `fdp.exe`.
    base = "".join(ch for ch in base if not unicodedata.category(ch).startswith("C"))
    base = _REPEATS.sub(r"\1", _UNSAFE.sub("_", base))
    base = base.lstrip(". ").rstrip(" ")
    if len(base) > MAX_NAME:
        stem, dot, extension = base.rpartition(".")
        if dot and stem and len(extension) <= _MAX_EXTENSION:
            base = stem[: MAX_NAME - len(extension) - 1].rstrip(" ") + "." + extension
        else:
            base = base[:MAX_NAME].rstrip(" ")
    return base or "file"
