"""The receipt's layout as a reader sees it: A4 with 18 mm margins, a bold title, the facts in
two columns, each answer under its bold label, the files in a table whose sizes line up on
the right, the fingerprints in a fixed-width font, and a grey footer on every page."""

from __future__ import annotations

from itertools import pairwise

import pytest

from services.notify.domain.receipts import ReceiptFile, encodable, receipt_pdf
from tests.unit.notify.pdf_layout import Layout, Run, layout_of
from tests.unit.notify.test_receipt import FINGERPRINT, facts

LINE, MARGIN, PADDING = 5.5, 18.0, 1.0  # mm; fpdf pads a cell's text by 1 mm
TEXT_LEFT, TEXT_RIGHT = MARGIN + PADDING, 210 - MARGIN - PADDING
BOTTOM = 297 - MARGIN
BOLD, REGULAR, MONO = "Helvetica-Bold", "Helvetica", "Courier"
FACTS = ("Receipt number", "Version", "Submitted", "Fingerprint", "Organisation", "Contact",
         "Application")  # fmt: skip


@pytest.fixture
def receipt() -> Layout:
    return layout_of(receipt_pdf(facts()))


def looks(run: Run) -> tuple[str, float]:
    return run.font, run.size


def test_an_a4_document_named_after_its_receipt_and_call(receipt: Layout) -> None:
    assert receipt.media_box == (0, 0, 595.28, 841.89)
    assert receipt.info["Title"] == "Receipt R-2025-000042: Repair and reuse in textiles"
    assert receipt.info["Creator"] == "Open-call portal"


def test_each_kind_of_text_has_its_font_and_size(receipt: Layout) -> None:
    assert looks(receipt.run("Repair and reuse in textiles")) == (BOLD, 16)
    assert looks(receipt.run("Submission receipt")) == (REGULAR, 12)
    for label in FACTS:
        assert looks(receipt.run(label)) == (BOLD, 10), label
    for value in ("R-2025-000042", "2", "Second Stitch Cooperative", "Second life for workwear"):
        assert looks(receipt.run(value)) == (REGULAR, 10.5), value
    assert looks(receipt.run(FINGERPRINT)) == (MONO, 9)  # fits one line
    for heading in ("Answers", "Files"):
        assert looks(receipt.run(heading)) == (BOLD, 12.5), heading
    assert looks(receipt.run("Summary")) == looks(receipt.run("Budget")) == (BOLD, 10)
    assert looks(receipt.run("We collect and repair workwear.")) == (REGULAR, 10.5)
    for heading in ("Question", "File", "Size"):
        assert looks(receipt.run(heading)) == (BOLD, 9), heading
    for cell in ("Budget plan", "budget.pdf", "2,450,000 bytes", "sha256 " + "ab" * 32):
        assert looks(receipt.run(cell)) == (REGULAR, 9), cell


def test_the_lines_follow_one_rhythm_from_the_top_margin(receipt: Layout) -> None:
    def top(text: str) -> float:
        return round(receipt.run(text).top(LINE), 2)

    assert top("Repair and reuse in textiles") == MARGIN
    assert top("Submission receipt") == MARGIN + LINE
    facts_start = MARGIN + 2 * LINE + 4
    for row, label in enumerate(FACTS):
        assert top(label) == facts_start + row * LINE, label
    assert top(FINGERPRINT) == top("Fingerprint")
    answers = facts_start + len(FACTS) * LINE + 4  # a heading has 4 mm above, 1 mm below
    assert top("Answers") == answers
    assert top("Summary") == answers + LINE + 1
    assert top("We collect and repair workwear.") == answers + 2 * LINE + 1
    assert top("Budget") == answers + 3 * LINE + 1 + 2  # 2 mm between answers
    assert top("Files") == answers + 5 * LINE + 1 + 2 * 2 + 4
    table_top = top("Files") + LINE + 1
    rows = sorted({round(box.top, 2) for box in receipt.boxes})
    assert rows == [table_top, table_top + 4.8, table_top + 2 * 4.8]


def test_the_facts_stand_in_two_columns_inside_the_margins(receipt: Layout) -> None:
    body = [run for run in receipt.runs if run.colour == (0, 0, 0)]
    assert {round(run.x, 2) for run in body if run.text in FACTS} == {TEXT_LEFT}
    values = ("R-2025-000042", "2", FINGERPRINT, "Second life for workwear")
    assert {round(receipt.run(value).x, 2) for value in values} == {MARGIN + 42 + PADDING}
    assert round(receipt.run("Summary").x, 2) == round(receipt.run("48,000 EUR").x, 2) == TEXT_LEFT
    assert max(run.right for run in body) <= TEXT_RIGHT + 0.01


