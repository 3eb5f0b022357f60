"""The receipt names every answer by its label, in the reader's language where it has one."""

from __future__ import annotations

from datetime import UTC, datetime

from services.notify.domain.receipts import (
    answer_text,
    labelled_answers,
    receipt_facts,
    receipt_files,
)
from shared.api.intake import Organisation, Person
from shared.api.registry import Form, Option, Question, QuestionType
from shared.contracts.intake import ApplicationSubmitted, AttachmentFacts

CHOICES = [Option("repair", {"en": "Repair", "pt": "Reparar"}), Option("reuse", {"en": "Reuse"})]
FORM = Form(
    questions=[
        Question(key="title", type=QuestionType.SHORT_TEXT, labels={"en": "Title", "pt": "Título"}),
        Question(key="r", type=QuestionType.MULTIPLE_CHOICE, labels={"en": "R"}, options=CHOICES),
        Question(key="country", type=QuestionType.COUNTRY, labels={"en": "Country"}),
        Question(key="amount", type=QuestionType.REQUESTED_AMOUNT, labels={"en": "Amount"}),
        Question(key="ok", type=QuestionType.DECLARATION, labels={"en": "I agree"}),
        Question(key="deck", type=QuestionType.FILE, labels={"en": "Deck", "pt": "Apresentação"}),
    ]
)


def test_answers_read_as_a_person_reads_them() -> None:
    answers = {"title": "Loops", "r": ["repair", "reuse"], "country": "PT", "amount": 12500.0,
               "ok": True}  # fmt: skip
    assert labelled_answers(FORM, answers, "pt") == [
        ("Título", "Loops"), ("R", "Reparar, Reuse"), ("Country", "Portugal"),
        ("Amount", "12\u00a0500"), ("I agree", "Sim"),
    ]  # fmt: skip
    assert labelled_answers(FORM, {"ok": False}, "en")[-1] == ("I agree", "No")


def test_numbers_and_yes_use_the_readers_marks_and_words() -> None:
    amount, declaration = FORM.questions[3], FORM.questions[4]
    assert answer_text(amount, 1234567.5, "en") == "1,234,567.50"
    assert answer_text(amount, 1234567.5, "nl") == "1.234.567,50"
    assert answer_text(declaration, True, "it") == "Sì"
    assert answer_text(declaration, True, "de") == "Yes"  # no translation: English


def test_an_empty_answer_says_so_and_an_unknown_option_keeps_its_value() -> None:
    question = FORM.questions[1]
    assert answer_text(question, None, "en") == "(not answered)"
    assert answer_text(question, [], "nl") == "(niet beantwoord)"
    assert answer_text(question, ["other"], "en") == "other"
    assert answer_text(FORM.questions[3], 1234.5, "en") == "1,234.50"


def test_files_are_listed_under_their_questions_label() -> None:
    event = ApplicationSubmitted(
        application_id="a", call_id="c", applicant_id="u", version=1, receipt_number="OC-1",
        submitted_at=datetime.now(UTC), fingerprint="f" * 64, organisation=Organisation(),
        contact=Person(), attachments=[AttachmentFacts(
            id="x", question_key="deck", file_name="deck.pdf", content_type="application/pdf",
            size=10, sha256="a" * 64,
        )],
    )  # fmt: skip
    [listed] = receipt_files(FORM, event, "pt")
    assert (listed.question, listed.name, listed.size, listed.sha256) == (
        "Apresentação", "deck.pdf", 10, "a" * 64,
    )  # fmt: skip


def test_the_receipts_facts_carry_the_readers_language() -> None:
    event = ApplicationSubmitted(
        application_id="a", call_id="c", applicant_id="u", version=1, receipt_number="OC-1",
        submitted_at=datetime.now(UTC), fingerprint="f" * 64, organisation=Organisation(),
        contact=Person(name="Ana"), answers={"ok": True},
    )  # fmt: skip
    facts = receipt_facts(
        call_title="C", title="T", submitted_at="now", form=FORM, event=event, language="pt"
    )
    assert facts.language == "pt" and ("I agree", "Sim") in facts.answers
