"""The receipt PDF: a PDF, with the receipt's facts readable in it, whatever people wrote."""

from __future__ import annotations

import re
import zlib

from services.notify.domain.receipts import ReceiptFacts, ReceiptFile, encodable, receipt_pdf

FINGERPRINT = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def facts(**changes: object) -> ReceiptFacts:
    base = ReceiptFacts(
        call_title="Repair and reuse in textiles",
        receipt_number="R-2025-000042",
        version=2,
        submitted_at="14 May 2025, 15:02 CEST",
        fingerprint=FINGERPRINT,
        organisation="Second Stitch Cooperative",
        contact="Ana Silva <ana@example.org>",
        title="Second life for workwear",
        answers=[("Summary", "We collect and repair workwear."), ("Budget", "48,000 EUR")],
        files=[ReceiptFile("Budget plan", "budget.pdf", 2_450_000, "ab" * 32)],
    )
    return ReceiptFacts(**{**{f: getattr(base, f) for f in base.__struct_fields__}, **changes})


def page_text(pdf: bytes) -> str:
    """The text the pages show: the literal strings of every (decompressed) content stream."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    content = b"".join(zlib.decompress(stream) for stream in streams if stream[:1] == b"x")
    shown = re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content)
    return "\n".join(re.sub(rb"\\(.)", rb"\1", s).decode("windows-1252") for s in shown)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page(?!s)", pdf))


def test_the_receipt_is_a_pdf_with_its_facts() -> None:
    pdf = receipt_pdf(facts())
    assert pdf.startswith(b"%PDF-")
    text = page_text(pdf)
    for shown in ("Repair and reuse in textiles", "R-2025-000042", FINGERPRINT, "14 May 2025, 15:02 CEST",
                  "Second Stitch Cooperative", "Ana Silva <ana@example.org>", "Second life for workwear",
                  "Summary", "We collect and repair workwear.", "Budget plan", "budget.pdf",
                  "2,450,000 bytes", "sha256 " + "ab" * 32):  # fmt: skip
        assert shown in text, shown


def test_answers_come_in_form_order_under_their_labels() -> None:
    text = page_text(receipt_pdf(facts()))
    assert (
        text.index("Summary")
        < text.index("We collect")
        < text.index("Budget")
        < text.index("48,000")
    )


def test_unicode_text_does_not_break_the_receipt() -> None:
    pdf = receipt_pdf(
        facts(title="Ação circular — ü ß ł ș 中", organisation="Łódź Ağ (test) \\ ok")
    )
    text = page_text(pdf)
    assert "Ação circular — ü ß l s Zhong" in text
    assert "Lódz Ag (test) \\ ok" in text


def test_letters_outside_the_font_lose_only_their_accent() -> None:
    assert encodable("Ação — €") == "Ação — €"  # the fonts' encoding has these
    assert encodable("Łódź, Iași, Győr, İzmir, Đakovo") == "Lódz, Iasi, Gyor, Izmir, Dakovo"
    # Letters with no Latin base: in Latin letters; what has no reading at all: "?".
    assert encodable("Πρόταση έργου.pdf") == "Protasi ergoy.pdf"
    assert encodable("Київ, 中文") == "Kiiv, ZhongWen"
    assert encodable("\U000e0001 \ue000") == "? ?"


def test_long_answers_wrap_onto_more_pages() -> None:
    long = facts(answers=[(f"Question {n}", "circular " * 300) for n in range(1, 6)])
    pdf = receipt_pdf(long)
    assert page_count(receipt_pdf(facts())) == 1 and page_count(pdf) > 1
    text = page_text(pdf)
    pages = page_count(pdf)
    assert re.search(rf"Page {pages} of\s*{pages}", text)  # the alias is drawn as its own string
    assert "Question 5" in text and max(len(line) for line in text.splitlines()) < 120


def test_a_receipt_without_files_says_so() -> None:
    assert "No files attached." in page_text(receipt_pdf(facts(files=[])))


def test_the_same_facts_give_the_same_pages() -> None:
    def without_dates(pdf: bytes) -> bytes:
        return re.sub(rb"\(D:[^)]*\)|/ID \[[^\]]*\]", b"", pdf)

    assert without_dates(receipt_pdf(facts())) == without_dates(receipt_pdf(facts()))
    assert page_text(receipt_pdf(facts())) != page_text(receipt_pdf(facts(version=3)))


def test_the_receipts_own_words_are_in_the_readers_language() -> None:
    dutch = page_text(receipt_pdf(facts(language="nl")))
    for shown in ("Ontvangstnummer", "Versie", "Ingediend", "Vingerafdruk", "Organisatie",
                  "Contactpersoon", "Antwoorden", "Bestanden", "Vraag", "2.450.000 bytes",
                  "Ontvangstbewijs R-2025-000042"):  # fmt: skip
        assert shown in dutch, shown
    assert re.search(r"Pagina 1 van\s*1", dutch)
    assert "Receipt number" not in dutch and "Page 1" not in dutch
    italian = page_text(receipt_pdf(facts(language="it", files=[])))
    assert "Nessun file allegato." in italian and "Risposte" in italian


def test_a_language_without_a_translation_gets_the_english_receipt() -> None:
    assert page_text(receipt_pdf(facts(language="de"))) == page_text(receipt_pdf(facts()))