def test_the_files_table_has_its_columns_and_sizes_line_up_right(receipt: Layout) -> None:
    columns = sorted({(round(box.x, 1), round(box.width, 1)) for box in receipt.boxes})
    assert columns == [(18.0, 55.0), (18.0, 174.0), (73.0, 85.0), (158.0, 34.0)]
    assert round(receipt.run("File").x, 2) == round(receipt.run("budget.pdf").x, 2) == 74.0
    assert round(receipt.run("Size").right, 2) == TEXT_RIGHT
    assert round(receipt.run("2,450,000 bytes").right, 2) == TEXT_RIGHT
    assert {round(box.height, 2) for box in receipt.boxes} == {4.8}


def test_the_footer_is_small_grey_text_at_the_foot_of_the_page(receipt: Layout) -> None:
    footer, page = receipt.run("Receipt R-2025-000042"), receipt.run("Page 1 of 1")
    for run in (footer, page):
        assert looks(run) == (REGULAR, 8) and run.colour == (90, 102, 93)
        assert round(run.top(5), 2) == 297 - 13
    assert round(footer.x, 2) == TEXT_LEFT
    # Right-aligned while the page count was still fpdf's "{nb}" alias, a little wider.
    assert TEXT_RIGHT - 4 < page.right <= TEXT_RIGHT


@pytest.mark.parametrize("answers_before", range(5))
def test_long_answers_fill_each_page_down_to_the_bottom_margin(answers_before: int) -> None:
    short = [(f"Short {n}", "Yes.") for n in range(answers_before)]
    long = facts(answers=[*short, ("Plan", "circular " * 1200)], files=[])
    layout = layout_of(receipt_pdf(long))
    body = [run for run in layout.runs if run.colour == (0, 0, 0)]
    first, second = ([run for run in body if run.page == page] for page in (1, 2))
    last_bottom = first[-1].top(LINE) + LINE
    assert last_bottom <= BOTTOM + 0.01 < last_bottom + LINE  # the next line would not fit
    assert round(second[0].top(LINE), 2) == MARGIN
    pages = max(run.page for run in layout.runs)
    footers = [run.text for run in layout.runs if run.colour != (0, 0, 0)]
    assert footers.count("Receipt R-2025-000042") == pages > 2
    assert footers[-1] == f"Page {pages} of {pages}"


def test_wrapped_text_keeps_every_word_ragged_right_inside_the_margins() -> None:
    words = [f"word{n}" for n in range(400)]
    title = "A very long application title " * 8
    layout = layout_of(receipt_pdf(facts(title=title.strip(), answers=[("Plan", " ".join(words))])))
    answer_lines = [run for run in layout.runs if run.text.startswith("word")]
    assert " ".join(run.text.strip() for run in answer_lines).split() == words
    assert len({round(run.baseline, 2) for run in answer_lines}) == len(answer_lines) > 10
    assert {round(b.baseline - a.baseline, 2) for a, b in pairwise(answer_lines)
            if a.page == b.page} == {LINE}  # fmt: skip
    application, answers = layout.run("Application"), layout.run("Answers")
    title_lines = [run for run in layout.runs
                   if application.baseline <= run.baseline < answers.baseline and run.x > 60]  # fmt: skip
    assert " ".join(run.text.strip() for run in title_lines) == title.strip()
    assert len(title_lines) > 1 and {round(run.x, 2) for run in title_lines} == {61.0}
    assert max(run.right for run in layout.runs) <= TEXT_RIGHT + 0.01
    # Justified lines would be spread by word spacing (Tw); the receipt's are left-aligned.
    assert not any(b" Tw" in content for content in layout.contents)


def test_an_empty_answer_shows_a_dash_under_its_label() -> None:
    layout = layout_of(receipt_pdf(facts(answers=[("Partners", ""), ("Budget", "none")])))
    label, dash = layout.run("Partners"), layout.run("-")
    assert looks(dash) == (REGULAR, 10.5)
    assert round(dash.top(LINE) - label.top(LINE), 2) == LINE


def test_the_files_table_repeats_no_heading_and_keeps_each_hash_under_its_file() -> None:
    files = [ReceiptFile("Budget plan", "budget.pdf", 999, "cd" * 32),
             ReceiptFile("Letter", "letter.pdf", 1_234, "ef" * 32)]  # fmt: skip
    layout = layout_of(receipt_pdf(facts(files=files)))
    shown = [run.text for run in layout.runs]
    start = shown.index("Question")
    assert shown[start : start + 11] == ["Question", "File", "Size",
        "Budget plan", "budget.pdf", "999 bytes", "sha256 " + "cd" * 32,
        "Letter", "letter.pdf", "1,234 bytes", "sha256 " + "ef" * 32]  # fmt: skip


def test_ligatures_are_written_as_their_letters() -> None:
    assert encodable("ﬁnance ﬄow ǆungla") == "finance fflow dzungla"
