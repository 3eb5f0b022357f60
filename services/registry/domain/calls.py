"""Rules for open calls: their settings checked together, the window, money, coverage and
what may change after publication. The lifecycle itself is shared.call_status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from zoneinfo import available_timezones

from shared.api.registry import CallUpdate, Coverage, Criterion, Form, LocalizedText, Rubric
from shared.call_status import CallStatus
from shared.clock import format_instant
from shared.errors import FieldError
from shared.identity import Identity
from shared.programme import (
    COUNTRY_CODES,
    ORGANISATION_TYPE_CODES,
    SPLIT_COUNTRIES,
    country_name,
    covers,
)

from .forms import amount_question_errors, form_errors, rubric_errors, translations_errors
from .missions import DESCRIPTION_MAX, TITLE_MAX, check_codes, check_text

DEFAULT_RUBRIC = Rubric(
    criteria=[
        Criterion(key="excellence", labels={"en": "Excellence"}),
        Criterion(key="impact", labels={"en": "Impact"}),
        Criterion(key="implementation", labels={"en": "Implementation"}),
    ],
    overall_threshold=10.0,
)


def may_manage(identity: Identity, hub: str | None) -> bool:
    """A programme-wide call (no hub) is the programme team's; a hub's call its managers'."""
    if hub is None:
        return identity.is_admin
    return identity.may_manage_hub(hub)


# A call's instants fall in this century: shown in a zone near the year 1 or 9999 they
# overflowed the calendar (found probing: every public `calls` list failed with it).
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
IN_RANGE = "give an instant from the year 2000 to 2099"


def instant_errors(field: str, value: datetime) -> list[FieldError]:
    if value.tzinfo is None:
        return [FieldError(field, "give the instant with its UTC offset")]
    if not EARLIEST <= value < LATEST:
        return [FieldError(field, IN_RANGE)]
    return []


def evaluation_deadline_errors(
    deadline: datetime | None, closes_at: datetime, timezone: str
) -> list[FieldError]:
    if deadline is None:
        return []
    if errors := instant_errors("evaluationDeadline", deadline):
        return errors
    if not instant_errors("closesAt", closes_at) and deadline <= closes_at:
        shown = format_instant(closes_at, timezone if timezone_error(timezone) is None else "UTC")
        return [FieldError("evaluationDeadline", f"must be after the call closes ({shown})")]
    return []


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


# Files of the zone database that are no zone a browser knows: `localtime` is the server's own
# setting, `Factory` a placeholder (found probing: either broke every page showing the call).
NOT_ZONES = frozenset({"localtime", "Factory"})


@cache
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones() | {"UTC"}) - NOT_ZONES


def timezone_error(name: str) -> FieldError | None:
    """Looked up among the zones, never opened as a file (a name of 10,000 characters was an
    OSError, taken for an outage)."""
    if name in known_zones():
        return None
    shown = name if len(name) <= 64 else name[:64] + "…"
    return FieldError("timezone", f"unknown time zone {shown}")


def window_errors(opens_at: datetime, closes_at: datetime) -> list[FieldError]:
    errors = instant_errors("opensAt", opens_at) + instant_errors("closesAt", closes_at)
    if not errors and closes_at <= opens_at:
        errors.append(FieldError("closesAt", "the call must close after it opens"))
    return errors


# Far more than any call's; the column holds up to 12 digits before the point.
MONEY_MAX = 1_000_000_000


def money_errors(budget: float, max_grant: float) -> list[FieldError]:
    errors: list[FieldError] = []
    for field, amount in (("budget", budget), ("maxGrant", max_grant)):
        if not amount > 0:
            errors.append(FieldError(field, "must be positive"))
        elif amount > MONEY_MAX:
            errors.append(FieldError(field, f"must be at most {MONEY_MAX:,}"))
    if not errors and max_grant > budget:
        errors.append(FieldError("maxGrant", "cannot exceed the budget"))
    return errors


def coverage_errors(eligible: list[Coverage], hub_coverage: list[Coverage]) -> list[FieldError]:
    errors: list[FieldError] = []
    if not eligible:
        errors.append(FieldError("eligibleCountries", "name at least one country"))
    whole = {cov.code for cov in eligible if cov.part is None}
    for index, cov in enumerate(eligible):
        label, name = country_name(cov.code, cov.part), country_name(cov.code)
        if cov.code not in COUNTRY_CODES:
            errors.append(FieldError("eligibleCountries", f"unknown country {label}"))
        elif cov.part is not None and cov.code not in SPLIT_COUNTRIES:
            # Found probing: nobody from such a country could then be eligible.
            errors.append(FieldError("eligibleCountries",
                                     f"{name} is not split into parts; name it whole"))  # fmt: skip
        elif cov in eligible[:index]:
            errors.append(FieldError("eligibleCountries", f"{label} is listed twice"))
        elif cov.part is not None and cov.code in whole:
            errors.append(FieldError("eligibleCountries", f"{name} is listed whole and in part"))
        elif not covers(hub_coverage, cov):
            errors.append(
                FieldError("eligibleCountries", f"{label} lies outside the hubs' coverage")
            )
    return errors


@dataclass(frozen=True, kw_only=True)
class CallDraft:
    """The full set of a call's settings, checked together before it is stored."""

    title: str
    description: str
    title_translations: list[LocalizedText]
    description_translations: list[LocalizedText]
    budget: float
    max_grant: float
    opens_at: datetime
    closes_at: datetime
    evaluation_deadline: datetime | None
    timezone: str
    eligible_countries: list[Coverage]
    hub_coverage: list[Coverage]
    organisation_types: list[str]
    form: Form
    rubric: Rubric
    evaluators_per_application: int
    challenge_ids: list[str]
    unknown_challenges: list[str]
    retention_days: int = 365

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
