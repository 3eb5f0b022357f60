"""Answers, applicants and eligibility against the demo call's form: pure and fast."""

from __future__ import annotations

from typing import Any

import pytest

from services.intake.domain.answers import answer_errors, requested_amount
from services.intake.domain.applicant import applicant_errors, hub_for
from services.intake.domain.eligibility import CallTerms, eligibility_reasons
from services.registry.demo import demo_form
from shared.api.intake import Organisation, Person
from shared.api.registry import CountryPart, Coverage
from shared.programme import COUNTRY_CODES, HUBS, ORGANISATION_TYPE_CODES, SPLIT_COUNTRIES

FORM = demo_form()
COMPLETE: dict[str, Any] = {
    "project_title": "Fix it", "summary": "Repair cafés in every street.",
    "value_chain": "electronics_ict", "strategies": ["repair"], "team_size": 3, "country": "NL",
    "requested_amount": 20000, "declaration_of_honour": True,
}  # fmt: skip
FILES = {"pitch_deck": 1}


def errors(
    answers: dict[str, Any], *, strict: bool, files: dict[str, int] = FILES
) -> dict[str, str]:
    found = answer_errors(FORM, answers, files, strict=strict, country_codes=COUNTRY_CODES)
    return {e.field: e.message for e in found}


def test_a_complete_application_passes() -> None:
    assert errors(COMPLETE, strict=True) == {}


def test_a_draft_is_never_refused_for_being_incomplete() -> None:
    assert errors({}, strict=False, files={}) == {}


def test_submit_names_every_missing_required_answer() -> None:
    found = errors({}, strict=True, files={})
    required = {q.key for q in FORM.questions if q.required}
    assert set(found) == {f"answers.{k}" for k in required}
    assert found["answers.pitch_deck"] == "attach a file"
    assert found["answers.project_title"] == "is required"


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("project_title", "x" * 121, "at most 120 characters"),
        ("project_title", 42, "must be text"),
        ("summary", "word " * 301, "at most 300 words"),
        ("team_size", 0, "between 1 and 250"),
        ("team_size", 251, "between 1 and 250"),
        ("team_size", "three", "must be a number"),
        ("team_size", True, "must be a number"),
        ("requested_amount", 4999, "between 5000 and 60000"),
        ("value_chain", "space", "not one of the options"),
        ("strategies", ["repair", "repair"], "twice"),
        ("strategies", ["repair", "reuse", "refurbish", "remanufacture"], "at most 3"),
        ("strategies", ["recycle"], "not one of the options"),
        ("strategies", "repair", "not one of the options"),
        ("country", "XX", "unknown country XX"),
        ("declaration_of_honour", "yes", "yes or no"),
        ("pitch_deck", "deck.pdf", "upload files instead"),
        ("nonsense", "x", "not a question of this form"),
    ],
)
def test_wrong_values_are_named_while_drafting(key: str, value: Any, words: str) -> None:
    found = errors({**COMPLETE, key: value}, strict=False)
    assert words in found[f"answers.{key}"]


def test_a_declaration_must_be_accepted_on_submit() -> None:
    found = errors({**COMPLETE, "declaration_of_honour": False}, strict=True)
    assert found == {"answers.declaration_of_honour": "must be accepted"}
    assert errors({**COMPLETE, "declaration_of_honour": False}, strict=False) == {}


def test_too_many_files() -> None:
    found = errors(COMPLETE, strict=False, files={"pitch_deck": 2, "supporting_documents": 4})
    assert found == {"answers.pitch_deck": "attach at most 1 file(s)",
                     "answers.supporting_documents": "attach at most 3 file(s)"}  # fmt: skip


def test_the_requested_amount_comes_from_the_form_when_it_asks() -> None:
    assert requested_amount(FORM, {"requested_amount": 1234}, fallback=99) == 1234
    assert requested_amount(FORM, {}, fallback=99) is None
    assert requested_amount(FORM, {"requested_amount": "lots"}, fallback=99) is None
    no_amount = FORM.__class__(questions=[q for q in FORM.questions if q.key != "requested_amount"])
    assert requested_amount(no_amount, {}, fallback=99) == 99


