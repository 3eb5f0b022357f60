"""Answers against a call's form: warnings while drafting, errors on submit."""

from __future__ import annotations

from typing import Any

import pytest

from services.intake.domain.answers import answer_errors, requested_amount
from services.registry.demo import demo_form
from shared.api.registry import Form, Question, QuestionType
from shared.programme import COUNTRY_CODES

FORM = demo_form()
COMPLETE: dict[str, Any] = {
    "project_title": "Fix it",
    "summary": "Repair cafés in every street.",
    "value_chain": "electronics_ict",
    "strategies": ["repair"],
    "team_size": 3,
    "country": "NL",
    "requested_amount": 20000,
    "declaration_of_honour": True,
}
FILES = {"pitch_deck": 1}


def errors(
    answers: dict[str, Any],
    *,
    strict: bool,
    files: dict[str, int] = FILES,
    form: Form = FORM,
) -> dict[str, str]:
    found = answer_errors(form, answers, files, strict=strict, country_codes=COUNTRY_CODES)
    assert len({e.field for e in found}) == len(found), "one message per field"
    return {e.field: e.message for e in found}


def one_question(**fields: Any) -> Form:
    return Form(questions=[Question(key="q", labels={"en": "Q"}, **fields)])


@pytest.mark.parametrize("strict", [False, True])
def test_a_complete_application_passes(strict: bool) -> None:
    assert errors(COMPLETE, strict=strict) == {}


def test_a_draft_is_never_refused_for_being_incomplete() -> None:
    assert errors({}, strict=False, files={}) == {}


def test_cleared_answers_are_not_problems_in_a_draft() -> None:
    cleared: dict[str, Any] = {
        "project_title": "",
        "summary": "  \n",
        "strategies": [],
        "team_size": None,
    }
    assert errors(cleared, strict=False, files={}) == {}


def test_submit_names_every_missing_required_answer() -> None:
    found = errors({}, strict=True, files={})
    required = {q.key for q in FORM.questions if q.required}
    assert set(found) == {f"answers.{k}" for k in required}
    assert "answers.supporting_documents" not in found  # optional
    assert found["answers.project_title"] == "is required"
    assert found["answers.pitch_deck"] == "attach a file"
    assert found["answers.declaration_of_honour"] == "must be accepted"


@pytest.mark.parametrize("blank", [None, "", "   ", "\n\t", []])
def test_blank_values_count_as_unanswered_on_submit(blank: Any) -> None:
    found = errors({**COMPLETE, "project_title": blank}, strict=True)
    assert found == {"answers.project_title": "is required"}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("project_title", "x" * 121, "must be at most 120 characters"),
        ("project_title", 42, "must be text"),
        ("project_title", ["a"], "must be text"),
        ("summary", "word " * 301, "must be at most 300 words"),
        ("summary", True, "must be text"),
        ("team_size", 0, "must be between 1 and 250"),
        ("team_size", 251, "must be between 1 and 250"),
        ("team_size", -3.5, "must be between 1 and 250"),
        ("team_size", "three", "must be a number"),
        ("team_size", "3", "must be a number"),
        ("team_size", True, "must be a number"),
        ("team_size", False, "must be a number"),
        ("team_size", float("nan"), "must be a number"),
        ("team_size", float("inf"), "must be a number"),
        ("team_size", [3], "must be a number"),
        ("requested_amount", 4999, "must be between €5,000 and €60,000"),
        ("requested_amount", 60000.01, "must be between €5,000 and €60,000"),
        ("requested_amount", -1, "cannot be negative"),
        ("requested_amount", "20000", "must be a number"),
        ("value_chain", "space", "is not one of the options"),
        ("value_chain", ["electronics_ict"], "is not one of the options"),
        ("value_chain", 1, "is not one of the options"),
        ("strategies", ["repair", "repair"], "picks an option twice"),
        ("strategies", ["repair", "reuse", "refurbish", "remanufacture"], "pick at most 3"),
        ("strategies", ["recycle"], "is not one of the options"),
        ("strategies", ["repair", 1], "is not one of the options"),
        ("strategies", "repair", "is not one of the options"),
        ("country", "XX", "unknown country XX"),
        ("country", "nl", "unknown country nl"),
        ("country", 31, "must be text"),
        ("declaration_of_honour", "yes", "must be yes or no"),
        ("declaration_of_honour", 1, "must be yes or no"),
        ("pitch_deck", "deck.pdf", "upload files instead"),
        ("nonsense", "x", "is not a question of this form"),
    ],
)
def test_wrong_values_are_named_while_drafting(key: str, value: Any, message: str) -> None:
    assert errors({**COMPLETE, key: value}, strict=False) == {f"answers.{key}": message}


