"""The registry's rules for calls, forms, rubrics and the lifecycle: pure and fast."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.registry.demo import demo_form
from services.registry.domain.calls import (
    DEFAULT_RUBRIC,
    CallDraft,
    coverage_errors,
    editable_fields,
    evaluation_deadline_errors,
    money_errors,
    timezone_error,
    window_errors,
)
from services.registry.domain.forms import form_errors, rubric_errors
from shared.api.registry import (
    CountryPart,
    Coverage,
    Criterion,
    Form,
    LocalizedText,
    Option,
    Question,
    QuestionType,
    Rubric,
)
from shared.call_status import CallPhase, CallStatus, phase, transition_error
from shared.programme import HUBS, country_name, coverage_of

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
OPENS, CLOSES = NOW - timedelta(days=1), NOW + timedelta(days=1)
EN = {"en": "Label"}
Q = QuestionType


def fields(errors: list[Any]) -> set[str]:
    return {e.field for e in errors}


@pytest.mark.parametrize(
    ("status", "now", "expected"),
    [
        (CallStatus.PUBLISHED, OPENS - timedelta(seconds=1), CallPhase.UPCOMING),
        (CallStatus.PUBLISHED, OPENS, CallPhase.OPEN),
        (CallStatus.PUBLISHED, CLOSES - timedelta(microseconds=1), CallPhase.OPEN),
        (CallStatus.PUBLISHED, CLOSES, CallPhase.CLOSED),  # at the instant: closed
        (CallStatus.DRAFT, NOW, CallPhase.DRAFT),
        (CallStatus.CLOSED, NOW, CallPhase.CLOSED),
        (CallStatus.IN_EVALUATION, NOW, CallPhase.IN_EVALUATION),
        (CallStatus.RESULTS_PUBLISHED, NOW, CallPhase.RESULTS_PUBLISHED),
    ],
)
def test_phase_follows_the_clock(status: CallStatus, now: datetime, expected: CallPhase) -> None:
    assert phase(status, OPENS, CLOSES, now) is expected


@pytest.mark.parametrize(
    ("current", "wanted", "allowed"),
    [
        (CallStatus.DRAFT, CallStatus.PUBLISHED, True),
        (CallStatus.PUBLISHED, CallStatus.CLOSED, True),
        (CallStatus.CLOSED, CallStatus.IN_EVALUATION, True),
        (CallStatus.IN_EVALUATION, CallStatus.RESULTS_PUBLISHED, True),
        (CallStatus.DRAFT, CallStatus.CLOSED, False),
        (CallStatus.PUBLISHED, CallStatus.DRAFT, False),
        (CallStatus.RESULTS_PUBLISHED, CallStatus.IN_EVALUATION, False),
        (CallStatus.CLOSED, CallStatus.RESULTS_PUBLISHED, False),
    ],
)
def test_lifecycle_moves_one_way(current: CallStatus, wanted: CallStatus, allowed: bool) -> None:
    problem = transition_error(current, wanted)
    assert (problem is None) is allowed
    if problem:
        assert current.value in problem and wanted.value in problem


def test_the_demo_form_is_valid() -> None:
    assert form_errors(demo_form()) == []
    assert {q.type for q in demo_form().questions} == set(QuestionType)


def question(**kw: Any) -> Question:
    return Question(**{"key": "q", "type": Q.SHORT_TEXT, "labels": EN, "max_length": 10, **kw})


@pytest.mark.parametrize(
    ("q", "field", "words"),
    [
        (question(key="Bad Key"), "form.questions.0.key", "lower-case"),
        (question(labels={"fr": "Titre"}), "form.questions.0.labels", "English"),
        (question(labels={"en": "x", "english": "y"}), "form.questions.0.labels", "language"),
        (question(max_length=None), "form.questions.0.maxLength", "max length"),
        (question(type=Q.LONG_TEXT, max_length=None), "form.questions.0.maxWords", "words"),
        (question(type=Q.NUMBER, min_value=5, max_value=1), "form.questions.0.minValue", "exceed"),
        (question(type=Q.REQUESTED_AMOUNT, min_value=-1), "form.questions.0.minValue", "negative"),
        (question(type=Q.SINGLE_CHOICE, options=[Option("a", EN)]), "form.questions.0.options", "two"),
        (question(type=Q.SINGLE_CHOICE, options=[Option("a", EN), Option("a", EN)]),
         "form.questions.0.options.1.value", "duplicate"),
        (question(type=Q.SINGLE_CHOICE, options=[Option(" ", EN), Option("b", EN)]),
         "form.questions.0.options.0.value", "empty"),
        (question(key="a" * 41), "form.questions.0.key", "40 at most"),
        (question(key="1st"), "form.questions.0.key", "start with"),
        (question(type=Q.SINGLE_CHOICE, options=[Option("a", EN), Option("b", {"fr": "b"})]),
         "form.questions.0.options.1.labels", "English"),
        (question(type=Q.MULTIPLE_CHOICE, options=[Option("a", EN), Option("b", EN)], max_picks=3),
         "form.questions.0.maxPicks", "between"),
        (question(type=Q.MULTIPLE_CHOICE, options=[Option("a", EN), Option("b", EN)], max_picks=0),
         "form.questions.0.maxPicks", "between"),
        (question(type=Q.FILE, max_size_bytes=10, max_count=1), "form.questions.0.allowedTypes", "type"),
        (question(type=Q.FILE, allowed_types=["exe"], max_size_bytes=10, max_count=1),
         "form.questions.0.allowedTypes", "exe"),
        (question(type=Q.FILE, allowed_types=["pdf"], max_size_bytes=0, max_count=1),
         "form.questions.0.maxSizeBytes", "between"),
        (question(type=Q.FILE, allowed_types=["pdf"], max_size_bytes=10**10, max_count=1),
         "form.questions.0.maxSizeBytes", "between"),
        (question(type=Q.FILE, allowed_types=["pdf"], max_size_bytes=10, max_count=0),
         "form.questions.0.maxCount", "between 1 and 50"),
    ],
)  # fmt: skip
def test_form_errors_name_the_question_and_the_reason(q: Question, field: str, words: str) -> None:
    errors = form_errors(Form([q]))
    assert field in fields(errors)
    assert any(words in e.message for e in errors if e.field == field)


def test_a_form_needs_questions_with_unique_keys() -> None:
    assert fields(form_errors(Form([]))) == {"form.questions"}
    errors = form_errors(Form([question(), question(), question(key="other")]))
    assert [e.field for e in errors] == ["form.questions.1.key"]
    assert "duplicate question key q" in errors[0].message


def criterion(**kw: Any) -> Criterion:
    return Criterion(**{"key": "impact", "labels": EN, **kw})


@pytest.mark.parametrize(
    ("rubric", "field", "words"),
    [
        (Rubric(criteria=[criterion(weight=0)], overall_threshold=3), "rubric.criteria.0.weight", "positive"),
        (Rubric(criteria=[criterion(weight=-1)], overall_threshold=3), "rubric.criteria.0.weight", "positive"),
        (Rubric(criteria=[criterion(threshold=2.25)], overall_threshold=3), "rubric.criteria.0.threshold", "half"),
        (Rubric(criteria=[criterion(threshold=6)], overall_threshold=3), "rubric.criteria.0.threshold", "0 to 5"),
        (Rubric(criteria=[criterion(), criterion()], overall_threshold=3), "rubric.criteria.1.key", "duplicate"),
        (Rubric(criteria=[criterion()], overall_threshold=6), "rubric.overallThreshold", "between 0 and 5"),
        (Rubric(criteria=[], overall_threshold=0), "rubric.criteria", "at least one"),
        (Rubric(criteria=[criterion(labels={"de": "x"})], overall_threshold=3), "rubric.criteria.0.labels", "English"),
    ],
)  # fmt: skip
def test_rubric_errors(rubric: Rubric, field: str, words: str) -> None:
    errors = rubric_errors(rubric)
    assert field in fields(errors)
    assert any(words in e.message for e in errors if e.field == field)


def test_the_default_rubric_is_the_eu_one() -> None:
    assert [c.key for c in DEFAULT_RUBRIC.criteria] == ["excellence", "impact", "implementation"]
    assert {c.weight for c in DEFAULT_RUBRIC.criteria} == {1.0}
    assert {c.threshold for c in DEFAULT_RUBRIC.criteria} == {3.0}
    assert DEFAULT_RUBRIC.overall_threshold == 10
    assert rubric_errors(DEFAULT_RUBRIC) == []


@pytest.mark.parametrize(("zone", "ok"), [("Europe/Brussels", True), ("UTC", True),
                                          ("Europe/Istanbul", True), ("Mars/Olympus", False),
                                          ("", False), ("localtime", False), ("Factory", False),
                                          ("../../etc/passwd", False), ("A" * 10_000, False),
                                          ("Europe/Brussels\x00", False)])  # fmt: skip
def test_time_zones(zone: str, ok: bool) -> None:
    assert (timezone_error(zone) is None) is ok


def test_a_long_time_zone_is_named_short_in_its_refusal() -> None:
    refused = timezone_error("A" * 10_000)
    assert refused is not None and refused.message == f"unknown time zone {'A' * 64}…"


def test_windows() -> None:
    assert window_errors(OPENS, CLOSES) == []
    assert "close after it opens" in window_errors(CLOSES, OPENS)[0].message
    assert window_errors(OPENS, OPENS)[0].field == "closesAt"
    naive = datetime(2027, 1, 1)
    assert fields(window_errors(naive, naive)) == {"opensAt", "closesAt"}


@pytest.mark.parametrize(
    ("opens", "closes", "wrong"),
    [(datetime(1, 1, 1, tzinfo=UTC), CLOSES, "opensAt"),
     (datetime(1999, 12, 31, 23, 59, tzinfo=UTC), CLOSES, "opensAt"),
     (OPENS, datetime(9999, 12, 31, 23, 30, tzinfo=UTC), "closesAt"),
     (OPENS, datetime(2100, 1, 1, tzinfo=UTC), "closesAt")],
)  # fmt: skip
def test_a_call_opens_and_closes_in_this_century(
    opens: datetime, closes: datetime, wrong: str
) -> None:
    """Found probing: a call closing at 9999-12-31T23:30Z overflowed the calendar when shown
    in Brussels time, and every public `calls` list failed with it."""
    assert [(e.field, e.message) for e in window_errors(opens, closes)] == [
        (wrong, "give an instant from the year 2000 to 2099")
    ]
    assert window_errors(datetime(2000, 1, 1, tzinfo=UTC), datetime(2099, 12, 31, tzinfo=UTC)) == []


def test_an_evaluation_deadline_past_the_century_is_refused_by_name() -> None:
    far = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    [error] = evaluation_deadline_errors(far, CLOSES, "Pacific/Kiritimati")
    assert (error.field, error.message) == (
        "evaluationDeadline",
        "give an instant from the year 2000 to 2099",
    )
    # With the call's own close out of range, only that one is named (by window_errors).
    assert evaluation_deadline_errors(CLOSES, far, "Europe/Brussels") == []


@pytest.mark.parametrize(
    ("budget", "grant", "expected"),
    [(100, 10, set()), (100, 100, set()), (100, 101, {"maxGrant"}), (0, 10, {"budget"}),
     (100, 0, {"maxGrant"}), (-5, -5, {"budget", "maxGrant"}),
     # Found probing: 1e308 overflowed the column, a 500.
     (1e308, 10, {"budget"}), (1e9, 1e9, set()), (1e308, 1e308, {"budget", "maxGrant"})],
)  # fmt: skip
def test_money(budget: float, grant: float, expected: set[str]) -> None:
    assert fields(money_errors(budget, grant)) == expected


NL_ONLY = coverage_of([h for h in HUBS if h.code == "NL"])


@pytest.mark.parametrize(
    ("wanted", "ok"),
    [
        (Coverage("NL"), True),
        (Coverage("FR", CountryPart.NORTH), True),
        (Coverage("FR", CountryPart.SOUTH), False),
        (Coverage("FR"), False),  # all of France is wider than the NL hub
        (Coverage("DE"), False),
        (Coverage("ZZ"), False),
    ],
)
def test_eligible_countries_stay_inside_the_hubs(wanted: Coverage, ok: bool) -> None:
    errors = coverage_errors([wanted], NL_ONLY)
    assert (errors == []) is ok
    if not ok:
        assert errors[0].field == "eligibleCountries"
        assert country_name(wanted.code) in errors[0].message


def test_no_eligible_country_at_all() -> None:
    assert "at least one" in coverage_errors([], NL_ONLY)[0].message


@pytest.mark.parametrize(
    ("eligible", "said"),
    [
        # Found probing: nobody from NL could be eligible (NL has no parts to name).
        ([Coverage("NL", CountryPart.NORTH)], "Netherlands is not split into parts; name it whole"),
        ([Coverage("NL"), Coverage("NL")], "Netherlands is listed twice"),
        ([Coverage("FR"), Coverage("FR", CountryPart.NORTH)], "France is listed whole and in part"),
    ],
)
def test_each_country_is_named_once_and_in_parts_only_where_it_has_them(
    eligible: list[Coverage], said: str
) -> None:
    everywhere = coverage_of(list(HUBS))
    assert [e.message for e in coverage_errors(eligible, everywhere)] == [said]


def draft(**kw: Any) -> CallDraft:
    values: dict[str, Any] = {
        "title": "Call", "description": "", "title_translations": [],
        "description_translations": [], "budget": 600_000, "max_grant": 60_000,
        "opens_at": OPENS, "closes_at": CLOSES, "evaluation_deadline": None,
        "timezone": "Europe/Brussels",
        "eligible_countries": NL_ONLY, "hub_coverage": NL_ONLY,
        "organisation_types": ["ngo"], "form": demo_form(), "rubric": DEFAULT_RUBRIC,
        "evaluators_per_application": 3, "challenge_ids": ["c1"], "unknown_challenges": [],
    }  # fmt: skip
    return CallDraft(**{**values, **kw})


def test_a_good_call_has_no_errors() -> None:
    assert draft().errors() == []


def test_a_call_reports_every_problem_at_once() -> None:
    bad = draft(
        title=" ",
        closes_at=OPENS,
        max_grant=700_000,
        timezone="Nowhere/City",
        organisation_types=["pirates"],
        evaluators_per_application=0,
        challenge_ids=[],
        eligible_countries=[Coverage("DE")],
    )
    assert fields(bad.errors()) == {
        "title", "closesAt", "maxGrant", "timezone", "organisationTypes",
        "evaluatorsPerApplication", "challengeIds", "eligibleCountries",
    }  # fmt: skip


def test_unknown_and_repeated_challenges_are_named_by_their_place() -> None:
    errors = draft(challenge_ids=["c1", "abc", "c1"], unknown_challenges=["abc"]).errors()
    assert [(e.field, "abc" in e.message) for e in errors] == [
        ("challengeIds.1", True),
        ("challengeIds.2", False),
    ]
    assert "twice" in errors[1].message


@pytest.mark.parametrize(
    ("translations", "expected"),
    [
        ([LocalizedText("fr", "Appel"), LocalizedText("nl", "Oproep")], []),
        ([LocalizedText("en", "Call")], [("titleTranslations.0.lang", "English")]),
        ([LocalizedText("french", "Appel")], [("titleTranslations.0.lang", "french")]),
        ([LocalizedText("fr", "A"), LocalizedText("fr", "B")],
         [("titleTranslations.1.lang", "twice")]),
        ([LocalizedText("de", " ")], [("titleTranslations.0.text", "empty")]),
        ([LocalizedText("de", "x" * 201)], [("titleTranslations.0.text", "200")]),
    ],
)  # fmt: skip
def test_title_translations_name_the_entry(
    translations: list[LocalizedText], expected: list[tuple[str, str]]
) -> None:
    errors = draft(title_translations=translations).errors()
    assert [e.field for e in errors] == [field for field, _ in expected]
    for error, (_, words) in zip(errors, expected, strict=True):
        assert words in error.message


def test_an_empty_description_translation_is_allowed_but_not_a_bad_language() -> None:
    assert draft(description_translations=[LocalizedText("fr", "")]).errors() == []
    errors = draft(description_translations=[LocalizedText("FR", "x")]).errors()
    assert [e.field for e in errors] == ["descriptionTranslations.0.lang"]


def test_the_evaluation_deadline_comes_after_the_closing_instant() -> None:
    assert draft(evaluation_deadline=CLOSES + timedelta(days=20)).errors() == []
    [error] = draft(evaluation_deadline=CLOSES).errors()
    assert error.field == "evaluationDeadline"
    # The closing instant in the call's zone, never raw ISO: 2 Mar 2027 12:00 UTC.
    assert "2 Mar 2027, 13:00 CET (Europe/Brussels)" in error.message
    naive = draft(evaluation_deadline=datetime(2027, 4, 1)).errors()
    assert [e.field for e in naive] == ["evaluationDeadline"]


def test_a_requested_amount_question_cannot_ask_above_the_max_grant() -> None:
    errors = draft(max_grant=50_000).errors()
    index = next(i for i, q in enumerate(demo_form().questions) if q.type is Q.REQUESTED_AMOUNT)
    assert [e.field for e in errors] == [f"form.questions.{index}.maxValue"]
    assert "€50,000" in errors[0].message


def test_only_a_draft_its_viewer_manages_is_editable() -> None:
    everything = editable_fields(CallStatus.DRAFT, True)
    assert {"title", "titleTranslations", "closesAt", "evaluationDeadline", "form"} <= set(
        everything
    )
    assert all("_" not in name for name in everything)
    assert editable_fields(CallStatus.DRAFT, False) == []
    # Published terms stay as announced; the retention period is pinned in test_retention.py.
    for status in set(CallStatus) - {CallStatus.DRAFT}:
        assert editable_fields(status, True) in ([], ["retentionDays"])
