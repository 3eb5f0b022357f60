"""Scores, consensus and ranking: thresholds, weights, ties, budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.review.domain.scoring import (
    Consensus,
    Decision,
    RankInput,
    consensus,
    rank_call,
    score_errors,
)
from shared.api.registry import Criterion, Rubric

RUBRIC = Rubric(
    criteria=[
        Criterion(key=k, labels={"en": k}) for k in ("excellence", "impact", "implementation")
    ]
)
WEIGHTED = Rubric(criteria=[Criterion(key="excellence", labels={"en": "E"}, weight=2),
                            Criterion(key="impact", labels={"en": "I"}),
                            Criterion(key="implementation", labels={"en": "M"})])  # fmt: skip
COMMENT = "A careful and specific comment."
T0 = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("score", "ok"), [(0, True), (5, True), (3.5, True), (3.25, False), (-0.5, False), (5.5, False)]
)
def test_scores_are_0_to_5_in_half_points(score: float, ok: bool) -> None:
    errors = score_errors(RUBRIC, {"impact": score}, {}, strict=False)
    assert (errors == []) is ok


def test_submitting_needs_every_score_and_real_comments() -> None:
    errors = {
        e.field: e.message
        for e in score_errors(RUBRIC, {"impact": 4}, {"impact": "ok"}, strict=True)
    }
    assert errors["scores.excellence"] == "is required"
    assert "at least 20" in errors["comments.impact"]
    assert "scores.impact" not in errors
    unknown = score_errors(RUBRIC, {"beauty": 5}, {}, strict=False)
    assert unknown[0].field == "scores.beauty"


def test_consensus_is_the_median_once_all_are_in() -> None:
    three = [{"excellence": 3, "impact": 4, "implementation": 4},
             {"excellence": 4, "impact": 4, "implementation": 3},
             {"excellence": 4, "impact": 5, "implementation": 4}]  # fmt: skip
    c = consensus(RUBRIC, three, expected=3, moderated={})
    assert c.complete and c.scores == {"excellence": 4, "impact": 4, "implementation": 4}
    partial = consensus(RUBRIC, three[:2], expected=3, moderated={})
    assert not partial.complete and partial.scores == {}


def test_a_disagreement_of_two_points_needs_the_moderator() -> None:
    split = [{"excellence": 1, "impact": 4, "implementation": 4},
             {"excellence": 3, "impact": 4, "implementation": 4.5}]  # fmt: skip
    c = consensus(RUBRIC, split, expected=2, moderated={})
    assert c.flagged == ["excellence"] and not c.complete
    settled = consensus(RUBRIC, split, expected=2, moderated={"excellence": 2.5})
    assert settled.complete and settled.flagged == [] and settled.scores["excellence"] == 2.5


def item(app: str, scores: dict[str, float], *, requested: float = 100, minutes: int = 0,
         eligible: bool = True) -> RankInput:  # fmt: skip
    return RankInput(application_id=app, eligible=eligible,
                     consensus=Consensus(scores=scores, flagged=[], complete=True),
                     requested=requested, submitted_at=T0 + timedelta(minutes=minutes))  # fmt: skip


def s(e: float, i: float, m: float) -> dict[str, float]:
    return {"excellence": e, "impact": i, "implementation": m}


def test_ranking_orders_by_weighted_total_and_explains_ties() -> None:
    ranked = rank_call(WEIGHTED, 10_000, [
        item("low", s(3, 4, 4)),            # weighted 14
        item("high", s(5, 4, 4)),           # weighted 18
        item("tie-late", s(4, 4, 5), minutes=9),   # weighted 17
        item("tie-impact", s(4, 5, 4)),     # weighted 17, wins on impact? no: excellence equal, impact 5 > 4
        item("tie-early", s(4, 4, 5), minutes=1),  # weighted 17, same scores as tie-late, earlier
    ])  # fmt: skip
    order = [r.application_id for r in ranked]
    assert order == ["high", "tie-impact", "tie-early", "tie-late", "low"]
    by_id = {r.application_id: r for r in ranked}
    assert by_id["tie-impact"].tie_break == "impact score"
    assert by_id["tie-late"].tie_break == "earlier submission"
    assert by_id["high"].tie_break is None
    assert "rank 1" in by_id["high"].explanation


def test_thresholds_use_unweighted_scores() -> None:
    ranked = {r.application_id: r for r in rank_call(WEIGHTED, 10_000, [
        item("weak-criterion", s(5, 2.5, 5)),   # impact below 3
        item("weak-total", s(3, 3, 3.5)),        # 9.5 < 10
        item("fine", s(3, 3.5, 3.5)),            # 10
    ])}  # fmt: skip
    assert ranked["weak-criterion"].decision is Decision.NOT_SELECTED
    assert ranked["weak-criterion"].thresholds_failed == ["impact"]
    assert ranked["weak-total"].thresholds_failed == ["overall"]
    assert ranked["fine"].decision is Decision.SELECTED and ranked["fine"].rank == 1


def test_budget_selects_then_reserves() -> None:
    ranked = rank_call(
        RUBRIC, 250, [item(f"a{i}", s(5 - i * 0.5, 4, 4), requested=100) for i in range(4)]
    )
    assert [r.decision for r in ranked] == [
        Decision.SELECTED,
        Decision.SELECTED,
        Decision.RESERVE,
        Decision.RESERVE,
    ]
    assert "250" in ranked[0].explanation


def test_ineligible_and_incomplete_are_not_ranked() -> None:
    pending = RankInput(application_id="p", eligible=True, requested=1, submitted_at=T0,
                        consensus=Consensus(scores={}, flagged=["impact"], complete=False))  # fmt: skip
    ranked = {
        r.application_id: r
        for r in rank_call(RUBRIC, 1000, [item("x", s(5, 5, 5), eligible=False), pending])
    }
    assert ranked["x"].decision is Decision.INELIGIBLE and ranked["x"].rank is None
    assert ranked["p"].decision is Decision.PENDING and "impact" in ranked["p"].explanation
