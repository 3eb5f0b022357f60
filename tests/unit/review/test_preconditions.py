"""Review's preconditions read in full: who sees a call's evaluation, what an invitation
needs, when assignment, repair, moderation, scoring and publication may go ahead."""

from __future__ import annotations

import pytest

from services.review.domain.access import require_team
from services.review.domain.invitations import code_errors, invitation_errors
from services.review.domain.pools import (
    assign_refusal,
    dropped_reason,
    published_refusal,
    repair_refusal,
)
from services.review.domain.results import applicant_summary, decision_counts, publish_refusal
from services.review.domain.scoring import Ranked, consensus_errors, save_refusal, submit_refusal
from shared.api.registry import Criterion, Rubric
from shared.api.review import Decision, EvaluationStatus
from shared.call_status import CallStatus
from shared.errors import Forbidden, NotAuthenticated
from shared.identity import Identity, Role

RUBRIC = Rubric(criteria=[Criterion(key="impact", labels={"en": "Impact"})])
ADMIN = Identity(role=Role.ADMIN, account_id="a")
NL_MANAGER = Identity(role=Role.HUB_MANAGER, account_id="m", hub="NL")


def test_the_team_decides_and_the_calls_hub_managers_only_look() -> None:
    require_team(ADMIN, [], write=True)
    require_team(NL_MANAGER, ["NL", "KE"], write=False)
    with pytest.raises(Forbidden, match="Only the programme team may do this"):
        require_team(NL_MANAGER, ["NL"], write=True)
    with pytest.raises(Forbidden, match="and the call's hub managers see this"):
        require_team(NL_MANAGER, ["KE"], write=False)
    with pytest.raises(Forbidden):
        require_team(Identity(role=Role.EVALUATOR, account_id="e"), ["NL"], write=False)
    with pytest.raises(NotAuthenticated):
        require_team(Identity(role=Role.ANONYMOUS), ["NL"], write=False)


def test_an_invitation_needs_a_name_a_capacity_and_known_codes() -> None:
    assert (
        invitation_errors(name="Ana", organisation="", capacity=1000, expertise=[], hubs=["NL"])
        == []
    )
    errors = invitation_errors(
        name="  ", organisation="", capacity=0, expertise=["nope"], hubs=["XX"]
    )
    assert [e.field for e in errors] == ["name", "capacity", "expertise", "hubs"]
    assert errors[0].message == "must not be empty"
    assert errors[1].message == "must be between 1 and 1000"
    assert errors[2].message.startswith("unknown: nope; known: ")
    assert [
        e.field
        for e in invitation_errors(name="A", organisation="", capacity=1001, expertise=[], hubs=[])
    ] == ["capacity"]


def test_a_filter_names_each_unknown_code_once_sorted() -> None:
    [error] = code_errors({"hub": ["ZZ", "YY", "ZZ"]})
    assert error.field == "hub" and error.message.startswith("unknown: YY, ZZ; known: ")
    assert code_errors({"expertise": [], "hub": []}) == []


def test_evaluators_are_assigned_once_the_call_has_closed_and_repaired_during_evaluation() -> None:
    assert assign_refusal(CallStatus.CLOSED) is None
    assert assign_refusal(CallStatus.IN_EVALUATION) is None
    for status in (CallStatus.DRAFT, CallStatus.PUBLISHED):
        assert assign_refusal(status) == "Evaluators are assigned once the call has closed."
    assert assign_refusal(CallStatus.RESULTS_PUBLISHED) == (
        "The results of this call are published: its evaluation is closed."
    )
    assert repair_refusal(CallStatus.IN_EVALUATION) is None
    assert repair_refusal(CallStatus.CLOSED) == (
        "Nothing is assigned yet: assign evaluators once the call has closed."
    )
    assert published_refusal(False) is None
    assert published_refusal(True) == (
        "The results of this call are published: its evaluation is closed."
    )
    assert dropped_reason(conflicted=True) == "conflict declared"
    assert dropped_reason(conflicted=False) == "evaluator removed"


