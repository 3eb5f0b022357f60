"""Rules for a call's texts and forms: labels and translations, questions, the rubric."""

from __future__ import annotations

import re

from shared.api.registry import (
    ANSWER_TEXT_MOST,
    ANSWER_WORDS_MOST,
    MAIN_LANGUAGE,
    Form,
    LocalizedText,
    Question,
    QuestionType,
    Rubric,
)
from shared.errors import FieldError, euros, number_text
from shared.programme import KEY_PATTERN

KEY_RULE = "start with a lower-case letter; then lower-case letters, digits and _ (40 at most)"
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2}$")
MAX_SCORE = 5.0
MAX_FILE_BYTES = 500 * 1024 * 1024
MAX_FILES = 50  # per question: a request carries at most 100 parts (gateway/uploads.py)

# Types the intake service can recognise by their magic bytes.
FILE_TYPES = frozenset({"pdf", "png", "jpeg", "docx", "xlsx", "pptx", "odt", "zip", "mp4"})


def labels_errors(errors: list[FieldError], field: str, labels: dict[str, str]) -> None:
    if not labels.get(MAIN_LANGUAGE, "").strip():
        errors.append(FieldError(field, "needs an English label"))
    bad = sorted(lang for lang in labels if not LANGUAGE_PATTERN.match(lang))
    if bad:
        errors.append(FieldError(field, f"unknown language codes: {', '.join(bad)}"))


