"""Assignment rules pinned at their edges: organisation conflicts, public mailboxes, and
assignments that an evaluator who left the pool still holds."""

from __future__ import annotations

import pytest

from services.review.domain.assignments import (
    Applicant,
    Candidate,
    is_public_mail_domain,
    normalise_organisation,
    plan_assignments,
    same_organisation,
    shortfall_reason,
)


def test_naming_an_organisation_conflicts_only_with_that_organisation() -> None:
    evaluator = Candidate(id="e", capacity=9, organisation="Acme B.V.")
    assert same_organisation(evaluator, Applicant(id="a", organisation="acme bv"))
    assert not same_organisation(evaluator, Applicant(id="a", organisation="Other Ltd"))
    assert not same_organisation(evaluator, Applicant(id="a"))
    nameless = Candidate(id="e", capacity=9)
    assert not same_organisation(nameless, Applicant(id="a", organisation="Acme B.V."))


def test_a_name_of_legal_forms_only_matches_nothing() -> None:
    assert normalise_organisation("B.V. GmbH") == ""
    evaluator = Candidate(id="e", capacity=9, organisation="BV")
    assert not same_organisation(evaluator, Applicant(id="a", organisation="GmbH"))


def test_a_shared_company_domain_conflicts_and_a_public_one_does_not() -> None:
    app = Applicant(id="a", email_domains=frozenset({"acme.example", "gmail.com"}))
    assert same_organisation(Candidate(id="e", capacity=1, email_domain="acme.example"), app)
    assert not same_organisation(Candidate(id="e", capacity=1, email_domain="gmail.com"), app)
    assert not same_organisation(Candidate(id="e", capacity=1, email_domain="other.example"), app)
    assert not same_organisation(Candidate(id="e", capacity=1), Applicant(id="a"))


@pytest.mark.parametrize(
    ("domain", "public"),
    [("gmx.de", True), ("yahoo.co.uk", True), ("hotmail.com.br", True), ("outlook.com", True),
     ("outlook.example.org", False), ("gmx", False), ("acme.de", False), ("yahoo.org.uk", False)],
)  # fmt: skip
def test_public_mail_providers_by_country(domain: str, public: bool) -> None:
    assert is_public_mail_domain(domain) is public


def test_an_assignment_held_by_an_evaluator_who_left_still_counts_towards_k() -> None:
    pool = [Candidate(id=f"e{i}", capacity=9) for i in range(3)]
    plan = plan_assignments([Applicant(id="a")], pool, 2, existing=[("a", "gone"), ("a", "gone")])
    assert len(plan.pairs) == 1 and plan.shortfalls == []
    assert sum(plan.loads.values()) == 1


def test_an_existing_assignment_counts_towards_its_evaluator_load() -> None:
    pool = [Candidate(id="e0", capacity=1), Candidate(id="e1", capacity=1)]
    plan = plan_assignments(
        [Applicant(id="a"), Applicant(id="b")], pool, 1, existing=[("a", "e0"), ("old", "e0")]
    )
    assert plan.pairs == [("b", "e1")] and plan.loads == {"e0": 2, "e1": 1}


def test_a_repair_tops_up_an_application_short_of_k() -> None:
    pool = [Candidate(id=f"e{i}", capacity=9) for i in range(4)]
    plan = plan_assignments([Applicant(id="a")], pool, 3, existing=[("a", "e2")])
    assert sorted(plan.pairs) == [("a", "e0"), ("a", "e1")]


def test_a_short_application_is_explained() -> None:
    pool = [Candidate(id="e0", capacity=0), Candidate(id="e1", capacity=5, organisation="Acme")]
    plan = plan_assignments([Applicant(id="a", organisation="ACME")], pool, 2)
    [short] = plan.shortfalls
    assert (short.application_id, short.needed, short.assigned) == ("a", 2, 0)
    assert short.reason == "0 of 2 evaluators: 2 in the pool, 1 conflicted, 1 at capacity"
    assert shortfall_reason(assigned=0, needed=3, pool=0, conflicted=0, full=0) == (
        "0 of 3 evaluators: the call's pool is empty"
    )
