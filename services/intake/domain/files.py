"""Files: their type told by content (magic bytes), never by name; names made safe."""

from __future__ import annotations

import re
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
_ODT_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.text"


def sniff(head: bytes) -> str | None:
    """The file type its first bytes prove, or None (executables, scripts, unknown)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(_ZIP):
        # ODF stores an uncompressed `mimetype` entry first; its name starts at byte 30.
        if head[30:].startswith(_ODT_MIMETYPE):
            return "odt"
        if b"[Content_Types].xml" in head:
            for marker, kind in ((b"word/", "docx"), (b"xl/", "xlsx"), (b"ppt/", "pptx")):
                if marker in head:
                    return kind
        return "zip"
    return None


def file_type_error(detected: str | None, allowed: list[str]) -> str | None:
    if detected is not None and detected in allowed:
        return None
    seen = f"it looks like a {detected} file" if detected else "its content is not a known type"
    return f"this file is not one of: {', '.join(allowed)} ({seen})"


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
_REPEATS = re.compile(r"([_ .-])\1+")
MAX_NAME = 120


def sanitize_filename(name: str) -> str:
    """The last path component, printable and plain; never hidden, never a path."""
    base = re.split(r"[/\\]", name)[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _REPEATS.sub(r"\1", _UNSAFE.sub("_", base)).strip(" ")
    base = base.lstrip(". ")
    if len(base) > MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            base = stem[: MAX_NAME - len(ext) - 1] + "." + ext
        else:
            base = base[:MAX_NAME]
    return base or "file"
