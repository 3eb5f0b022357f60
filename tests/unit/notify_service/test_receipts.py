"""The receipt names every answer by its label, in the reader's language where it has one."""

from __future__ import annotations

from datetime import UTC, datetime

from services.notify.receipts import NOT_ANSWERED, answer_text, labelled_answers, receipt_files
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
        ("Amount", "12,500"), ("I agree", "Yes"),
    ]  # fmt: skip


def test_an_empty_answer_says_so_and_an_unknown_option_keeps_its_value() -> None:
    question = FORM.questions[1]
    assert answer_text(question, None, "en") == NOT_ANSWERED
    assert answer_text(question, [], "en") == NOT_ANSWERED
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
