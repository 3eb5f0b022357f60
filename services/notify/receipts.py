"""What a submission receipt says, from the submitted snapshot and the call's form: every answer
under its question's label (in the reader's language, English otherwise), every file with its
size and sha256, Yes/No and numbers as the reader writes them. Pure: the mail's context and
the PDF's facts."""

from __future__ import annotations

from typing import Any

from services.notify.domain.messages import words_for
from services.notify.domain.receipt import ReceiptFacts, ReceiptFile
from shared.api.intake import Answer
from shared.api.registry import Form, Question, QuestionType
from shared.contracts.intake import ApplicationSnapshot
from shared.export import localised
from shared.programme import COUNTRIES

COUNTRY_NAMES = {c.code: c.name for c in COUNTRIES}


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
    options = {o.value: localised(o.labels, language, o.value) for o in question.options}
    if isinstance(answer, list):
        return ", ".join(options.get(pick, pick) for pick in answer)
    if isinstance(answer, int | float):
        return number_text(answer, words)
    if question.type is QuestionType.COUNTRY:
        return COUNTRY_NAMES.get(answer, answer)
    return options.get(answer, answer)


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
    return [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in files]
