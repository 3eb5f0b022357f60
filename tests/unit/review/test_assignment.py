"""Assignment: k per application, no conflicts, capacity, balance, preference, determinism."""

from __future__ import annotations

from collections import Counter

import pytest

from services.review.domain.assignment import Applicant, Candidate, plan_assignments


def pool(n: int, capacity: int = 100, **kw: object) -> list[Candidate]:
    return [Candidate(id=f"e{i:03d}", capacity=capacity, **kw) for i in range(n)]  # type: ignore[arg-type]


def apps(n: int, **kw: object) -> list[Applicant]:
    return [Applicant(id=f"a{i:04d}", **kw) for i in range(n)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n_apps", "n_evaluators", "k"), [(10, 3, 3), (100, 7, 3), (57, 10, 2), (5000, 150, 3)]
)
def test_every_application_gets_k_and_loads_stay_within_one(
    n_apps: int, n_evaluators: int, k: int
) -> None:
    plan = plan_assignments(apps(n_apps), pool(n_evaluators, capacity=10**6), k)
    per_app = Counter(a for a, _ in plan.pairs)
    assert set(per_app.values()) == {k} and len(per_app) == n_apps
    assert len(set(plan.pairs)) == len(plan.pairs)  # never the same evaluator twice
    loads = plan.loads.values()
    assert max(loads) - min(loads) <= 1
    assert plan.shortfalls == []


def test_the_same_inputs_give_the_same_plan() -> None:
    first = plan_assignments(apps(40), pool(9), 3)
    second = plan_assignments(list(reversed(apps(40))), list(reversed(pool(9))), 3)
    assert first == second


def test_conflicts_are_never_assigned() -> None:
    conflicts = frozenset({("a0000", "e000"), ("a0000", "e001"), ("a0001", "e002")})
    plan = plan_assignments(apps(20), pool(6), 3, conflicts=conflicts)
    assert not set(plan.pairs) & conflicts


def test_the_applicants_own_organisation_is_a_conflict() -> None:
    evaluators = [Candidate(id="e1", capacity=9, organisation="Repair Collective B.V."),
                  Candidate(id="e2", capacity=9, email_domain="repair.example"),
                  Candidate(id="e3", capacity=9), Candidate(id="e4", capacity=9)]  # fmt: skip
    app = Applicant(
        id="a", organisation="repair collective bv", email_domains=frozenset({"repair.example"})
    )
    plan = plan_assignments([app], evaluators, 2)
    assert {e for _, e in plan.pairs} == {"e3", "e4"}


@pytest.mark.parametrize(
    "domain", ["gmail.com", "outlook.com", "hotmail.fr", "yahoo.co.uk", "gmx.de", "web.de",
               "icloud.com", "proton.me", "protonmail.com"],
)  # fmt: skip
def test_a_public_mail_domain_is_no_organisation(domain: str) -> None:
    evaluators = [Candidate(id="e1", capacity=9, email_domain=domain),
                  Candidate(id="e2", capacity=9, email_domain=domain, organisation="Repair Collective"),
                  Candidate(id="e3", capacity=9)]  # fmt: skip
    app = Applicant(
        id="a", organisation="Repair Collective B.V.", email_domains=frozenset({domain})
    )
    plan = plan_assignments([app], evaluators, 3)
    # The shared mailbox provider is no conflict; the organisation's name still is.
    assert {e for _, e in plan.pairs} == {"e1", "e3"}
    assert plan.shortfalls[0].reason.endswith("1 conflicted, 0 at capacity")


def test_a_company_domain_under_a_provider_name_still_conflicts() -> None:
    evaluator = Candidate(id="e1", capacity=9, email_domain="outlook.example.org")
    app = Applicant(id="a", email_domains=frozenset({"outlook.example.org"}))
    assert plan_assignments([app], [evaluator], 1).pairs == []


def test_capacity_is_respected_and_shortfalls_are_named() -> None:
    plan = plan_assignments(apps(5), pool(3, capacity=4), 3)
    assert max(plan.loads.values()) <= 4
    assert len(plan.pairs) == 12
    short = {s.application_id: s for s in plan.shortfalls}
    assert set(short) == {"a0004"}
    assert short["a0004"].assigned == 0 and short["a0004"].needed == 3
    assert "at capacity" in short["a0004"].reason


def test_expertise_then_hub_are_preferred_among_equal_loads() -> None:
    evaluators = [Candidate(id="e1", capacity=9), Candidate(id="e2", capacity=9, hubs=frozenset({"PT"})),
                  Candidate(id="e3", capacity=9, expertise=frozenset({"textiles"}))]  # fmt: skip
    app = Applicant(id="a", value_chains=frozenset({"textiles"}), hub="PT")
    plan = plan_assignments([app], evaluators, 2)
    assert [e for _, e in plan.pairs] == ["e3", "e2"]


def test_a_repair_tops_up_without_moving_the_rest() -> None:
    first = plan_assignments(apps(10), pool(5), 3)
    removed = first.pairs[0]
    kept = [p for p in first.pairs if p != removed]
    repair = plan_assignments(apps(10), pool(5), 3, conflicts=frozenset({removed}), existing=kept)
    assert len(repair.pairs) == 1
    (app_id, evaluator) = repair.pairs[0]
    assert app_id == removed[0] and evaluator != removed[1]
    assert evaluator not in {e for a, e in kept if a == app_id}
