"""Answers against the call's form: warnings while drafting, errors on submit."""

from __future__ import annotations

from shared.api.intake import Answer
from shared.api.registry import Form, Question, QuestionType
from shared.errors import FieldError

Q = QuestionType


def _is_number(value: Answer) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _unanswered(value: Answer) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _range_problem(q: Question, value: float) -> str | None:
    lo, hi = q.min_value, q.max_value
    if q.type is Q.REQUESTED_AMOUNT and value < 0:
        return "cannot be negative"
    if lo is not None and hi is not None and not lo <= value <= hi:
        return f"must be between {lo:g} and {hi:g}"
    if lo is not None and value < lo:
        return f"must be at least {lo:g}"
    if hi is not None and value > hi:
        return f"must be at most {hi:g}"
    return None


def _value_problem(q: Question, value: Answer, country_codes: frozenset[str]) -> str | None:
    """What is wrong with a given (non-empty) answer, or None."""
    options = [o.value for o in q.options]
    match q.type:
        case Q.SHORT_TEXT | Q.LONG_TEXT:
            if not isinstance(value, str):
                return "must be text"
            if q.type is Q.SHORT_TEXT and q.max_length and len(value) > q.max_length:
                return f"must be at most {q.max_length} characters"
            if q.type is Q.LONG_TEXT and q.max_words and len(value.split()) > q.max_words:
                return f"must be at most {q.max_words} words"
        case Q.NUMBER | Q.REQUESTED_AMOUNT:
            if not _is_number(value):
                return "must be a number"
            assert isinstance(value, int | float)
            return _range_problem(q, float(value))
        case Q.SINGLE_CHOICE:
            if not isinstance(value, str) or value not in options:
                return "is not one of the options"
        case Q.MULTIPLE_CHOICE:
            if not isinstance(value, list) or any(v not in options for v in value):
                return "is not one of the options"
            if len(set(value)) != len(value):
                return "picks an option twice"
            if q.max_picks is not None and len(value) > q.max_picks:
                return f"pick at most {q.max_picks}"
        case Q.DECLARATION:
            if not isinstance(value, bool):
                return "must be yes or no"
        case Q.COUNTRY:
            if not isinstance(value, str) or value not in country_codes:
                return f"unknown country {value}"
        case Q.FILE:
            return "upload files instead"
    return None


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
    known = {q.key for q in form.questions}
    for key in answers:
        if key not in known:
            errors.append(FieldError(f"answers.{key}", "is not a question of this form"))
    for q in form.questions:
        field = f"answers.{q.key}"
        if q.type is Q.FILE:
            count = attachment_counts.get(q.key, 0)
            if q.key in answers:
                errors.append(FieldError(field, "upload files instead"))
            if q.max_count is not None and count > q.max_count:
                errors.append(FieldError(field, f"attach at most {q.max_count} file(s)"))
            if strict and q.required and count == 0:
                errors.append(FieldError(field, "attach a file"))
            continue
        value = answers.get(q.key)
        if _unanswered(value):
            if strict and q.required:
                errors.append(FieldError(field, "is required"))
            continue
        problem = _value_problem(q, value, country_codes)
        if problem:
            errors.append(FieldError(field, problem))
        elif strict and q.type is Q.DECLARATION and q.required and value is not True:
            errors.append(FieldError(field, "must be accepted"))
    return errors


def requested_amount(
    form: Form, answers: dict[str, Answer], fallback: float | None
) -> float | None:
    """The form's requested-amount answer when it asks for one, else the application's field."""
    for q in form.questions:
        if q.type is Q.REQUESTED_AMOUNT:
            value = answers.get(q.key)
            return float(value) if _is_number(value) else None  # type: ignore[arg-type]
    return fallback
