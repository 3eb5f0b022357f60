"""Answers against the call's form: warnings while drafting, errors on submit."""

from __future__ import annotations

import math

from shared.api.intake import Answer
from shared.api.registry import Form, Question, QuestionType
from shared.errors import FieldError, euros, number_text

Q = QuestionType


def _number(value: Answer) -> float | None:
    """The answer as a finite number; bool is an int to Python but never a number here."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _unanswered(value: Answer) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _range_problem(q: Question, value: float) -> str | None:
    lo, hi = q.min_value, q.max_value
    if q.type is Q.REQUESTED_AMOUNT and value < 0:
        return "cannot be negative"
    shown = euros if q.type is Q.REQUESTED_AMOUNT else number_text
    if lo is not None and hi is not None and not lo <= value <= hi:
        return f"must be between {shown(lo)} and {shown(hi)}"
    if lo is not None and value < lo:
        return f"must be at least {shown(lo)}"
    if hi is not None and value > hi:
        return f"must be at most {shown(hi)}"
    return None


def _value_problem(q: Question, value: Answer, country_codes: frozenset[str]) -> str | None:
    """What is wrong with a given (non-empty) answer, or None."""
    options = {o.value for o in q.options}
    match q.type:
        case Q.SHORT_TEXT:
            if not isinstance(value, str):
                return "must be text"
            if q.max_length is not None and len(value) > q.max_length:
                return f"must be at most {_plural(q.max_length, 'character')}"
        case Q.LONG_TEXT:
            if not isinstance(value, str):
                return "must be text"
            if q.max_words is not None and len(value.split()) > q.max_words:
                return f"must be at most {_plural(q.max_words, 'word')}"
        case Q.NUMBER | Q.REQUESTED_AMOUNT:
            number = _number(value)
            if number is None:
                return "must be a number"
            return _range_problem(q, number)
        case Q.SINGLE_CHOICE:
            if not isinstance(value, str) or value not in options:
                return "is not one of the options"
        case Q.MULTIPLE_CHOICE:
            if not isinstance(value, list) or any(
                not isinstance(v, str) or v not in options for v in value
            ):
                return "is not one of the options"
            if len(set(value)) != len(value):
                return "picks an option twice"
            if q.max_picks is not None and len(value) > q.max_picks:
                return f"pick at most {q.max_picks}"
        case Q.DECLARATION:
            if not isinstance(value, bool):
                return "must be yes or no"
        case Q.COUNTRY:
            if not isinstance(value, str):
                return "must be text"
            if value not in country_codes:
                return f"unknown country {value}"
    return None


def file_count_problem(q: Question, count: int) -> str | None:
    """Why `count` files are too many for this question, or None."""
    if q.max_count is not None and count > q.max_count:
        return f"attach at most {_plural(q.max_count, 'file')}"
    return None


def _file_errors(q: Question, answers: dict[str, Answer], count: int, *, strict: bool) -> list[str]:
    problems = []
    # Files arrive through the upload endpoint; a typed answer would bypass its type checks.
    if q.key in answers:
        problems.append("upload files instead")
    too_many = file_count_problem(q, count)
    if too_many:
        problems.append(too_many)
    if strict and q.required and count == 0:
        problems.append("attach a file")
    return problems


def answer_errors(
    form: Form,
    answers: dict[str, Answer],
    attachment_counts: dict[str, int],
    *,
    strict: bool,
    country_codes: frozenset[str],
) -> list[FieldError]:
    """strict=False (a draft): only what is wrong with what was given.
    strict=True (submit): also everything required that is missing."""
    errors: list[FieldError] = []
    for q in form.questions:
        field = f"answers.{q.key}"
        if q.type is Q.FILE:
            count = attachment_counts.get(q.key, 0)
            errors += [FieldError(field, m) for m in _file_errors(q, answers, count, strict=strict)]
            continue
        value = answers.get(q.key)
        if _unanswered(value):
            if strict and q.required:
                missing = "must be accepted" if q.type is Q.DECLARATION else "is required"
                errors.append(FieldError(field, missing))
            continue
        problem = _value_problem(q, value, country_codes)
        if problem:
            errors.append(FieldError(field, problem))
        elif strict and q.type is Q.DECLARATION and q.required and value is not True:
            errors.append(FieldError(field, "must be accepted"))
    known = {q.key for q in form.questions}
    errors += [
        FieldError(f"answers.{key}", "is not a question of this form")
        for key in answers
        if key not in known
    ]
    return errors


def requested_amount(
    form: Form, answers: dict[str, Answer], fallback: float | None
) -> float | None:
    """The form's requested-amount answer when it asks for one, else the application's field."""
    for q in form.questions:
        if q.type is Q.REQUESTED_AMOUNT:
            return _number(answers.get(q.key))
    return fallback
