"""Intake's rules pinned at their edges: file names cut and cleaned to the character, an
ODF package with an extra field, limits shown as people write them, websites with bare dots."""

from __future__ import annotations

import struct

import pytest

from services.intake.domain.attachments import MAX_NAME, sanitize_filename, sniff
from shared.api.intake import Organisation, Person
from shared.api.registry import Form, Question, QuestionType
from tests.unit.intake.test_answers import errors
from tests.unit.intake.test_applicant import applicant


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("Xray reportX", "Xray reportX"),  # only dots and blanks are trimmed, never letters
        ("a\u1680b.pdf", "a b.pdf"),  # a space NFKC keeps (Ogham) becomes a plain one
        ("a" * 115 + " .pdf", "a" * 115 + " .pdf"),  # exactly MAX_NAME: left as it is
    ],
)
def test_names_are_trimmed_only_of_blanks_and_dots(name: str, safe: str) -> None:
    assert sanitize_filename(name) == safe


@pytest.mark.parametrize(
    ("name", "kind", "safe"),
    [
        ("X" * 300, None, "X" * MAX_NAME),
        ("X" * 300 + ".pdf", None, "X" * (MAX_NAME - 4) + ".pdf"),
        ("X" * 300, "pdf", "X" * (MAX_NAME - 4) + ".pdf"),
        ("a" * 115 + " " + "b" * 100 + ".pdf", None, "a" * 115 + ".pdf"),  # no blank before .pdf
        ("a" * 119 + " " + "b" * 100, None, "a" * 119),
        ("v1.2." + "a" * 200 + ".pdf", None, "v1.2." + "a" * 111 + ".pdf"),  # the last dot counts
        ("a" * 200 + ".abcdefghij", None, "a" * 109 + ".abcdefghij"),  # ten letters: an extension
    ],
)
def test_long_names_are_cut_to_the_character(name: str, kind: str | None, safe: str) -> None:
    cut = sanitize_filename(name, kind)
    assert cut == safe and len(cut) <= MAX_NAME


def test_an_odf_package_is_recognised_with_an_extra_field_in_its_first_entry() -> None:
    mimetype = b"application/vnd.oasis.opendocument.text"
    extra = b"\x00\x00\x04\x00abcd"
    header = struct.pack("<4s22x2H", b"PK\x03\x04", len(b"mimetype"), len(extra))
    assert sniff(header + b"mimetype" + extra + mimetype) == "odt"


def test_a_limit_given_as_a_float_is_shown_as_people_write_it() -> None:
    form = Form([Question(key="q", type=QuestionType.NUMBER, labels={"en": "N"},
                          min_value=2.0, max_value=10.0)])  # fmt: skip
    assert errors({"q": 1}, strict=False, files={}, form=form) == {
        "answers.q": "must be between 2 and 10"
    }


@pytest.mark.parametrize("website", ["https://.example", "https://example.", "https://..."])
def test_a_host_that_is_only_dots_around_a_name_is_no_website(website: str) -> None:
    assert applicant(Organisation(website=website), Person(), strict=False) == {
        "organisation.website": "must be a web address starting with http:// or https://"
    }
