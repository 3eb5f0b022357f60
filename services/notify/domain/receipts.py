"""The submission receipt: what it says and the PDF that says it. Pure: the mail's context
and the PDF's bytes, from the submitted snapshot and the call's form.

What it says: every answer under its question's label (in the reader's language, English
otherwise), every file with its size and sha256, Yes/No and numbers as the reader writes them.

The PDF uses the core fonts every reader has (no font file to ship). They encode Windows-1252,
which covers the programme's western languages; any other letter is written without its
accent (ł → l, ș → s) or, failing that, in Latin letters (anyascii: "Πρόταση" → "Protasi",
"Київ" → "Kiiv"; a UI audit found a Greek file name as "???????"), so no applicant's text
can break the receipt, and the receipt still says which file it was.
Its own words come from the `[receipt_pdf]` strings in the reader's language, English otherwise.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import msgspec
from anyascii import anyascii
from fpdf.enums import Align

from services.notify.domain.messages import words_for
from services.notify.domain.pdf_text import TextDocument
from shared.api.intake import Answer
from shared.api.registry import Form, Question, QuestionType
from shared.contracts.intake import ApplicationSnapshot
from shared.export import chosen_label, localised

ENCODING = "windows-1252"
# Letters NFKD does not take apart into a base letter and an accent.
BASE_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "\u0131": "i", "ħ": "h"})
SANS, MONO = "helvetica", "courier"
LINE = 5.5  # mm, body line height
# The files table: its columns' shares of the width between the margins, how each is aligned,
# and its line height.
COLUMNS, ALIGNS, TABLE_LINE = (55, 85, 34), (Align.L, Align.L, Align.R), 4.8


class ReceiptFile(msgspec.Struct, frozen=True):
    question: str
    name: str
    size: int
    sha256: str


class ReceiptFacts(msgspec.Struct, frozen=True):
    call_title: str
    receipt_number: str
    version: int
    submitted_at: str  # already formatted in the call's time zone
    fingerprint: str
    organisation: str
    contact: str
    title: str
    answers: list[tuple[str, str]]  # (question label, answer as text), in form order
    files: list[ReceiptFile]
    language: str = "en"  # the reader's; the PDF's own words are in it where translated


def encodable(text: str) -> str:
    """`text` in the core fonts' encoding, letters it lacks written without their accents."""
    if text.isascii() or fits(text):  # the encoding has every ASCII character
        return text
    return "".join(char if fits(char) else without_accent(char) for char in text)


def fits(text: str) -> bool:
    try:
        text.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def without_accent(char: str) -> str:
    plain = unicodedata.normalize("NFKD", char.translate(BASE_LETTERS))
    base = "".join(c for c in plain if not unicodedata.combining(c))
    return base if base and fits(base) else (anyascii(char) or "?")


class ReceiptDocument(TextDocument):
    def __init__(self, facts: ReceiptFacts) -> None:
        # fpdf's own defaults, said for the reader (mutating their spelling changes nothing).
        super().__init__(format="A4", unit="mm")  # pragma: no mutate
        self.facts = facts
        self.words = words_for(facts.language, "receipt_pdf")
        self.core_fonts_encoding = ENCODING
        self.set_margins(18, 18)  # left and top; the right margin follows the left
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(encodable(self.say("title", call_title=facts.call_title)))
        self.set_creator("Open-call portal")

    def say(self, key: str, **values: object) -> str:
        """One of the PDF's own strings; the receipt number is there for every one."""
        return self.words[key].format(receipt_number=self.facts.receipt_number, **values)

    def grouped(self, number: int) -> str:
        return f"{number:,}".replace(",", self.words["thousands_mark"])

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(SANS, size=8)
        self.set_text_color(90, 102, 93)
        self.cell(0, 5, encodable(self.say("footer")), align="L")
        self.set_x(self.l_margin)
        # "{nb}" is fpdf's alias, replaced by the page count once every page is drawn.
        self.cell(0, 5, encodable(self.say("page", page=self.page_no(), pages="{nb}")), align="R")

    def paragraph(self, text: str, size: float = 10.5, style: str = "") -> None:
        self.set_font(SANS, style, size)
        self.text_block(LINE, encodable(text))

    def heading(self, text: str) -> None:
        self.ln(4)
        self.paragraph(text, size=12.5, style="B")
        self.ln(1)

    def fact(self, label: str, value: str, mono: bool = False) -> None:
        self.set_font(SANS, "B", 10)
        self.text_line(42, LINE, encodable(label))
        # A sha256 in hex fits on one line at 9 pt.
        self.set_font(MONO if mono else SANS, "", 9 if mono else 10.5)
        self.text_block(LINE, encodable(value))

    def files_table(self, files: list[ReceiptFile]) -> None:
        """A heading row, then per file its question, name and size and, below, its sha256."""
        self.set_font(SANS, size=9)
        rows = [[encodable(self.say(key)) for key in ("question", "file", "size")]]
        for file in files:
            size = self.say("size_bytes", size=self.grouped(file.size))
            rows.append([encodable(file.question), encodable(file.name), encodable(size)])
            rows.append([f"sha256 {file.sha256}"])
        if not self.table_of_single_lines(rows, COLUMNS, ALIGNS, TABLE_LINE):
            self.fpdf_table(rows)

    def fpdf_table(self, rows: list[list[str]]) -> None:
        """fpdf's table: cells that wrap, rows that move to the next page, headings repeated."""
        with self.table(col_widths=COLUMNS, text_align=ALIGNS, line_height=TABLE_LINE,
                        first_row_as_headings=True) as table:  # fmt: skip
            for cells in rows:
                if len(cells) == len(COLUMNS):
                    table.row(cells)
                else:
                    table.row().cell(cells[0], colspan=len(COLUMNS))


