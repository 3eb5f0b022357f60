"""The registry's rules pinned at their edges: what is just allowed is accepted, what is just
beyond is refused with the field named (choices, thresholds, keys, organisation types, texts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from services.registry.domain.calls import DEFAULT_RUBRIC, camel
from services.registry.domain.forms import (
    MAX_FILE_BYTES,
    amount_question_errors,
    form_errors,
    rubric_errors,
)
from services.registry.domain.missions import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    challenge_errors,
    mission_errors,
)
from shared.api.registry import (
    ChallengeCreate,
    CountryPart,
    Coverage,
    Criterion,
    Form,
    LocalizedText,
    MissionCreate,
    MissionUpdate,
    Option,
    Question,
    QuestionType,
    Rubric,
)
from shared.call_status import TRANSITIONS, CallStatus
from shared.errors import FieldError
from shared.programme import KEY_PATTERN
from tests.unit.registry.test_calls import CLOSES, draft

EN = {"en": "Label"}
Q = QuestionType


def options(n: int) -> list[Option]:
    return [Option(f"v{i}", {"en": f"Option {i}"}) for i in range(n)]


def errors_of(q: Question) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in form_errors(Form([q]))]


def test_the_limits_are_the_published_ones() -> None:
    assert (TITLE_MAX, DESCRIPTION_MAX, MAX_FILE_BYTES) == (200, 10_000, 500 * 1024 * 1024)
    assert TRANSITIONS[CallStatus.RESULTS_PUBLISHED] == frozenset()
    assert all(len(nexts) == 1 for s, nexts in TRANSITIONS.items()
               if s is not CallStatus.RESULTS_PUBLISHED)  # fmt: skip


@pytest.mark.parametrize("kind", [Q.SINGLE_CHOICE, Q.MULTIPLE_CHOICE])
def test_two_options_make_a_choice(kind: QuestionType) -> None:
    assert errors_of(Question(key="pick", type=kind, labels=EN, options=options(2))) == []
    assert errors_of(Question(key="pick", type=kind, labels=EN, options=options(1))) == [
        ("form.questions.0.options", "a choice needs at least two options")
    ]


@pytest.mark.parametrize("picks", [1, 3])
def test_max_picks_may_be_one_up_to_the_option_count(picks: int) -> None:
    q = Question(key="pick", type=Q.MULTIPLE_CHOICE, labels=EN, options=options(3), max_picks=picks)
    assert errors_of(q) == []


@pytest.mark.parametrize(
    "q",
    [
        Question(key="n", type=Q.NUMBER, labels=EN, min_value=5, max_value=5),
        Question(key="amount", type=Q.REQUESTED_AMOUNT, labels=EN, min_value=0, max_value=10),
        Question(key="t", type=Q.SHORT_TEXT, labels=EN, max_length=1),
        Question(key="t", type=Q.LONG_TEXT, labels=EN, max_words=1),
        Question(key="f", type=Q.FILE, labels=EN, allowed_types=["pdf"],
                 max_size_bytes=MAX_FILE_BYTES, max_count=1),
        Question(key="f", type=Q.FILE, labels=EN, allowed_types=["png"], max_size_bytes=1,
                 max_count=1),
        Question(key="d", type=Q.DECLARATION, labels={"en": "I agree", "fr": "J'accepte"}),
    ],
)  # fmt: skip
def test_questions_at_their_limits_are_accepted(q: Question) -> None:
    assert errors_of(q) == []


def test_a_form_promises_no_more_than_an_answer_holds() -> None:
    """Found probing: a max length of 2,147,483,647 was taken, and intake refuses any answer
    over 100,000 characters."""
    for question, field in (
        (Question(key="t", type=Q.SHORT_TEXT, labels=EN, max_length=100_001), "maxLength"),
        (Question(key="t", type=Q.LONG_TEXT, labels=EN, max_words=2_147_483_647), "maxWords"),
        (Question(key="f", type=Q.FILE, labels=EN, allowed_types=["png"], max_size_bytes=1,
                  max_count=1000), "maxCount"),
    ):  # fmt: skip
        assert [f for f, _ in errors_of(question)] == [f"form.questions.0.{field}"]
    assert errors_of(Question(key="t", type=Q.SHORT_TEXT, labels=EN, max_length=100_000)) == []


def test_a_refused_question_says_exactly_why() -> None:
    assert errors_of(Question(key="t", type=Q.SHORT_TEXT, labels={})) == [
        ("form.questions.0.labels", "needs an English label"),
        ("form.questions.0.maxLength", "a short text needs a max length of 1 to 100,000"),
    ]
    assert errors_of(Question(key="t", type=Q.LONG_TEXT, labels=EN, max_words=0)) == [
        ("form.questions.0.maxWords", "a long text needs a max words of 1 to 16,666")
    ]
    assert errors_of(Question(key="t", type=Q.NUMBER, labels={"en": "x", "FR": "y", "e": "z"})) == [
        ("form.questions.0.labels", "unknown language codes: FR, e")
    ]
    assert errors_of(Question(key="f", type=Q.FILE, labels=EN, allowed_types=["exe", "bat"],
                              max_size_bytes=MAX_FILE_BYTES + 1)) == [
        ("form.questions.0.allowedTypes", "unknown types: bat, exe"),
        ("form.questions.0.maxSizeBytes", f"must be between 1 and {MAX_FILE_BYTES}"),
        ("form.questions.0.maxCount", "must be between 1 and 50"),
    ]  # fmt: skip


@pytest.mark.parametrize("key", ["a", "impact", "a_1", "z" + "9" * 39])
def test_criterion_keys_that_fit_the_pattern(key: str) -> None:
    assert KEY_PATTERN.match(key)
    assert (
        rubric_errors(Rubric(criteria=[Criterion(key=key, labels=EN)], overall_threshold=0)) == []
    )


@pytest.mark.parametrize("key", ["", "Impact", "1st", "_a", "a-b", "a b", "a" * 41])
def test_criterion_keys_that_break_the_pattern(key: str) -> None:
    rubric = Rubric(criteria=[Criterion(key=key, labels=EN)], overall_threshold=0)
    [error] = rubric_errors(rubric)
    assert error.field == "rubric.criteria.0.key" and "lower-case letter" in error.message


def test_a_key_with_a_trailing_newline_is_refused() -> None:
    key = "impact\n"
    rubric = Rubric(criteria=[Criterion(key=key, labels=EN)], overall_threshold=0)
    [error] = rubric_errors(rubric)
    assert error.field == "rubric.criteria.0.key" and "lower-case letter" in error.message


@pytest.mark.parametrize("threshold", [0, 2.5, 5])
def test_a_threshold_in_half_points_from_0_to_5_is_accepted(threshold: float) -> None:
    criterion = Criterion(key="impact", labels=EN, threshold=threshold, weight=0.01)
    assert rubric_errors(Rubric(criteria=[criterion], overall_threshold=5)) == []


@pytest.mark.parametrize("threshold", [-0.5, 5.5, 2.25])
def test_a_threshold_off_the_scale_is_refused(threshold: float) -> None:
    rubric = Rubric(criteria=[Criterion(key="impact", labels=EN, threshold=threshold)])
    [error] = rubric_errors(Rubric(criteria=rubric.criteria, overall_threshold=0))
    assert (error.field, error.message) == (
        "rubric.criteria.0.threshold",
        "must be 0 to 5 in half points",
    )


def test_the_overall_threshold_may_reach_every_criterion_at_five() -> None:
    top = Rubric(criteria=DEFAULT_RUBRIC.criteria, overall_threshold=15)
    assert rubric_errors(top) == []
    over = rubric_errors(Rubric(criteria=DEFAULT_RUBRIC.criteria, overall_threshold=15.5))
    assert [(e.field, e.message) for e in over] == [
        ("rubric.overallThreshold", "must be between 0 and 15")
    ]
    under = rubric_errors(Rubric(criteria=DEFAULT_RUBRIC.criteria, overall_threshold=-1))
    assert [e.field for e in under] == ["rubric.overallThreshold"]


def test_a_call_names_at_least_one_known_organisation_type_once() -> None:
    def messages(types: list[str]) -> list[tuple[str, str]]:
        return [(e.field, e.message) for e in draft(organisation_types=types).errors()]

    assert messages([]) == [("organisationTypes", "choose at least one")]
    assert messages(["ngo", "pirates"]) == [("organisationTypes", "unknown: pirates")]
    assert messages(["ngo", "ngo"]) == [("organisationTypes", "lists a value twice")]


@pytest.mark.parametrize("per_application", [1, 10])
def test_one_to_ten_evaluators_per_application(per_application: int) -> None:
    assert draft(evaluators_per_application=per_application).errors() == []
    [error] = draft(evaluators_per_application=per_application * 11).errors()
    assert error.field == "evaluatorsPerApplication"


def mission(**kw: Any) -> MissionCreate:
    values: dict[str, Any] = {"hub": "NL", "title": "Mission", "description": "",
                              "value_chains": ["textiles"], "strategies": []}  # fmt: skip
    return MissionCreate(**{**values, **kw})


def test_a_mission_and_a_challenge_at_their_text_limits_are_accepted() -> None:
    assert mission_errors(mission(title="t" * TITLE_MAX, description="d" * DESCRIPTION_MAX)) == []
    assert challenge_errors(ChallengeCreate(mission_id="m", title="t" * TITLE_MAX,
                                            description="d" * DESCRIPTION_MAX)) == []  # fmt: skip


def test_texts_one_character_beyond_their_limit_are_refused() -> None:
    errors = mission_errors(
        mission(title="t" * (TITLE_MAX + 1), description="d" * (DESCRIPTION_MAX + 1))
    )
    assert [(e.field, e.message) for e in errors] == [
        ("title", "must be at most 200 characters"),
        ("description", "must be at most 10000 characters"),
    ]
    challenge = challenge_errors(ChallengeCreate(mission_id="m", title=" ",
                                                 description="d" * (DESCRIPTION_MAX + 1)))  # fmt: skip
    assert [(e.field, e.message) for e in challenge] == [
        ("title", "must not be empty"),
        ("description", "must be at most 10000 characters"),
    ]


def test_a_mission_names_a_known_hub_and_value_chain() -> None:
    errors = mission_errors(mission(hub="XX", value_chains=[], strategies=["nope"]))
    assert [(e.field, e.message) for e in errors] == [
        ("hub", "unknown hub XX"),
        ("valueChains", "choose at least one"),
        ("strategies", "unknown: nope"),
    ]


def test_an_update_checks_only_what_it_changes() -> None:
    assert mission_errors(MissionUpdate()) == []
    [error] = mission_errors(MissionUpdate(description=" " * (DESCRIPTION_MAX + 1)))
    assert error.field == "description"


NAIVE = datetime(2027, 1, 1)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        (Question(key="n", type=Q.NUMBER, labels=EN, min_value=2, max_value=1),
         [("form.questions.0.minValue", "must not exceed the max value")]),
        (Question(key="a", type=Q.REQUESTED_AMOUNT, labels=EN, min_value=-1),
         [("form.questions.0.minValue", "an amount cannot be negative")]),
        (Question(key="c", type=Q.SINGLE_CHOICE, labels=EN,
                  options=[Option(" ", EN), Option("b", EN)]),
         [("form.questions.0.options.0.value", "must not be empty")]),
        (Question(key="c", type=Q.SINGLE_CHOICE, labels=EN,
                  options=[Option("b", EN), Option("b", EN)]),
         [("form.questions.0.options.1.value", "duplicate option value b")]),
        (Question(key="c", type=Q.MULTIPLE_CHOICE, labels=EN, options=options(2), max_picks=3),
         [("form.questions.0.maxPicks", "must be between 1 and the option count")]),
        (Question(key="f", type=Q.FILE, labels=EN, max_size_bytes=1, max_count=1),
         [("form.questions.0.allowedTypes", "name at least one file type")]),
        (Question(key="Q", type=Q.DECLARATION, labels=EN),
         [("form.questions.0.key", "start with a lower-case letter; then lower-case letters, "
                                   "digits and _ (40 at most)")]),
    ],
)  # fmt: skip
def test_each_question_problem_reads_in_full(q: Question, expected: list[tuple[str, str]]) -> None:
    assert errors_of(q) == expected


def test_an_empty_form_and_an_empty_rubric_read_in_full() -> None:
    assert [(e.field, e.message) for e in form_errors(Form([]))] == [
        ("form.questions", "a form needs at least one question")
    ]
    assert [
        (e.field, e.message) for e in rubric_errors(Rubric(criteria=[], overall_threshold=0))
    ] == [("rubric.criteria", "a rubric needs at least one criterion")]
    weightless = Rubric(
        criteria=[Criterion(key="impact", labels=EN, weight=0)], overall_threshold=0
    )
    assert [(e.field, e.message) for e in rubric_errors(weightless)] == [
        ("rubric.criteria.0.weight", "weights must be positive")
    ]


def messages(**kw: Any) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in draft(**kw).errors()]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"description": "d" * (DESCRIPTION_MAX + 1)},
         [("description", "must be at most 10000 characters")]),
        ({"title_translations": [LocalizedText("en", "Call")]},
         [("titleTranslations.0.lang", "English is the main text; give other languages")]),
        ({"title_translations": [LocalizedText("fr", " ")]},
         [("titleTranslations.0.text", "must not be empty")]),
        ({"challenge_ids": []}, [("challengeIds", "a call targets at least one challenge")]),
        ({"challenge_ids": ["c1", "c1"]}, [("challengeIds.1", "this challenge is listed twice")]),
        ({"budget": 0, "max_grant": 0},
         [("budget", "must be positive"), ("maxGrant", "must be positive")]),
        ({"budget": 0.5, "max_grant": 0.7, "form": Form([Question(key="t", type=Q.SHORT_TEXT,
                                                                   labels=EN, max_length=1)])},
         [("maxGrant", "cannot exceed the budget")]),
        ({"opens_at": NAIVE, "closes_at": CLOSES},
         [("opensAt", "give the instant with its UTC offset")]),
        ({"opens_at": CLOSES, "closes_at": CLOSES},
         [("closesAt", "the call must close after it opens")]),
        ({"evaluation_deadline": NAIVE},
         [("evaluationDeadline", "give the instant with its UTC offset")]),
        ({"eligible_countries": []}, [("eligibleCountries", "name at least one country")]),
        ({"eligible_countries": [Coverage("FR", CountryPart.SOUTH)]},
         [("eligibleCountries", "France (south) lies outside the hubs' coverage")]),
        ({"eligible_countries": [Coverage("DE")]},
         [("eligibleCountries", "Germany lies outside the hubs' coverage")]),
        ({"eligible_countries": [Coverage("ZZ")]}, [("eligibleCountries", "unknown country ZZ")]),
        ({"evaluators_per_application": 0},
         [("evaluatorsPerApplication", "must be between 1 and 10")]),
        ({"organisation_types": ["x", "y"]}, [("organisationTypes", "unknown: x, y")]),
        ({"timezone": "posix/UTC"}, [("timezone", "unknown time zone posix/UTC")]),
    ],
)  # fmt: skip
def test_each_call_problem_reads_in_full(
    change: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert messages(**change) == expected


def test_small_positive_amounts_and_a_translation_at_its_limit_are_accepted() -> None:
    small = Form([Question(key="t", type=Q.SHORT_TEXT, labels=EN, max_length=1)])
    assert messages(budget=0.5, max_grant=0.5, form=small) == []
    assert messages(title_translations=[LocalizedText("fr", "t" * TITLE_MAX)]) == []
    assert draft().retention_days == 365


def test_an_early_deadline_shows_the_closing_instant_in_utc_when_the_zone_is_unknown() -> None:
    found = dict(messages(evaluation_deadline=CLOSES, timezone="Nowhere/City"))
    assert (
        found["evaluationDeadline"] == "must be after the call closes (2 Mar 2027, 12:00 UTC (UTC))"
    )


def test_only_amount_questions_are_held_to_the_max_grant() -> None:
    number = Question(key="n", type=Q.NUMBER, labels=EN, max_value=10**9)
    amount = Question(key="a", type=Q.REQUESTED_AMOUNT, labels=EN, min_value=1, max_value=2)
    assert amount_question_errors(Form([number, amount]), 1.5) == [
        FieldError("form.questions.1.maxValue", "exceeds the max grant of €1.50")
    ]
    assert amount_question_errors(Form([amount]), 0) == []  # money_errors says why
    above = Question(key="a", type=Q.REQUESTED_AMOUNT, labels=EN, min_value=2, max_value=3)
    assert [(e.field, e.message) for e in amount_question_errors(Form([above]), 0.5)] == [
        ("form.questions.0.minValue", "exceeds the max grant of €0.50"),
        ("form.questions.0.maxValue", "exceeds the max grant of €0.50"),
    ]


def test_settings_are_named_as_the_graphql_input_names_them() -> None:
    assert camel("evaluators_per_application") == "evaluatorsPerApplication"
    assert camel("title") == "title"


def test_a_form_asks_one_requested_amount() -> None:
    """Found probing: a second amount question was accepted, and only the first counted."""
    first = Question(key="amount", type=Q.REQUESTED_AMOUNT, labels=EN)
    second = Question(key="more", type=Q.REQUESTED_AMOUNT, labels=EN)
    assert [(e.field, e.message) for e in form_errors(Form([first, second]))] == [
        ("form.questions.1.type", "a form asks one requested amount")
    ]
    assert form_errors(Form([first])) == []
