"""Assignment: k per application, no conflicts, capacity, balance, preference, determinism."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from services.review.domain.assignments import Applicant, Candidate, plan_assignments


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
               "icloud.com", "proton.me", "protonmail.com", "demo.portal"],
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


def test_a_conflict_does_not_unbalance_the_loads() -> None:
    # In id order a1 would take A, then a2 (which B may not have) A again: 2 and 0.
    evaluators = [Candidate(id="A", capacity=9), Candidate(id="B", capacity=9)]
    plan = plan_assignments(apps(2), evaluators, 1, conflicts=frozenset({("a0001", "B")}))
    assert sorted(plan.pairs) == [("a0000", "B"), ("a0001", "A")]
    assert plan.loads == {"A": 1, "B": 1}


def test_a_chain_of_moves_evens_the_loads() -> None:
    # Greedy alone gives e0 two and e2 none; only moving two assignments evens it out.
    conflicts = frozenset({("a0", "e1"), ("a0", "e2"), ("a1", "e0"), ("a2", "e2")})
    applications = [Applicant(id=f"a{i}") for i in range(3)]
    evaluators = [Candidate(id=f"e{i}", capacity=100) for i in range(3)]
    plan = plan_assignments(applications, evaluators, 1, conflicts=conflicts)
    assert sorted(plan.pairs) == [("a0", "e0"), ("a1", "e2"), ("a2", "e1")]


def test_assignments_move_to_make_room_for_an_application_left_short() -> None:
    # Capacity 1 each: taken in order, a0 and a1 fill e0 and e1, which a2 alone may have.
    conflicts = frozenset({("a0", "e2"), ("a1", "e0"), ("a2", "e2")})
    applications = [Applicant(id=f"a{i}") for i in range(3)]
    evaluators = [Candidate(id=f"e{i}", capacity=1) for i in range(3)]
    plan = plan_assignments(applications, evaluators, 1, conflicts=conflicts)
    assert plan.shortfalls == [] and not set(plan.pairs) & conflicts
    assert sorted(plan.pairs) == [("a0", "e0"), ("a1", "e2"), ("a2", "e1")]


def best_load_vectors(
    n_apps: int, evaluators: list[str], k: int, capacity: int,
    conflicts: frozenset[tuple[str, str]], existing: list[tuple[str, str]],
) -> tuple[int, set[tuple[int, ...]]]:  # fmt: skip
    """By brute force: the most assignments possible and every load vector reaching it."""
    start = tuple(sum(1 for _, e in existing if e == ev) for ev in evaluators)
    states = {start}
    for i in range(n_apps):
        held = {e for a, e in existing if a == f"a{i}"}
        free = [j for j, e in enumerate(evaluators)
                if (f"a{i}", e) not in conflicts and e not in held]  # fmt: skip
        reached = set()
        for loads in states:
            for size in range(min(k - len(held), len(free)) + 1):
                for chosen in itertools.combinations(free, size):
                    after = tuple(x + (j in chosen) for j, x in enumerate(loads))
                    if max(after) <= capacity:
                        reached.add(after)
        states = reached
    most = max(map(sum, states))
    return most, {s for s in states if sum(s) == most}


@pytest.mark.parametrize("seed", range(0, 1200, 100))
def test_loads_are_within_one_whenever_the_conflicts_allow_it(seed: int) -> None:
    """Random small instances with equal capacity (ample or binding), random conflicts and
    sometimes assignments made earlier: the plan serves as many as possible, never a
    conflict, and its loads are within one whenever some plan's are."""
    for rng in (random.Random(s) for s in range(seed, seed + 100)):
        evaluators = [f"e{j}" for j in range(rng.randint(2, 4))]
        n_apps, k = rng.randint(1, 6), rng.randint(1, min(3, len(evaluators)))
        capacity = rng.choice([100, rng.randint(1, 4)])
        pairs = [(f"a{i}", e) for i in range(n_apps) for e in evaluators]
        conflicts = frozenset(p for p in pairs if rng.random() < 0.35)
        existing = [p for p in pairs if p not in conflicts and rng.random() < 0.1]
        existing = [p for p in existing if sum(a == p[0] for a, _ in existing) <= k]
        existing = [p for p in existing if sum(e == p[1] for _, e in existing) <= capacity]
        plan = plan_assignments(
            [Applicant(id=f"a{i}") for i in range(n_apps)],
            [Candidate(id=e, capacity=capacity) for e in evaluators],
            k, conflicts=conflicts, existing=existing,
        )  # fmt: skip
        most, best = best_load_vectors(n_apps, evaluators, k, capacity, conflicts, existing)
        everything = plan.pairs + existing
        assert len(set(everything)) == len(everything) and not set(plan.pairs) & conflicts
        assert max(Counter(a for a, _ in everything).values(), default=0) <= k
        assert max(plan.loads.values()) <= capacity
        assert len(everything) == most
        loads = plan.loads.values()
        if any(max(s) - min(s) <= 1 for s in best):
            assert max(loads) - min(loads) <= 1, (evaluators, n_apps, k, conflicts, plan)
