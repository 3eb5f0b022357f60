"""Names inside a person's data archive: one path segment each, as the person wrote it, and
never two entries under one name."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.archive_readme import readme
from gateway.archive_zip import ArchiveWriter, safe_name


def test_a_name_keeps_its_script_and_loses_its_separators() -> None:
    assert safe_name("Πρόταση έργου.pdf") == "Πρόταση έργου.pdf"
    assert safe_name("../../etc/passwd") == "etc-passwd"
    assert safe_name('a\\b:c*?"<>|\x00d') == "a-b-c-d"
    assert safe_name("...") == "file" and safe_name("", "question") == "question"
    assert len(safe_name("x" * 500)) == 120


def test_a_second_entry_of_the_same_name_is_numbered() -> None:
    archive = ArchiveWriter(datetime(2027, 3, 1, tzinfo=UTC))
    try:
        names = [archive.unique("files/Plan/plan.pdf") for _ in range(3)]
        assert names == [
            "files/Plan/plan.pdf",
            "files/Plan/plan (2).pdf",
            "files/Plan/plan (3).pdf",
        ]
        assert archive.unique("applications/01 Call") == "applications/01 Call"
        assert archive.unique("applications/01 Call") == "applications/01 Call (2)"
        assert archive.unique("v1.0/readme") == "v1.0/readme"
        assert archive.unique("v1.0/readme") == "v1.0/readme (2)"
    finally:
        archive.discard()


def test_the_readme_says_when_it_was_made_and_lists_each_application() -> None:
    made = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
    text = readme(made, "ana@example.org", ["applications/01 Repair"], 4)
    assert "made on 2027-03-01 09:30 (UTC)" in text and "ana@example.org" in text
    assert "applications/01 Repair/" in text and "(4 in all)" in text
    assert "One folder per application (1 in all)" in text
    assert "You have no applications." in readme(made, "ana@example.org", [], 0)
