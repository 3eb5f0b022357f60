"""File types told by content (real small samples), safe names, type refusals."""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zipfile
import zlib
from urllib.parse import unquote

import pytest

from services.intake.domain.attachments import (
    CONTENT_TYPES,
    SNIFF_BYTES,
    file_type_error,
    sanitize_filename,
    sniff,
)
from shared.objectstore import ascii_filename, content_disposition

CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{main}" ContentType="application/vnd.openxmlformats-officedocument.main+xml"/>'
    "</Types>"
)
OFFICE_PARTS = {
    "docx": ["word/document.xml", "word/_rels/document.xml.rels", "word/styles.xml"],
    "xlsx": ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"],
    "pptx": ["ppt/presentation.xml", "ppt/_rels/presentation.xml.rels", "ppt/slides/slide1.xml"],
}


def office(kind: str, *, compression: int = zipfile.ZIP_DEFLATED, padding: int = 0) -> bytes:
    """An Office Open XML package laid out as Office writes one: content types first."""
    parts = OFFICE_PARTS[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML.format(main=parts[0]))
        archive.writestr("_rels/.rels", "<Relationships/>")
        for part in parts:
            archive.writestr(part, "<x/>" + "<p>text</p>" * padding)
        archive.writestr("docProps/core.xml", "<cp:coreProperties/>")
        if kind == "docx":  # a spreadsheet embedded in a document is still a document
            archive.writestr("word/embeddings/Sheet1.xlsx", b"PK\x03\x04xl/workbook.xml")
    return buffer.getvalue()


def odf(mimetype: str = "application/vnd.oasis.opendocument.text", *, first: bool = True) -> bytes:
    """An OpenDocument package: the `mimetype` entry stored (not deflated) and first."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if not first:
            archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
        archive.writestr("content.xml" if first else "styles.xml", "<office:document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes.txt", "hello")
        archive.writestr("setup.exe", b"MZ\x90\x00")
    return buffer.getvalue()


def png() -> bytes:
    """A real 1x1 RGBA PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb"
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41\x00\x00\x00\x08free"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00"


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (PDF, "pdf"),
        (png(), "png"),
        (JPEG, "jpeg"),
        (MP4, "mp4"),
        (office("docx"), "docx"),
        (office("xlsx"), "xlsx"),
        (office("pptx"), "pptx"),
        (office("docx", compression=zipfile.ZIP_STORED), "docx"),
        (office("xlsx", compression=zipfile.ZIP_STORED), "xlsx"),
        (office("pptx", compression=zipfile.ZIP_STORED), "pptx"),
        (odf(), "odt"),
        (odf("application/vnd.oasis.opendocument.spreadsheet"), "zip"),
        (odf("application/vnd.oasis.opendocument.text-template"), "zip"),
        (odf(first=False), "zip"),  # not laid out as ODF requires
        (plain_zip(), "zip"),
        (b"PK\x03\x04", "zip"),  # a truncated header is still only a zip
        (EXE, None),
        (ELF, None),
        (b"#!/bin/sh\nrm -rf /\n", None),
        (b"<html><script>alert(1)</script>", None),
        (b"just some text", None),
        (b"\x00\x00\x00\x00", None),
        (b"", None),
    ],
)
def test_sniff_tells_the_type_by_content(head: bytes, kind: str | None) -> None:
    assert sniff(head) == kind


@pytest.mark.parametrize("kind", ["docx", "xlsx", "pptx"])
def test_sniffing_needs_only_the_head_of_a_large_document(kind: str) -> None:
    large = office(kind, compression=zipfile.ZIP_STORED, padding=20_000)
    assert len(large) > 3 * SNIFF_BYTES
    assert sniff(large[:SNIFF_BYTES]) == kind


def test_an_executable_named_like_a_deck_is_refused_by_its_content() -> None:
    # The browser may say deck.pdf and application/pdf; only the bytes count.
    assert sniff(EXE) is None
    assert file_type_error(sniff(EXE), ["pdf", "pptx"]) == (
        "this file is not one of: pdf, pptx (its content is none of these, whatever its name says)"
    )


@pytest.mark.parametrize(
    ("detected", "allowed", "expected"),
    [
        ("pdf", ["pdf", "pptx"], None),
        ("pptx", ["pdf", "pptx"], None),
        ("png", ["pdf"], "this file is not one of: pdf (its content is of type png)"),
        (
            "zip",
            ["docx", "xlsx"],
            "this file is not one of: docx, xlsx (its content is of type zip)",
        ),
        (
            None,
            ["pdf"],
            "this file is not one of: pdf (its content is none of these, whatever its name says)",
        ),
    ],
)
def test_file_type_error(detected: str | None, allowed: list[str], expected: str | None) -> None:
    assert file_type_error(detected, allowed) == expected


