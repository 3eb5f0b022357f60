"""Rules for open calls: the form, the rubric, the window, coverage and the lifecycle."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from shared.api.registry import (
    CallPhase,
    CallStatus,
    CallUpdate,
    Coverage,
    Criterion,
    Form,
    LocalizedText,
    Question,
    QuestionType,
    Rubric,
)
from shared.clock import format_instant
from shared.errors import FieldError
from shared.programme import COUNTRY_CODES, KEY_PATTERN, ORGANISATION_TYPE_CODES, covers

from .missions import DESCRIPTION_MAX, TITLE_MAX, check_codes, check_text

KEY_RULE = "start with a lower-case letter; then lower-case letters, digits and _ (40 at most)"
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2}$")
MAX_SCORE = 5.0
MAX_FILE_BYTES = 500 * 1024 * 1024

# Types the intake service can recognise by their magic bytes.
FILE_TYPES = frozenset({"pdf", "png", "jpeg", "docx", "xlsx", "pptx", "odt", "zip", "mp4"})

DEFAULT_RUBRIC = Rubric(
    criteria=[
        Criterion(key="excellence", labels={"en": "Excellence"}),
        Criterion(key="impact", labels={"en": "Impact"}),
        Criterion(key="implementation", labels={"en": "Implementation"}),
    ],
    overall_threshold=10.0,
)

# Which status may follow which (the scheduler moves published -> closed by the clock).
TRANSITIONS: dict[CallStatus, frozenset[CallStatus]] = {
    CallStatus.DRAFT: frozenset({CallStatus.PUBLISHED}),
    CallStatus.PUBLISHED: frozenset({CallStatus.CLOSED}),
    CallStatus.CLOSED: frozenset({CallStatus.IN_EVALUATION}),
    CallStatus.IN_EVALUATION: frozenset({CallStatus.RESULTS_PUBLISHED}),
    CallStatus.RESULTS_PUBLISHED: frozenset(),
}


def phase(status: CallStatus, opens_at: datetime, closes_at: datetime, now: datetime) -> CallPhase:
    """The server clock decides whether a published call is upcoming, open or closed."""
    if status is CallStatus.PUBLISHED:
        if now < opens_at:
            return CallPhase.UPCOMING
        if now < closes_at:
            return CallPhase.OPEN
        return CallPhase.CLOSED
    return CallPhase(status.value)


def transition_error(current: CallStatus, wanted: CallStatus) -> str | None:
    if wanted in TRANSITIONS[current]:
        return None
    return f"a call that is {current.value} cannot become {wanted.value}"


def _labels_errors(errors: list[FieldError], field: str, labels: dict[str, str]) -> None:
    if not labels.get("en", "").strip():
        errors.append(FieldError(field, "needs an English label"))
    bad = sorted(lang for lang in labels if not LANGUAGE_PATTERN.match(lang))
    if bad:
        errors.append(FieldError(field, f"unknown language codes: {', '.join(bad)}"))


def question_errors(q: Question, at: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if not KEY_PATTERN.fullmatch(q.key):
        errors.append(FieldError(f"{at}.key", KEY_RULE))
    _labels_errors(errors, f"{at}.labels", q.labels)
    t = q.type
    if t is QuestionType.SHORT_TEXT and not (q.max_length and q.max_length > 0):
        errors.append(FieldError(f"{at}.maxLength", "a short text needs a positive max length"))
    if t is QuestionType.LONG_TEXT and not (q.max_words and q.max_words > 0):
        errors.append(FieldError(f"{at}.maxWords", "a long text needs a positive max words"))
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
            _labels_errors(errors, f"{at}.options.{i}.labels", option.labels)
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
        if not (q.max_count and q.max_count >= 1):
            errors.append(FieldError(f"{at}.maxCount", "must be at least 1"))
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
        _labels_errors(errors, f"{at}.labels", criterion.labels)
        if not criterion.weight > 0:
            errors.append(FieldError(f"{at}.weight", "weights must be positive"))
        if not (0 <= criterion.threshold <= MAX_SCORE and _is_half_point(criterion.threshold)):
            errors.append(FieldError(f"{at}.threshold", "must be 0 to 5 in half points"))
    top = MAX_SCORE * len(rubric.criteria)
    if not 0 <= rubric.overall_threshold <= top:
        errors.append(FieldError("rubric.overallThreshold", f"must be between 0 and {top:g}"))
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
        if item.lang == "en":
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


def evaluation_deadline_errors(
    deadline: datetime | None, closes_at: datetime, timezone: str
) -> list[FieldError]:
    if deadline is None:
        return []
    if deadline.tzinfo is None:
        return [FieldError("evaluationDeadline", "give the instant with its UTC offset")]
    if closes_at.tzinfo is not None and deadline <= closes_at:
        shown = format_instant(closes_at, timezone if timezone_error(timezone) is None else "UTC")
        return [FieldError("evaluationDeadline", f"must be after the call closes ({shown})")]
    return []


def amount_question_errors(form: Form, max_grant: float) -> list[FieldError]:
    """A requested-amount question cannot ask for more than the call grants."""
    errors: list[FieldError] = []
    for i, q in enumerate(form.questions):
        if q.type is not QuestionType.REQUESTED_AMOUNT or not max_grant > 0:
            continue
        for name, value in (("minValue", q.min_value), ("maxValue", q.max_value)):
            if value is not None and value > max_grant:
                errors.append(
                    FieldError(f"form.questions.{i}.{name}", f"exceeds the max grant {max_grant:g}")
                )
    return errors


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


# Every setting a call's author may change, named as the GraphQL input names it.
UPDATE_FIELDS = [camel(name) for name in CallUpdate.__struct_fields__]


# How long unfunded applications are kept after the results, in days (GDPR: a set period).
RETENTION_DAYS_MIN, RETENTION_DAYS_MAX = 30, 3650
RETENTION_FIELD = "retentionDays"


def editable_fields(status: CallStatus, may_manage: bool) -> list[str]:
    """What the registry accepts to change now. Published terms stay as announced: intake
    and review hold them (CallPublished) and applicants answered them; only the retention
    period, which concerns no applicant's answer, may change until the results are out."""
    if not may_manage or status is CallStatus.RESULTS_PUBLISHED:
        return []
    return list(UPDATE_FIELDS) if status is CallStatus.DRAFT else [RETENTION_FIELD]


