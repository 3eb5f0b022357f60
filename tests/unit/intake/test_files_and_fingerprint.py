"""File types by content, safe names, and the submission fingerprint."""

from __future__ import annotations

import io
import zipfile

import pytest

from services.intake.domain.files import file_type_error, sanitize_filename, sniff
from services.intake.domain.fingerprint import canonical_json, fingerprint
from shared.api.intake import Organisation, Person


def office(kind: str) -> bytes:
    folder = {"docx": "word", "xlsx": "xl", "pptx": "ppt"}[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(f"{folder}/document.xml", "<document/>")
    return buffer.getvalue()


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )  # fmt: skip
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00", "mp4"),
        (office("docx"), "docx"),
        (office("xlsx"), "xlsx"),
        (office("pptx"), "pptx"),
        (odt(), "odt"),
        (plain_zip(), "zip"),
        (b"MZ\x90\x00\x03", None),
        (b"\x7fELF\x02\x01\x01", None),
        (b"#!/bin/sh\nrm -rf /", None),
        (b"just some text", None),
        (b"", None),
    ],
)
def test_sniff_tells_the_type_by_content(head: bytes, kind: str | None) -> None:
    assert sniff(head) == kind


def test_file_type_errors() -> None:
    assert file_type_error("pdf", ["pdf", "pptx"]) is None
    refused = file_type_error(None, ["pdf", "pptx"])
    assert refused is not None and "pdf, pptx" in refused and "not a known type" in refused
    other = file_type_error("png", ["pdf"])
    assert other is not None and "png" in other


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
        (".bashrc", "bashrc"),
        ("report final (v2).pdf", "report final _v2_.pdf"),
        ("résumé.pdf", "r_sum_.pdf"),
        ("a\x00b\nc.pdf", "abc.pdf"),
        ("", "file"),
        ("...", "file"),
        ("/", "file"),
        ("ﬁle.pdf", "file.pdf"),  # NFKC folds the ligature
    ],
)
def test_names_are_made_safe(name: str, safe: str) -> None:
    assert sanitize_filename(name) == safe


def test_long_names_keep_their_extension() -> None:
    cut = sanitize_filename("x" * 500 + ".pdf")
    assert len(cut) == 120 and cut.endswith(".pdf")


def print_of(**overrides: object) -> str:
    values: dict[str, object] = {
        "answers": {"a": 5000, "b": ["x", "y"]}, "organisation": Organisation(name="Org"),
        "contact": Person(name="Ana"), "team": [], "requested_amount": 5000.0,
        "attachments": [("deck", "aa"), ("docs", "bb")],
    }  # fmt: skip
    values.update(overrides)
    return fingerprint(**values)  # type: ignore[arg-type]


def test_the_fingerprint_is_stable_and_sensitive() -> None:
    base = print_of()
    assert len(base) == 64
    assert print_of(attachments=[("docs", "bb"), ("deck", "aa")]) == base  # order of files
    assert print_of(answers={"b": ["x", "y"], "a": 5000.0}) == base  # key order, 5000 == 5000.0
    assert print_of(answers={"a": 5001, "b": ["x", "y"]}) != base
    assert print_of(attachments=[("deck", "ab"), ("docs", "bb")]) != base
    assert print_of(organisation=Organisation(name="Other")) != base


def test_canonical_json_is_compact_and_sorted() -> None:
    assert canonical_json({"b": 1.0, "a": [2.5, "é"]}) == '{"a":[2.5,"é"],"b":1}'.encode()