def receipt_pdf(facts: ReceiptFacts) -> bytes:
    """An A4 receipt of one or more pages: the call, the receipt, the applicant, every answer
    under its label and every file with its sha256."""
    pdf = ReceiptDocument(facts)
    say = pdf.say
    pdf.add_page()
    pdf.paragraph(facts.call_title, size=16, style="B")
    pdf.paragraph(say("heading"), size=12)
    pdf.ln(4)
    pdf.fact(say("receipt_number"), facts.receipt_number)
    pdf.fact(say("version"), str(facts.version))
    pdf.fact(say("submitted_at"), facts.submitted_at)
    pdf.fact(say("fingerprint"), facts.fingerprint, mono=True)
    pdf.fact(say("organisation"), facts.organisation)
    pdf.fact(say("contact"), facts.contact)
    pdf.fact(say("application"), facts.title)
    pdf.heading(say("answers"))
    for label, answer in facts.answers:
        pdf.paragraph(label, size=10, style="B")
        pdf.paragraph(answer or "-")
        pdf.ln(2)
    pdf.heading(say("files"))
    if facts.files:
        pdf.files_table(facts.files)
    else:
        pdf.paragraph(say("no_files"))
    return bytes(pdf.output())


# ---- what the receipt says ----------------------------------------------------------------


def number_text(value: float, words: dict[str, str]) -> str:
    """12500.5 -> "12,500.50" in English, "12.500,50" in Dutch."""
    written = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    marks = {",": words["thousands_mark"], ".": words["decimal_mark"]}
    return "".join(marks.get(char, char) for char in written)


def answer_text(question: Question, answer: Answer, language: str) -> str:
    """One answer as a person reads it: option labels, country names, Yes/No, numbers."""
    words = words_for(language, "receipt_pdf")
    if answer is None or answer == "" or answer == []:
        return words["not_answered"]
    if isinstance(answer, bool):
        return words["yes"] if answer else words["no"]
    chosen = chosen_label(question, answer, language)
    if chosen is not None:
        return chosen
    if isinstance(answer, list):
        return ", ".join(map(str, answer))
    if isinstance(answer, int | float):
        return number_text(answer, words)
    return answer


def labelled_answers(
    form: Form, answers: dict[str, Answer], language: str
) -> list[tuple[str, str]]:
    """(label, answer) in form order; file questions are listed with the files instead."""
    return [
        (localised(q.labels, language, q.key), answer_text(q, answers.get(q.key), language))
        for q in form.questions
        if q.type is not QuestionType.FILE
    ]


def receipt_files(form: Form, event: ApplicationSnapshot, language: str) -> list[ReceiptFile]:
    labels = {q.key: localised(q.labels, language, q.key) for q in form.questions}
    return [
        ReceiptFile(
            question=labels.get(a.question_key, a.question_key),
            name=a.file_name,
            size=a.size,
            sha256=a.sha256,
        )
        for a in event.attachments
    ]


def receipt_facts(
    *, call_title: str, title: str, submitted_at: str, form: Form, event: ApplicationSnapshot,
    language: str,
) -> ReceiptFacts:  # fmt: skip
    contact = event.contact
    return ReceiptFacts(
        call_title=call_title,
        receipt_number=event.receipt_number,
        version=event.version,
        submitted_at=submitted_at,
        fingerprint=event.fingerprint,
        organisation=event.organisation.name,
        contact=f"{contact.name} <{contact.email}>" if contact.email else contact.name,
        title=title,
        answers=labelled_answers(form, event.answers, language),
        files=receipt_files(form, event, language),
        language=language,
    )


def files_context(files: list[ReceiptFile]) -> list[dict[str, Any]]:
    return [
        {"question": f.question, "name": f.name, "size": f.size, "sha256": f.sha256} for f in files
    ]