def retention_errors(days: int) -> list[FieldError]:
    if RETENTION_DAYS_MIN <= days <= RETENTION_DAYS_MAX:
        return []
    rule = f"give {RETENTION_DAYS_MIN} to {RETENTION_DAYS_MAX} days"
    return [FieldError(RETENTION_FIELD, rule)]


def timezone_error(name: str) -> FieldError | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return FieldError("timezone", f"unknown time zone {name}")
    if name not in available_timezones() and name != "UTC":
        return FieldError("timezone", f"unknown time zone {name}")
    return None


def window_errors(opens_at: datetime, closes_at: datetime) -> list[FieldError]:
    errors: list[FieldError] = []
    for field, value in (("opensAt", opens_at), ("closesAt", closes_at)):
        if value.tzinfo is None:
            errors.append(FieldError(field, "give the instant with its UTC offset"))
    if not errors and closes_at <= opens_at:
        errors.append(FieldError("closesAt", "the call must close after it opens"))
    return errors


def money_errors(budget: float, max_grant: float) -> list[FieldError]:
    errors: list[FieldError] = []
    if not budget > 0:
        errors.append(FieldError("budget", "must be positive"))
    if not max_grant > 0:
        errors.append(FieldError("maxGrant", "must be positive"))
    elif budget > 0 and max_grant > budget:
        errors.append(FieldError("maxGrant", "cannot exceed the budget"))
    return errors


