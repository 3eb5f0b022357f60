"""What no draft keeps, whatever its questions' limits (found probing: a 37 MB draft of
answers under keys no question has, a team of 5,000, names of 100,000 characters)."""

from __future__ import annotations

from services.intake.domain.bounds import (
    FIELD_MOST,
    PICKS_MOST,
    TEAM_MOST,
    TEXT_MOST,
    unkept_errors,
)
from shared.api.intake import ApplicationUpdate, OrganisationUpdate, Person, PersonUpdate
from shared.api.registry import Form, Question, QuestionType

FORM = Form(questions=[Question(key="summary", labels={"en": "S"}, type=QuestionType.LONG_TEXT),
                       Question(key="strategies", labels={"en": "P"}, type=QuestionType.MULTIPLE_CHOICE)])  # fmt: skip


def fields(update: ApplicationUpdate) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in unkept_errors(FORM, update)]


def test_what_a_form_asks_within_the_bounds_is_kept() -> None:
    update = ApplicationUpdate(
        answers={"summary": "x" * TEXT_MOST, "strategies": ["reuse"] * PICKS_MOST},
        organisation=OrganisationUpdate(name="n" * FIELD_MOST), contact=PersonUpdate(name="c"),
        team=[Person(name="p" * FIELD_MOST)] * TEAM_MOST,
    )  # fmt: skip
    assert fields(update) == []
    assert fields(ApplicationUpdate(answers={"summary": None})) == []  # clearing one


def test_a_key_no_question_has_is_refused() -> None:
    assert fields(ApplicationUpdate(answers={"junk1": "x"})) == [
        ("answers.junk1", "is not a question of this form")
    ]


def test_each_bound_is_named_where_it_is_passed() -> None:
    update = ApplicationUpdate(
        answers={"summary": "x" * (TEXT_MOST + 1), "strategies": ["r"] * (PICKS_MOST + 1)},
        organisation=OrganisationUpdate(website="w" * (FIELD_MOST + 1)),
        contact=PersonUpdate(email="e" * (FIELD_MOST + 1)),
        team=[Person()] * (TEAM_MOST + 1),
    )  # fmt: skip
    assert fields(update) == [
        ("answers.summary", "must be at most 100,000 characters"),
        ("answers.strategies", "holds at most 1,000 values"),
        ("team", "holds at most 100 people"),
        ("organisation.website", "must be at most 1,000 characters"),
        ("contact.email", "must be at most 1,000 characters"),
    ]
    long_choice = ApplicationUpdate(answers={"strategies": ["r" * (TEXT_MOST + 1)]})
    assert fields(long_choice) == [("answers.strategies", "must be at most 100,000 characters")]
    long_member = ApplicationUpdate(team=[Person(), Person(role="r" * (FIELD_MOST + 1))])
    assert fields(long_member) == [("team.1.role", "must be at most 1,000 characters")]


def test_an_amount_the_form_asks_as_a_question_is_refused_not_dropped() -> None:
    asked = Question(key="budget", labels={"en": "B"}, type=QuestionType.REQUESTED_AMOUNT)
    with_amount = Form(questions=[*FORM.questions, asked])
    update = ApplicationUpdate(requested_amount=40_000)
    assert [(e.field, e.message) for e in unkept_errors(with_amount, update)] == [
        ("requestedAmount", "is asked by the question budget: answer it")
    ]
    assert fields(update) == []  # a form without such a question keeps the field