def question_errors(q: Question, at: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if not KEY_PATTERN.fullmatch(q.key):
        errors.append(FieldError(f"{at}.key", KEY_RULE))
    labels_errors(errors, f"{at}.labels", q.labels)
    t = q.type
    # No more than an answer may hold (found probing: 2,147,483,647 was taken and promised).
    if t is QuestionType.SHORT_TEXT and not (q.max_length and 0 < q.max_length <= ANSWER_TEXT_MOST):
        rule = f"a short text needs a max length of 1 to {ANSWER_TEXT_MOST:,}"
        errors.append(FieldError(f"{at}.maxLength", rule))
    if t is QuestionType.LONG_TEXT and not (q.max_words and 0 < q.max_words <= ANSWER_WORDS_MOST):
        rule = f"a long text needs a max words of 1 to {ANSWER_WORDS_MOST:,}"
        errors.append(FieldError(f"{at}.maxWords", rule))
    if t in (QuestionType.NUMBER, QuestionType.REQUESTED_AMOUNT):
        lo, hi = q.min_value, q.max_value
        if lo is not None and hi is not None and lo > hi:
            errors.append(FieldError(f"{at}.minValue", "must not exceed the max value"))
        if t is QuestionType.REQUESTED_AMOUNT and lo is not None and lo < 0:
            errors.append(FieldError(f"{at}.minValue", "an amount cannot be negative"))
    if t in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        if len(q.options) < 2:
            errors.append(FieldError(f"{at}.options", "a choice needs at least two options"))
        seen: set[str] = set()
        for i, option in enumerate(q.options):
            if not option.value.strip():
                errors.append(FieldError(f"{at}.options.{i}.value", "must not be empty"))
            elif option.value in seen:
                errors.append(
                    FieldError(f"{at}.options.{i}.value", f"duplicate option value {option.value}")
                )
            seen.add(option.value)
            labels_errors(errors, f"{at}.options.{i}.labels", option.labels)
    picks = q.max_picks
    if t is QuestionType.MULTIPLE_CHOICE and picks is not None and not 1 <= picks <= len(q.options):
        errors.append(FieldError(f"{at}.maxPicks", "must be between 1 and the option count"))
    if t is QuestionType.FILE:
        if not q.allowed_types:
            errors.append(FieldError(f"{at}.allowedTypes", "name at least one file type"))
        unknown = sorted(set(q.allowed_types) - FILE_TYPES)
        if unknown:
            errors.append(FieldError(f"{at}.allowedTypes", f"unknown types: {', '.join(unknown)}"))
        if not (q.max_size_bytes and 0 < q.max_size_bytes <= MAX_FILE_BYTES):
            errors.append(
                FieldError(f"{at}.maxSizeBytes", f"must be between 1 and {MAX_FILE_BYTES}")
            )
        if not (q.max_count and 1 <= q.max_count <= MAX_FILES):
            errors.append(FieldError(f"{at}.maxCount", f"must be between 1 and {MAX_FILES}"))
    return errors


def form_errors(form: Form) -> list[FieldError]:
    errors: list[FieldError] = []
    if not form.questions:
        errors.append(FieldError("form.questions", "a form needs at least one question"))
    seen: set[str] = set()
    for i, question in enumerate(form.questions):
        at = f"form.questions.{i}"
        if question.key in seen:
            errors.append(FieldError(f"{at}.key", f"duplicate question key {question.key}"))
        seen.add(question.key)
        errors.extend(question_errors(question, at))
    amounts = [i for i, q in enumerate(form.questions) if q.type is QuestionType.REQUESTED_AMOUNT]
    for i in amounts[1:]:  # the amount eligibility and the budget read: one per form
        errors.append(FieldError(f"form.questions.{i}.type", "a form asks one requested amount"))
    return errors


def _is_half_point(value: float) -> bool:
    return float(value * 2).is_integer()


def rubric_errors(rubric: Rubric) -> list[FieldError]:
    errors: list[FieldError] = []
    if not rubric.criteria:
        errors.append(FieldError("rubric.criteria", "a rubric needs at least one criterion"))
    seen: set[str] = set()
    for i, criterion in enumerate(rubric.criteria):
        at = f"rubric.criteria.{i}"
        if not KEY_PATTERN.fullmatch(criterion.key):
            errors.append(FieldError(f"{at}.key", KEY_RULE))
        if criterion.key in seen:
            errors.append(FieldError(f"{at}.key", f"duplicate criterion key {criterion.key}"))
        seen.add(criterion.key)
        labels_errors(errors, f"{at}.labels", criterion.labels)
        if not criterion.weight > 0:
            errors.append(FieldError(f"{at}.weight", "weights must be positive"))
        if not (0 <= criterion.threshold <= MAX_SCORE and _is_half_point(criterion.threshold)):
            errors.append(FieldError(f"{at}.threshold", "must be 0 to 5 in half points"))
    top = MAX_SCORE * len(rubric.criteria)
    if not 0 <= rubric.overall_threshold <= top:
        errors.append(
            FieldError("rubric.overallThreshold", f"must be between 0 and {number_text(top)}")
        )
    return errors


def translations_errors(
    field: str, translations: list[LocalizedText], limit: int, *, required: bool
) -> list[FieldError]:
    """Other languages than English (the main text is English): known-looking codes, each
    once, with a text (`required`) within the main text's length limit."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, item in enumerate(translations):
        at = f"{field}.{i}"
        if item.lang == MAIN_LANGUAGE:
            errors.append(
                FieldError(f"{at}.lang", "English is the main text; give other languages")
            )
        elif not LANGUAGE_PATTERN.match(item.lang):
            errors.append(FieldError(f"{at}.lang", f"unknown language code {item.lang}"))
        elif item.lang in seen:
            errors.append(FieldError(f"{at}.lang", f"{item.lang} is given twice"))
        seen.add(item.lang)
        if required and not item.text.strip():
            errors.append(FieldError(f"{at}.text", "must not be empty"))
        elif len(item.text) > limit:
            errors.append(FieldError(f"{at}.text", f"must be at most {limit} characters"))
    return errors


def amount_question_errors(form: Form, max_grant: float) -> list[FieldError]:
    """A requested-amount question cannot ask for more than the call grants."""
    errors: list[FieldError] = []
    for i, q in enumerate(form.questions):
        if q.type is not QuestionType.REQUESTED_AMOUNT or not max_grant > 0:
            continue
        for name, value in (("minValue", q.min_value), ("maxValue", q.max_value)):
            if value is not None and value > max_grant:
                errors.append(
                    FieldError(
                        f"form.questions.{i}.{name}", f"exceeds the max grant of {euros(max_grant)}"
                    )
                )
    return errors