def coverage_errors(eligible: list[Coverage], hub_coverage: list[Coverage]) -> list[FieldError]:
    errors: list[FieldError] = []
    if not eligible:
        errors.append(FieldError("eligibleCountries", "name at least one country"))
    for cov in eligible:
        label = cov.code + (f" ({cov.part.value})" if cov.part else "")
        if cov.code not in COUNTRY_CODES:
            errors.append(FieldError("eligibleCountries", f"unknown country {label}"))
        elif not covers(hub_coverage, cov):
            errors.append(
                FieldError("eligibleCountries", f"{label} lies outside the hubs' coverage")
            )
    return errors


class CallDraft:
    """The full set of a call's settings, checked together before it is stored."""

    def __init__(
        self,
        *,
        title: str,
        description: str,
        title_translations: list[LocalizedText],
        description_translations: list[LocalizedText],
        budget: float,
        max_grant: float,
        opens_at: datetime,
        closes_at: datetime,
        evaluation_deadline: datetime | None,
        timezone: str,
        eligible_countries: list[Coverage],
        hub_coverage: list[Coverage],
        organisation_types: list[str],
        form: Form,
        rubric: Rubric,
        evaluators_per_application: int,
        challenge_ids: list[str],
        unknown_challenges: list[str],
        retention_days: int = 365,
    ) -> None:
        self.title = title
        self.description = description
        self.title_translations = title_translations
        self.description_translations = description_translations
        self.budget = budget
        self.max_grant = max_grant
        self.opens_at = opens_at
        self.closes_at = closes_at
        self.evaluation_deadline = evaluation_deadline
        self.timezone = timezone
        self.eligible_countries = eligible_countries
        self.hub_coverage = hub_coverage
        self.organisation_types = organisation_types
        self.form = form
        self.rubric = rubric
        self.evaluators_per_application = evaluators_per_application
        self.challenge_ids = challenge_ids
        self.unknown_challenges = unknown_challenges
        self.retention_days = retention_days

    def errors(self) -> list[FieldError]:
        errors: list[FieldError] = []
        check_text(errors, "title", self.title, required=True)
        check_text(errors, "description", self.description, required=False)
        errors.extend(
            translations_errors("titleTranslations", self.title_translations, TITLE_MAX,
                                required=True)
            + translations_errors("descriptionTranslations", self.description_translations,
                                  DESCRIPTION_MAX, required=False)
        )  # fmt: skip
        if not self.challenge_ids:
            errors.append(FieldError("challengeIds", "a call targets at least one challenge"))
        for i, challenge in enumerate(self.challenge_ids):
            if challenge in self.unknown_challenges:
                errors.append(
                    FieldError(f"challengeIds.{i}", f"unknown or out-of-hub challenge {challenge}")
                )
            elif challenge in self.challenge_ids[:i]:
                errors.append(FieldError(f"challengeIds.{i}", "this challenge is listed twice"))
        errors.extend(money_errors(self.budget, self.max_grant))
        errors.extend(window_errors(self.opens_at, self.closes_at))
        errors.extend(
            evaluation_deadline_errors(self.evaluation_deadline, self.closes_at, self.timezone)
        )
        tz_error = timezone_error(self.timezone)
        if tz_error:
            errors.append(tz_error)
        errors.extend(retention_errors(self.retention_days))
        errors.extend(coverage_errors(self.eligible_countries, self.hub_coverage))
        check_codes(
            errors,
            "organisationTypes",
            self.organisation_types,
            ORGANISATION_TYPE_CODES,
            at_least_one=True,
        )
        errors.extend(form_errors(self.form))
        errors.extend(amount_question_errors(self.form, self.max_grant))
        errors.extend(rubric_errors(self.rubric))
        if not 1 <= self.evaluators_per_application <= 10:
            errors.append(FieldError("evaluatorsPerApplication", "must be between 1 and 10"))
        return errors
