"""Eligibility: the call's countries, organisation types, maximum grant and declarations."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from services.intake.domain.eligibility import CallTerms, eligibility_reasons
from services.registry.demo import demo_form
from shared.api.intake import Organisation
from shared.api.registry import CountryPart, Coverage, Form, Question, QuestionType
from shared.programme import HUBS, coverage_of

FORM = demo_form()
ACCEPTED: dict[str, Any] = {"declaration_of_honour": True}
UNACCEPTED = (
    "the declaration “I declare that the information given is true and complete.” is not accepted"
)
ORG = Organisation(name="Collective", type="ngo", country="NL")
N, S = CountryPart.NORTH, CountryPart.SOUTH
TERMS = CallTerms(
    eligible_countries=[Coverage("NL"), Coverage("FR", N)],
    organisation_types=["ngo", "social_enterprise"],
    max_grant=60_000,
    form=FORM,
)


def reasons(
    org: Organisation = ORG,
    amount: float | None = 20_000,
    answers: dict[str, Any] = ACCEPTED,
    terms: CallTerms = TERMS,
) -> list[str]:
    return eligibility_reasons(terms, org, amount, answers)


@pytest.mark.parametrize(
    "org",
    [ORG, Organisation(type="social_enterprise", country="FR", country_part=N)],
)
def test_eligible_applications_have_no_reasons(org: Organisation) -> None:
    assert reasons(org) == []


@pytest.mark.parametrize(
    ("org", "amount", "answers", "words"),
    [
        (
            Organisation(type="ngo", country="DE"),
            1000,
            ACCEPTED,
            "country, Germany, is not eligible",
        ),
        (
            Organisation(type="ngo", country="FR", country_part=S),
            1000,
            ACCEPTED,
            "country, France (south), is not eligible",
        ),
        (Organisation(type="ngo", country="FR"), 1000, ACCEPTED, "north or the south"),
        (Organisation(type="ngo"), 1000, ACCEPTED, "country is not given"),
        (Organisation(type="sme", country="NL"), 1000, ACCEPTED, "type sme is not allowed"),
        (Organisation(country="NL"), 1000, ACCEPTED, "type is not given"),
        (ORG, 60_001, ACCEPTED, "€60,001 exceeds the maximum grant of €60,000"),
        (ORG, 60_000.5, ACCEPTED, "€60,000.50 exceeds the maximum grant of €60,000"),
        (ORG, None, ACCEPTED, "no amount is requested"),
        (ORG, 0, ACCEPTED, "more than 0"),
        (ORG, -5, ACCEPTED, "more than 0"),
        (
            ORG,
            1000,
            {"declaration_of_honour": False},
            UNACCEPTED,
        ),
        (ORG, 1000, {}, UNACCEPTED),
        (
            ORG,
            1000,
            {"declaration_of_honour": "yes"},
            UNACCEPTED,
        ),
    ],
)
def test_ineligibility_says_why(
    org: Organisation, amount: float | None, answers: dict[str, Any], words: str
) -> None:
    found = reasons(org, amount, answers)
    assert len(found) == 1, found
    assert words in found[0]


@pytest.mark.parametrize("part", [N, S, None])
def test_a_whole_country_admits_every_part(part: CountryPart | None) -> None:
    terms = msgspec.structs.replace(TERMS, eligible_countries=[Coverage("FR")])
    assert reasons(Organisation(type="ngo", country="FR", country_part=part), terms=terms) == []


def test_the_programmes_coverage_admits_every_country_it_names() -> None:
    terms = msgspec.structs.replace(TERMS, eligible_countries=coverage_of(HUBS))
    for hub in HUBS:
        for cov in hub.countries:
            org = Organisation(type="ngo", country=cov.code, country_part=cov.part)
            assert reasons(org, terms=terms) == [], cov


def test_the_maximum_grant_itself_is_eligible() -> None:
    assert reasons(amount=60_000) == []
    assert reasons(amount=60_000.0) == []


def test_every_reason_is_given_at_once() -> None:
    found = reasons(Organisation(), None, {})
    assert found == [
        "the organisation's country is not given",
        "the organisation type is not given",
        "no amount is requested",
        UNACCEPTED,
    ]


def test_only_required_declarations_count() -> None:
    questions = [
        Question(key="honour", type=QuestionType.DECLARATION, labels={"en": "I am honest"}),
        Question(key="news", type=QuestionType.DECLARATION, labels={"en": "x"}, required=False),
    ]
    terms = msgspec.structs.replace(TERMS, form=Form(questions=questions))
    assert reasons(answers={"honour": True}, terms=terms) == []
    assert reasons(answers={"news": True}, terms=terms) == [
        "the declaration “I am honest” is not accepted"
    ]


@pytest.mark.parametrize(
    ("labels", "named"),
    [({"fr": "Sur l'honneur", "en": "On my honour"}, "On my honour"),
     ({"fr": "Sur l'honneur"}, "Sur l'honneur")],
)  # fmt: skip
def test_a_declaration_is_named_by_its_label_never_its_key(
    labels: dict[str, str], named: str
) -> None:
    questions = [Question(key="decl_x1", type=QuestionType.DECLARATION, labels=labels)]
    terms = msgspec.structs.replace(TERMS, form=Form(questions=questions))
    [reason] = reasons(answers={}, terms=terms)
    assert reason == f"the declaration “{named}” is not accepted"
    assert "decl_x1" not in reason


def test_call_terms_are_keyword_only_frozen_and_decodable() -> None:
    with pytest.raises(TypeError):
        CallTerms([], [], 1.0, FORM)  # type: ignore[call-arg]
    with pytest.raises(AttributeError):
        TERMS.max_grant = 1  # type: ignore[misc]
    assert msgspec.json.decode(msgspec.json.encode(TERMS), type=CallTerms) == TERMS


@pytest.mark.parametrize("amount", [0.5, 0.01, 1])
def test_any_amount_above_zero_is_eligible(amount: float) -> None:
    assert reasons(amount=amount) == []


def test_the_reasons_read_in_full() -> None:
    assert reasons(Organisation(type="sme", country="FR", country_part=S), -1) == [
        "the organisation's country, France (south), is not eligible for this call",
        "the organisation type sme is not allowed in this call",
        "the requested amount must be more than 0",
    ]
    assert reasons(Organisation(type="ngo", country="FR"), 60_001) == [
        "only part of France is eligible for this call, and the organisation does not say whether "
        "it is in the north or the south",
        "the requested amount of €60,001 exceeds the maximum grant of €60,000",
    ]


def test_a_declaration_without_any_label_is_still_named_for_a_person() -> None:
    questions = [Question(key="decl_x1", type=QuestionType.DECLARATION, labels={})]
    terms = msgspec.structs.replace(TERMS, form=Form(questions=questions))
    assert reasons(answers={}, terms=terms) == [
        "the declaration “a required declaration” is not accepted"
    ]
