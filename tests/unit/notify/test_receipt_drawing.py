"""The receipt's cheap drawing (services.notify.domain.pdf_text) draws the very pages fpdf's
own multi_cell and table draw: varied receipts drawn both ways give the same bytes."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from services.notify.domain import pdf_text
from services.notify.domain.receipts import ReceiptFacts, ReceiptFile, receipt_pdf
from tests.unit.notify.test_receipt import facts

WORDS = ["circular", "reuse", "a", "W" * 70, "i" * 240, "(x)", "back\\slash", "Ação", "ł", "€"]


def without_dates(pdf: bytes) -> bytes:
    return re.sub(rb"\(D:[^)]*\)|/ID \[[^\]]*\]", b"", pdf)


def by_fpdf_alone(receipt: ReceiptFacts, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The receipt as fpdf's multi_cell, cell and table draw it, every line broken by fpdf."""
    with monkeypatch.context() as patched:
        patched.setattr(pdf_text.TextDocument, "lines_of", lambda *_: None)
        patched.setattr(pdf_text.TextDocument, "text_line", pdf_text.TextDocument.cell)
        return receipt_pdf(receipt)


def text(rnd: random.Random, most: int) -> str:
    words = [rnd.choice(WORDS) if rnd.random() < 0.1 else "x" * rnd.randint(1, 12)
             for _ in range(rnd.randint(0, most))]  # fmt: skip
    return rnd.choice([" ", "  ", " ", "\t", "\xa0", " "]).join(words)


def random_facts(seed: int) -> ReceiptFacts:
    rnd = random.Random(seed)
    files = [ReceiptFile(text(rnd, 6), text(rnd, 9), rnd.randint(0, 10**9), f"{seed:064x}")
             for _ in range(rnd.choice([1, 2, 30]))]  # fmt: skip
    return facts(
        title=text(rnd, 30), organisation=text(rnd, 8), language=rnd.choice(["en", "pt", "nl"]),
        answers=[(text(rnd, 10), text(rnd, 300)) for _ in range(rnd.randint(1, 12))], files=files,
    )  # fmt: skip


CASES: dict[str, dict[str, Any]] = {
    "typical": {},
    "portuguese numbers": {"language": "pt", "answers": [("Budget", "48\xa0000\xa0EUR")]},
    "spaces": {"answers": [("Plan", "two  spaces\tand a tab " * 40), ("Trailing", "yes  ")]},
    "a space then a word too long": {"answers": [("Plan", " " + "W" * 120)]},
    "words longer than a line": {"title": "W" * 200, "answers": [("Plan", "i" * 900)]},
    "line breaks and hidden hyphens": {"answers": [("Plan", "one\ntwo\r\nre\xaduse " * 30)]},
    "empty texts": {"organisation": "", "answers": [("", ""), ("Budget", " ")]},
    "pages of answers": {"answers": [(f"Question {n}", "circular " * 150) for n in range(12)]},
    "a file name that wraps": {"files": [ReceiptFile("Budget", "budget " * 30, 10, "ab" * 32)]},
    "files over two pages": {
        "answers": [("Plan", "circular " * 900)],
        "files": [ReceiptFile(f"Q{n}", f"file-{n}.pdf", n * 999, "cd" * 32) for n in range(40)],
    },
}


@pytest.mark.parametrize("changes", CASES.values(), ids=CASES.keys())
def test_the_pages_are_the_ones_fpdf_draws(
    changes: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    receipt = facts(**changes)
    assert without_dates(receipt_pdf(receipt)) == without_dates(by_fpdf_alone(receipt, monkeypatch))


@pytest.mark.parametrize("seed", range(8))
def test_random_receipts_are_the_ones_fpdf_draws(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    receipt = random_facts(seed)
    assert without_dates(receipt_pdf(receipt)) == without_dates(by_fpdf_alone(receipt, monkeypatch))


def test_a_typical_receipt_needs_none_of_fpdfs_line_breaking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(*_: object, **__: object) -> None:
        raise AssertionError("drawn by fpdf's line breaking")

    monkeypatch.setattr(pdf_text.TextDocument, "multi_cell", refused)
    monkeypatch.setattr(pdf_text.TextDocument, "table", refused)
    wrapped = facts(answers=[("Summary", "We collect and repair workwear. " * 20)])
    assert receipt_pdf(wrapped).startswith(b"%PDF-")