@pytest.mark.parametrize(
    ("key", "value"),
    [("team_size", 0), ("country", "XX"), ("strategies", ["recycle"]), ("nonsense", 1)],
)
def test_wrong_values_are_errors_on_submit_too(key: str, value: Any) -> None:
    assert f"answers.{key}" in errors({**COMPLETE, key: value}, strict=True)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("project_title", "x" * 120),
        ("project_title", "é" * 120),
        ("summary", " ".join(["word"] * 300)),
        ("summary", "one\ntwo\tthree  " * 100),  # 300 words however they are spaced
        ("team_size", 1),
        ("team_size", 250),
        ("team_size", 12.5),
        ("requested_amount", 5000),
        ("requested_amount", 60000.0),
        ("strategies", ["reuse", "repair", "refurbish"]),
        ("country", "FR"),
        ("declaration_of_honour", True),
    ],
)
def test_values_at_the_limits_pass(key: str, value: Any) -> None:
    assert errors({**COMPLETE, key: value}, strict=True) == {}


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        ({"type": QuestionType.NUMBER, "min_value": 2}, 1, "must be at least 2"),
        ({"type": QuestionType.NUMBER, "max_value": 1_000_000}, 2e6, "must be at most 1,000,000"),
        ({"type": QuestionType.NUMBER, "max_value": 0.5}, 1, "must be at most 0.5"),
        ({"type": QuestionType.NUMBER}, -1e9, None),  # no limits: any number
        ({"type": QuestionType.REQUESTED_AMOUNT}, -0.01, "cannot be negative"),
        ({"type": QuestionType.REQUESTED_AMOUNT}, 0, None),
        ({"type": QuestionType.SHORT_TEXT}, "x" * 10_000, None),  # no limit set
        ({"type": QuestionType.SHORT_TEXT, "max_length": 1}, "ab", "must be at most 1 character"),
        ({"type": QuestionType.LONG_TEXT, "max_words": 1}, "a b", "must be at most 1 word"),
        ({"type": QuestionType.MULTIPLE_CHOICE}, ["x"], "is not one of the options"),
        ({"type": QuestionType.COUNTRY}, "US", "unknown country US"),
    ],
)
def test_limits_are_those_of_the_question(
    question: dict[str, Any], value: Any, message: str | None
) -> None:
    found = errors({"q": value}, strict=False, files={}, form=one_question(**question))
    assert found == ({"answers.q": message} if message else {})


def test_country_codes_are_the_callers_not_a_fixed_list() -> None:
    found = answer_errors(
        FORM, {"country": "NL"}, {}, strict=False, country_codes=frozenset({"BE"})
    )
    assert [(e.field, e.message) for e in found] == [("answers.country", "unknown country NL")]


def test_a_declaration_must_be_accepted_on_submit_only() -> None:
    declined = {**COMPLETE, "declaration_of_honour": False}
    assert errors(declined, strict=True) == {"answers.declaration_of_honour": "must be accepted"}
    assert errors(declined, strict=False) == {}