def test_a_moderators_score_is_a_score_and_needs_twenty_characters_of_reason() -> None:
    assert consensus_errors(RUBRIC, "impact", 3.5, "x" * 20) == []
    [short] = consensus_errors(RUBRIC, "impact", 3.5, "  " + "x" * 19 + "  ")
    assert (short.field, short.message) == (
        "justification",
        "explain the decision in at least 20 characters",
    )
    fields = [e.field for e in consensus_errors(RUBRIC, "impact", 5.2, "")]
    assert fields == ["scores.impact", "justification"]
    assert [e.field for e in consensus_errors(RUBRIC, "reach", 3, "y" * 20)] == ["scores.reach"]
    [long] = consensus_errors(RUBRIC, "impact", 3.5, "z" * 10_001)
    assert (long.field, long.message) == ("justification", "must be at most 10,000 characters")


def test_a_submitted_evaluation_is_locked() -> None:
    assert save_refusal(None) is None and save_refusal(EvaluationStatus.DRAFT) is None
    assert save_refusal(EvaluationStatus.SUBMITTED) == "A submitted evaluation is locked."
    assert submit_refusal(None) is None and submit_refusal(EvaluationStatus.DRAFT) is None
    assert submit_refusal(EvaluationStatus.SUBMITTED) == "This evaluation is already submitted."


def test_results_wait_for_every_eligibility_check_then_for_every_consensus() -> None:
    assert publish_refusal(unchecked=0, ranked=3, pending=0) is None
    assert publish_refusal(unchecked=2, ranked=0, pending=0) == (
        "2 applications still await the eligibility check; every applicant needs an outcome."
    )
    assert publish_refusal(unchecked=1, ranked=3, pending=3) == publish_refusal(
        unchecked=1, ranked=0, pending=0
    )  # the eligibility check is named first
    assert publish_refusal(unchecked=0, ranked=3, pending=1) == (
        "1 application still lacks a consensus; finish evaluation and moderation first."
    )
    assert publish_refusal(unchecked=0, ranked=0, pending=0) == (
        "No application of this call is ranked, so there are no results to publish yet."
    )


def test_every_decision_is_counted_even_when_none_got_it() -> None:
    counts = decision_counts([Decision.SELECTED, Decision.RESERVE, Decision.SELECTED])
    assert counts[Decision.SELECTED] == 2 and counts[Decision.RESERVE] == 1
    assert counts[Decision.NOT_SELECTED] == 0 and set(counts) == set(Decision)


def test_an_invitation_refuses_a_name_or_organisation_longer_than_the_columns() -> None:
    """Found probing: a 100,000-character organisation was a 500 at the database."""
    errors = invitation_errors(
        name="A" * 201, organisation="O" * 100_000, capacity=1, expertise=[], hubs=[]
    )
    assert [(e.field, e.message) for e in errors] == [
        ("name", "must be at most 200 characters"),
        ("organisation", "must be at most 200 characters"),
    ]
    assert invitation_errors(name="A" * 200, organisation="O" * 200, capacity=1, expertise=[],
                             hubs=[]) == []  # fmt: skip


def ranked_as(
    decision: Decision, rank: int | None = None, failed: list[str] | None = None
) -> Ranked:
    return Ranked(
        application_id="a", rank=rank, decision=decision, weighted_total=None, total=None,
        scores={}, thresholds_failed=failed or [], tie_break="earlier submission",
        explanation="rank 2, weighted total 4; reserve: requests €50,000; only €10 left;"
        " Impact settled by moderator: the second evaluator misread the budget",
    )  # fmt: skip


@pytest.mark.parametrize(("ranked", "told"), [
    (ranked_as(Decision.SELECTED, 1), "Selected for funding, at rank 1."),
    (ranked_as(Decision.RESERVE, 7), "On the reserve list, at rank 7: the budget went to the"
                                     " applications ranked above it."),
    (ranked_as(Decision.INELIGIBLE), "Not eligible for this call, so it was not evaluated."),
    (ranked_as(Decision.NOT_SELECTED, failed=["impact", "overall"]),
     "Not selected: below the threshold on Impact, the overall total."),
])  # fmt: skip
def test_an_applicant_is_told_the_outcome_not_the_teams_explanation(
    ranked: Ranked, told: str
) -> None:
    rubric = Rubric(criteria=[Criterion(key="impact", labels={"en": "Impact"})])
    assert applicant_summary(rubric, ranked) == told
