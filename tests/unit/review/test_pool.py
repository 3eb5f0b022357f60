"""The pool's rules: who may join, why a move is refused, titles and anonymous labels."""

from __future__ import annotations

from services.review.domain.assignments import Applicant, Candidate, shortfall_reason
from services.review.domain.pools import (
    MoveTarget,
    anonymous_labels,
    application_title,
    conflict_reason,
    move_refusal,
    pool_member_errors,
)
from shared.api.registry import Form, Question, QuestionType
from shared.errors import Conflict, ValidationFailed

EVA = Candidate(id="eva", capacity=2, organisation="Loop Works")
APP = Applicant(id="app-1", organisation="Repair Collective B.V.")


def test_a_pool_member_is_an_active_evaluator_with_a_capacity_of_1_to_1000() -> None:
    ok = pool_member_errors(known=True, active=True, capacity=1000, load=0)
    assert ok == []
    unknown = pool_member_errors(known=False, active=False, capacity=0, load=0)
    assert [(e.field, e.message) for e in unknown] == [
        ("accountId", "is not an invited evaluator"),
        ("capacity", "must be between 1 and 1000"),
    ]
    removed = pool_member_errors(known=True, active=False, capacity=1001, load=0)
    assert [e.field for e in removed] == ["accountId", "capacity"]
    below = pool_member_errors(known=True, active=True, capacity=2, load=3)
    assert [e.message for e in below] == [
        "must be at least 3: the assignments they already hold in this call"
    ]


def test_a_shortfall_says_why_in_words() -> None:
    assert shortfall_reason(assigned=2, needed=3, pool=4, conflicted=1, full=2) == (
        "2 of 3 evaluators: 4 in the pool, 1 conflicted, 2 at capacity"
    )
    assert shortfall_reason(assigned=0, needed=3, pool=0, conflicted=0, full=0) == (
        "0 of 3 evaluators: the call's pool is empty"
    )


def refusal(**overrides: object) -> str | None:
    facts: dict[str, object] = {
        "submitted": False, "target": MoveTarget(name="Eva", candidate=EVA, load=0),
        "app": APP, "holders": ["ben"], "declared": {},
    }  # fmt: skip
    found = move_refusal(**{**facts, **overrides})  # type: ignore[arg-type]
    if found is None:
        return None
    if isinstance(found, ValidationFailed):
        [error] = found.errors
        assert error.field == "toEvaluator"
        return error.message
    return f"{type(found).__name__}: {found.message}"


def test_a_move_follows_the_hard_rules_of_assignment() -> None:
    assert refusal() is None
    assert refusal(submitted=True) == (
        "Conflict: This evaluation is submitted and locked: it stays with its evaluator."
    )
    outside = MoveTarget(name="Eva", candidate=None, load=0)
    assert refusal(target=outside) == "Eva is not in this call's pool."
    assert refusal(holders=["ben", "eva"]) == "Eva is already assigned to this application."
    assert refusal(declared={("app-1", "eva"): "my sister applies"}) == (
        "Eva may not evaluate this application: declared a conflict: my sister applies."
    )
    colleague = Candidate(id="eva", capacity=2, organisation="repair collective")
    assert refusal(target=MoveTarget(name="Eva", candidate=colleague, load=0)) == (
        "Eva may not evaluate this application: from the applicant's organisation."
    )
    assert refusal(target=MoveTarget(name="Eva", candidate=EVA, load=2)) == (
        "Eva is at capacity for this call (2 of 2)."
    )
    assert isinstance(move_refusal(submitted=True, target=outside, app=APP, holders=[],
                                   declared={}), Conflict)  # fmt: skip


def test_a_conflict_reason_names_the_declared_one_first() -> None:
    colleague = Candidate(id="eva", capacity=2, organisation="Repair Collective")
    assert conflict_reason(colleague, APP, {("app-1", "eva"): ""}) == "declared a conflict"
    assert conflict_reason(colleague, APP, {}) == "from the applicant's organisation"
    assert conflict_reason(EVA, APP, {}) is None


def test_an_automatic_conflict_says_which_tie_it_is() -> None:
    """A UI audit read "from the applicant's organisation" for evaluators who named none: the
    tie was their e-mail domain, which the reason now names."""
    applicant = Applicant(
        id="app-1", organisation="Menders", email_domains=frozenset({"repair.example"})
    )
    same_domain = Candidate(id="eva", capacity=2, email_domain="repair.example")
    assert conflict_reason(same_domain, applicant, {}) == (
        "shares the applicant's e-mail domain (repair.example)"
    )
    named = Candidate(id="eva", capacity=2, organisation="menders", email_domain="repair.example")
    assert conflict_reason(named, applicant, {}) == "from the applicant's organisation"
    public = Applicant(id="app-2", email_domains=frozenset({"gmail.com"}))
    assert (
        conflict_reason(Candidate(id="eva", capacity=2, email_domain="gmail.com"), public, {})
        is None
    )


def test_an_application_is_called_by_its_title_answer_else_by_its_id() -> None:
    form = Form(questions=[
        Question(key="amount", type=QuestionType.NUMBER, labels={"en": "Amount"}),
        Question(key="project", type=QuestionType.SHORT_TEXT, labels={"en": "Project title"}),
    ])  # fmt: skip
    app_id = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
    assert application_title(form, {"project": " Kits "}, app_id) == "Kits"
    assert application_title(form, {"project": "  "}, app_id) == "Application 0f1e2d3c"
    assert application_title(Form(questions=[]), {}, app_id) == "Application 0f1e2d3c"


def test_evaluators_are_named_by_place() -> None:
    assert anonymous_labels(3) == ["Evaluator 1", "Evaluator 2", "Evaluator 3"]