ORG = Organisation(name="Collective", type="ngo", country="NL", website="https://c.example")
CONTACT = Person(name="Ana", email="ana@c.example")


def applicant(org: Organisation = ORG, contact: Person = CONTACT, team: list[Person] | None = None,
              *, strict: bool) -> set[str]:  # fmt: skip
    found = applicant_errors(
        org, contact, team or [], strict=strict, organisation_types=ORGANISATION_TYPE_CODES,
        country_codes=COUNTRY_CODES, split_countries=SPLIT_COUNTRIES,
    )  # fmt: skip
    return {e.field for e in found}


def test_a_complete_applicant_passes() -> None:
    assert applicant(strict=True) == set()


def test_an_empty_applicant_is_fine_for_a_draft_but_not_for_submit() -> None:
    empty = (Organisation(), Person())
    assert applicant(*empty, strict=False) == set()
    assert applicant(*empty, strict=True) == {
        "organisation.name", "organisation.type", "organisation.country", "contact.name",
        "contact.email",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("org", "contact", "field"),
    [
        (Organisation(type="pirates"), Person(), "organisation.type"),
        (Organisation(country="XX"), Person(), "organisation.country"),
        (Organisation(country="NL", country_part=CountryPart.NORTH), Person(), "organisation.countryPart"),
        (Organisation(website="ftp://x"), Person(), "organisation.website"),
        (Organisation(), Person(email="not-mail"), "contact.email"),
    ],
)  # fmt: skip
def test_wrong_applicant_values(org: Organisation, contact: Person, field: str) -> None:
    assert field in applicant(org, contact, strict=False)


def test_france_needs_its_part_and_the_part_decides_the_hub() -> None:
    french = Organisation(name="x", type="ngo", country="FR")
    assert "organisation.countryPart" in applicant(french, strict=True)
    assert hub_for("FR", CountryPart.NORTH, HUBS) == "NL"
    assert hub_for("FR", CountryPart.SOUTH, HUBS) == "PT"
    assert hub_for("FR", None, HUBS) is None
    assert hub_for("GE", None, HUBS) == "TR"
    assert hub_for("US", None, HUBS) is None


def test_team_members_need_names_on_submit() -> None:
    assert applicant(team=[Person(email="bad")], strict=True) == {"team[0].name", "team[0].email"}


TERMS = CallTerms(
    eligible_countries=[Coverage("NL"), Coverage("FR", CountryPart.NORTH)],
    organisation_types=["ngo", "social_enterprise"], max_grant=60_000, form=FORM,
)  # fmt: skip


def test_an_eligible_application() -> None:
    assert eligibility_reasons(TERMS, ORG, 60_000, COMPLETE) == []


@pytest.mark.parametrize(
    ("org", "amount", "answers", "words"),
    [
        (Organisation(type="ngo", country="DE"), 1000, COMPLETE, "DE"),
        (Organisation(type="ngo", country="FR", country_part=CountryPart.SOUTH), 1000, COMPLETE, "FR (south)"),
        (Organisation(type="ngo", country="FR"), 1000, COMPLETE, "FR"),
        (Organisation(type="sme", country="NL"), 1000, COMPLETE, "sme"),
        (ORG, 60_001, COMPLETE, "60,001 exceeds the maximum grant of 60,000"),
        (ORG, None, COMPLETE, "no amount"),
        (ORG, 1000, {**COMPLETE, "declaration_of_honour": False}, "declaration_of_honour"),
    ],
)  # fmt: skip
def test_ineligibility_says_why(
    org: Organisation, amount: float | None, answers: dict[str, Any], words: str
) -> None:
    reasons = eligibility_reasons(TERMS, org, amount, answers)
    assert len(reasons) == 1
    assert words in reasons[0]


def test_all_reasons_at_once() -> None:
    reasons = eligibility_reasons(TERMS, Organisation(), None, {})
    assert len(reasons) == 4