def test_an_optional_declaration_may_be_declined() -> None:
    form = one_question(type=QuestionType.DECLARATION, required=False)
    assert errors({"q": False}, strict=True, files={}, form=form) == {}
    assert errors({}, strict=True, files={}, form=form) == {}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"pitch_deck": 1, "supporting_documents": 3}, {}),
        ({"pitch_deck": 2}, {"answers.pitch_deck": "attach at most 1 file"}),
        (
            {"pitch_deck": 1, "supporting_documents": 4},
            {"answers.supporting_documents": "attach at most 3 files"},
        ),
        ({}, {}),  # a draft may have no files yet
    ],
)
def test_file_counts_while_drafting(files: dict[str, int], expected: dict[str, str]) -> None:
    assert errors(COMPLETE, strict=False, files=files) == expected


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"pitch_deck": 1}, {}),
        ({"pitch_deck": 0, "supporting_documents": 2}, {"answers.pitch_deck": "attach a file"}),
        ({"supporting_documents": 0, "pitch_deck": 1}, {}),  # optional
    ],
)
def test_file_counts_on_submit(files: dict[str, int], expected: dict[str, str]) -> None:
    assert errors(COMPLETE, strict=True, files=files) == expected


def test_a_typed_answer_for_a_file_question_is_refused_besides_the_missing_file() -> None:
    found = answer_errors(
        FORM, {**COMPLETE, "pitch_deck": "x"}, {}, strict=True, country_codes=COUNTRY_CODES
    )
    assert [e.message for e in found] == ["upload files instead", "attach a file"]


def test_unknown_questions_come_after_the_forms_own_and_each_is_named() -> None:
    found = answer_errors(
        FORM,
        {"zz": 1, "aa": "x", "team_size": 0},
        {},
        strict=False,
        country_codes=COUNTRY_CODES,
    )
    assert [e.field for e in found] == ["answers.team_size", "answers.zz", "answers.aa"]


def test_every_problem_is_reported_at_once() -> None:
    wrong = {"project_title": 1, "team_size": "x", "strategies": ["x"], "country": "XX"}
    assert len(errors(wrong, strict=False, files={"pitch_deck": 5})) == 5


@pytest.mark.parametrize(
    ("answers", "fallback", "expected"),
    [
        ({"requested_amount": 1234}, 99.0, 1234.0),
        ({"requested_amount": 5000.5}, None, 5000.5),
        ({}, 99.0, None),
        ({"requested_amount": None}, 99.0, None),
        ({"requested_amount": "lots"}, 99.0, None),
        ({"requested_amount": True}, 99.0, None),
        ({"requested_amount": float("nan")}, 99.0, None),
    ],
)
def test_the_requested_amount_comes_from_the_form_when_it_asks(
    answers: dict[str, Any], fallback: float | None, expected: float | None
) -> None:
    found = requested_amount(FORM, answers, fallback)
    assert found == expected
    assert found is None or type(found) is float


@pytest.mark.parametrize("fallback", [99.0, None])
def test_without_an_amount_question_the_fallback_counts(fallback: float | None) -> None:
    no_amount = Form(questions=[q for q in FORM.questions if q.key != "requested_amount"])
    assert requested_amount(no_amount, {"requested_amount": 5}, fallback) == fallback


def test_no_message_names_a_question_by_its_key() -> None:
    """The page puts each message beside (or after) the question's label; a key such as
    `declaration_of_honour` would mean nothing to the applicant."""
    wrong: dict[str, Any] = {
        "project_title": 5,
        "summary": ["not text"],
        "value_chain": "nope",
        "strategies": ["repair", "repair"],
        "team_size": "three",
        "country": 7,
        "requested_amount": -1,
        "declaration_of_honour": "yes",
        "pitch_deck": "typed",
        "supporting_documents": "typed",
    }
    found = [
        *answer_errors(FORM, wrong, {"pitch_deck": 9}, strict=True, country_codes=COUNTRY_CODES),
        *answer_errors(FORM, {}, {}, strict=True, country_codes=COUNTRY_CODES),
    ]
    keys = [q.key for q in FORM.questions]
    assert {e.field for e in found} == {f"answers.{key}" for key in keys}  # every kind checked
    for e in found:
        assert not any(key in e.message for key in keys), e