def test_every_type_sniff_can_name_has_a_content_type() -> None:
    assert set(CONTENT_TYPES) == {"pdf", "png", "jpeg", "docx", "xlsx", "pptx", "odt", "zip", "mp4"}
    assert all(re.fullmatch(r"[a-z]+/[a-z0-9.+-]+", v) for v in CONTENT_TYPES.values())


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("deck.pdf", "deck.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
        ("C:\\Users\\ana\\Desktop\\plan.docx", "plan.docx"),
        (".bashrc", "bashrc"),
        (" . .hidden", "hidden"),
        ("report final (v2).pdf", "report final _v2_.pdf"),
        ("résumé.pdf", "résumé.pdf"),
        ("re\u0301sume\u0301.pdf", "résumé.pdf"),  # decomposed accents come out composed (NFC)
        ("Πρόταση έργου.pdf", "Πρόταση έργου.pdf"),  # Greek
        ("Бизнес план 2025.docx", "Бизнес план 2025.docx"),  # Bulgarian
        ("Заявка_Київ.pdf", "Заявка_Київ.pdf"),  # Ukrainian
        ("Предлог (Ђорђе).pdf", "Предлог _Ђорђе_.pdf"),  # Serbian; brackets still go
        ("a\u00a0b.pdf", "a b.pdf"),  # a no-break space is a space
        ("a\x00b\nc\x7f.pdf", "abc.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # a right-to-left override disguise
        ("ﬁle.pdf", "file.pdf"),  # NFKC folds the ligature
        ("\uff52\uff45\uff50\uff4f\uff52\uff54.pdf", "report.pdf"),  # and full-width letters
        ('a<>:"|?*b.txt', "a_b.txt"),
        ("many    spaces___and....dots.pdf", "many spaces_and.dots.pdf"),
        ("trailing   ", "trailing"),
        ("", "file"),
        ("...", "file"),
        ("/", "file"),
        ("folder/", "file"),
        ("\x00\x01", "file"),
    ],
)
def test_names_are_made_safe(name: str, safe: str) -> None:
    assert sanitize_filename(name) == safe


@pytest.mark.parametrize(
    ("name", "ending"),
    [
        ("x" * 500 + ".pdf", ".pdf"),
        ("x" * 500 + ".docx", ".docx"),
        ("x" * 500, "x"),
        ("x" * 500 + "." + "y" * 50, "x"),  # too long for an extension: simply cut
    ],
)
def test_long_names_are_cut_keeping_their_extension(name: str, ending: str) -> None:
    cut = sanitize_filename(name)
    assert len(cut) == 120
    assert cut.endswith(ending)


@pytest.mark.parametrize(
    "name",
    ["../a b/.c", "é" * 300 + ".png", "\\\\server\\share\\.x.", "a" * 119 + "é.pdf",
     "Ω" * 200, "..\u202e/\x00Ђ:*?.pdf"],
)  # fmt: skip
def test_a_safe_name_is_plain_short_and_stays_as_it_is(name: str) -> None:
    safe = sanitize_filename(name)
    assert len(safe) <= 120
    assert not safe.startswith((".", " ")) and not safe.endswith(" ")
    assert all(ch.isalnum() or ch in "._ -" or unicodedata.category(ch)[0] == "M" for ch in safe)
    assert sanitize_filename(safe) == safe


@pytest.mark.parametrize(
    ("name", "kind", "safe"),
    [
        ("../../etc/passwd", "pdf", "passwd.pdf"),
        ("deck.pdf", "pdf", "deck.pdf"),
        ("DECK.PDF", "pdf", "DECK.PDF"),  # the extension in any case is the extension
        ("photo.jpg", "jpeg", "photo.jpg"),
        ("photo.jpeg", "jpeg", "photo.jpeg"),
        ("photo", "jpeg", "photo.jpg"),
        ("deck.pptx", "pdf", "deck.pptx.pdf"),  # the content decides, the name tells it
        ("Πρόταση", "docx", "Πρόταση.docx"),
        ("draft.", "odt", "draft.odt"),
        ("", "pdf", "file.pdf"),
        ("...", "zip", "file.zip"),
    ],
)
def test_a_name_gets_the_extension_of_its_content(name: str, kind: str, safe: str) -> None:
    assert sanitize_filename(name, kind) == safe


def test_a_long_name_without_extension_is_cut_to_make_room_for_it() -> None:
    safe = sanitize_filename("я" * 500, "pdf")
    assert len(safe) == 120 and safe == "я" * 116 + ".pdf"


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ("deck.pdf", "deck.pdf"),
        ("résumé final.pdf", "resume final.pdf"),
        ("Πρόταση.pdf", "file.pdf"),
        ("Заявка", "file"),
        ("Đorđe plan.pdf", "_or_e plan.pdf"),
    ],
)
def test_the_ascii_stand_in_keeps_what_ascii_can_say(name: str, fallback: str) -> None:
    assert ascii_filename(name) == fallback


def test_an_ascii_name_needs_no_encoded_form() -> None:
    assert content_disposition("deck.pdf") == 'attachment; filename="deck.pdf"'


def test_a_non_ascii_name_travels_whole_as_rfc_5987() -> None:
    header = content_disposition("Πρόταση έργου.pdf")
    plain, encoded = header.removeprefix("attachment; ").split("; ")
    assert plain == 'filename="file.pdf"'
    assert encoded.startswith("filename*=UTF-8''")
    assert header.isascii()
    assert unquote(encoded.removeprefix("filename*=UTF-8''")) == "Πρόταση έργου.pdf"
