"""Attachments: a file's type told by its content (magic bytes), never by its name; names
made safe; the file question a file answers."""

from __future__ import annotations

import re
import struct
import unicodedata

from shared.api.registry import Form, Question, QuestionType
from shared.errors import FieldError, ValidationFailed

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
        else "its content is none of these, whatever its name says"
    )
    return f"this file is not one of: {', '.join(allowed)} ({seen})"


# Names keep any script's letters and digits (the programme covers Greece, Bulgaria,
# Ukraine, Serbia...); everything else but `. _ -` and spaces becomes `_`.
_KEPT_PUNCTUATION = frozenset("._ -")
_REPEATS = re.compile(r"([_ .-])\1+")
MAX_NAME = 120
_MAX_EXTENSION = 10
# The extensions a detected type may already carry; the first one is appended when missing.
EXTENSIONS: dict[str, tuple[str, ...]] = {kind: (kind,) for kind in CONTENT_TYPES} | {
    "jpeg": ("jpg", "jpeg")
}


def _safe_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if ch in _KEPT_PUNCTUATION or category[0] in "LMN":
        return ch
    return " " if category == "Zs" else "_"


def _cut(base: str, limit: int) -> str:
    """At most `limit` characters, keeping a short extension."""
    if len(base) <= limit:
        return base
    stem, dot, extension = base.rpartition(".")
    if dot and stem and len(extension) <= _MAX_EXTENSION:
        return stem[: limit - len(extension) - 1].rstrip(" ") + "." + extension
    return base[:limit].rstrip(" ")


def sanitize_filename(name: str, kind: str | None = None) -> str:
    """The last path component, printable and plain; never hidden, never a path. `kind`
    (the sniffed type): its extension is appended when the name lacks it."""
    base = re.split(r"[/\\]", name)[-1]
    # NFKC: composed like NFC, and look-alikes (ligatures, full-width letters) folded.
    base = unicodedata.normalize("NFKC", base)
    # Category C: controls, but also bidi overrides that disguise `exe.pdf` as `fdp.exe`.
    base = "".join(_safe_char(ch) for ch in base if not unicodedata.category(ch).startswith("C"))
    base = _REPEATS.sub(r"\1", base).lstrip(". ").rstrip(" ")
    extensions = EXTENSIONS.get(kind, ()) if kind else ()
    if extensions and not base.lower().endswith(tuple(f".{e}" for e in extensions)):
        suffix = f".{extensions[0]}"
        return _cut(base or "file", MAX_NAME - len(suffix)).rstrip(".") + suffix
    return _cut(base, MAX_NAME) or "file"


def file_question(form: Form, key: str) -> Question:
    """The form's file question `key`; any other key is refused on that answer's field."""
    for question in form.questions:
        if question.key == key and question.type is QuestionType.FILE:
            return question
    raise ValidationFailed([FieldError(f"answers.{key}", "is not a file question of this form")])
