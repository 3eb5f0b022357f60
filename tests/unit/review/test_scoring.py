"""Scores, consensus and ranking: thresholds, weights, ties, budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from services.review.domain.scoring import (
    Consensus,
    Decision,
    RankInput,
    Settlement,
    consensus,
    moderation_refusal,
    rank_call,
    score_errors,
    summarise,
)
from shared.api.registry import Criterion, Rubric

RUBRIC = Rubric(
    criteria=[
        Criterion(key=k, labels={"en": k}) for k in ("excellence", "impact", "implementation")
    ]
)
WEIGHTED = Rubric(criteria=[Criterion(key="excellence", labels={"en": "Excellence"}, weight=2),
                            Criterion(key="impact", labels={"en": "Impact"}),
                            Criterion(key="implementation", labels={"en": "Implementation"})])  # fmt: skip
COMMENT = "A careful and specific comment."
SETTLED = Settlement(2.5, "The panel weighed both readings of the plan.")
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
    c = consensus(RUBRIC, three, assigned=3, moderated={}, needed=3)
    assert c.complete and c.scores == {"excellence": 4, "impact": 4, "implementation": 4}
    partial = consensus(RUBRIC, three[:2], assigned=3, moderated={}, needed=3)
    assert not partial.complete and partial.scores == {}
    assert partial.missing == "awaiting evaluations: 2 of 3 submitted"


def test_an_application_short_of_evaluators_has_no_consensus() -> None:
    # The pool could give it only two of the call's three: both in is not enough.
    two = [{"excellence": 4, "impact": 4, "implementation": 4}] * 2
    short = consensus(RUBRIC, two, assigned=2, moderated={}, needed=3)
    assert not short.complete and short.scores == {}
    assert short.missing == "short of evaluators: 2 of 3 assigned, 2 submitted"
    [ranked] = rank_call(RUBRIC, 1000, [RankInput(application_id="short", eligible=True,
                                                  consensus=short, requested=1, submitted_at=T0)])  # fmt: skip
    assert (ranked.decision, ranked.rank) == (Decision.PENDING, None)
    assert ranked.explanation == (
        "consensus is not complete: short of evaluators: 2 of 3 assigned, 2 submitted"
    )
    refusal = moderation_refusal(RUBRIC, 2, 2, {}, "impact", needed=3)
    assert refusal is not None and "short of evaluators: 2 of 3 assigned" in refusal


def test_a_disagreement_of_two_points_needs_the_moderator() -> None:
    split = [{"excellence": 1, "impact": 4, "implementation": 4},
             {"excellence": 3, "impact": 4, "implementation": 4.5}]  # fmt: skip
    c = consensus(RUBRIC, split, assigned=2, moderated={}, needed=2)
    assert c.flagged == ["excellence"] and not c.complete
    settled = consensus(RUBRIC, split, assigned=2, moderated={"excellence": SETTLED}, needed=2)
    assert settled.complete and settled.flagged == [] and settled.scores["excellence"] == 2.5
    assert settled.settled == {"excellence": SETTLED.justification}


def test_the_explanation_says_which_criterion_the_moderator_settled_and_why() -> None:
    split = [{"excellence": 1, "impact": 4, "implementation": 4},
             {"excellence": 3, "impact": 4, "implementation": 4.5}]  # fmt: skip
    low = [{"excellence": 1, "impact": 2.5, "implementation": 4},
           {"excellence": 3, "impact": 2.5, "implementation": 4.5}]  # fmt: skip
    settled = msgspec.structs.replace(SETTLED, score=3.5)
    items = [
        RankInput(application_id=app, eligible=True, requested=10, submitted_at=T0,
                  consensus=consensus(RUBRIC, given, assigned=2, needed=2,
                                      moderated={"excellence": settled}))
        for app, given in (("ranked", split), ("below", low))
    ]  # fmt: skip
    ranked = {r.application_id: r for r in rank_call(RUBRIC, 1000, items)}
    why = "excellence settled by moderator: The panel weighed both readings of the plan."
    assert ranked["ranked"].rank == 1
    assert ranked["ranked"].explanation == (
        f"rank 1, weighted total 11.75; selected: €10 of €1,000 committed; {why}"
    )
    assert ranked["below"].decision is Decision.NOT_SELECTED
    assert ranked["below"].explanation == f"below threshold: impact; {why}"


def test_a_moderated_score_counts_only_once_all_evaluations_are_in() -> None:
    # A repair added a third evaluator after the moderator settled excellence.
    split = [{"excellence": 1, "impact": 4, "implementation": 4},
             {"excellence": 3, "impact": 4, "implementation": 4.5}]  # fmt: skip
    waiting = consensus(RUBRIC, split, assigned=3, moderated={"excellence": SETTLED}, needed=2)
    assert waiting == Consensus(
        scores={}, flagged=[], complete=False, missing="awaiting evaluations: 2 of 3 submitted"
    )


def test_the_moderator_settles_only_a_disagreement_once_all_are_in() -> None:
    summaries = {"excellence": summarise([1, 3]), "impact": summarise([4, 4]),
                 "implementation": summarise([4, 4.5])}  # fmt: skip
    assert moderation_refusal(RUBRIC, 2, 2, summaries, "excellence", needed=2) is None
    agreed = moderation_refusal(RUBRIC, 2, 2, summaries, "impact", needed=2)
    assert agreed is not None and "do not disagree on impact" in agreed
    early = moderation_refusal(RUBRIC, 3, 2, summaries, "excellence", needed=2)
    assert early is not None and "2 of 3 submitted" in early
    none = moderation_refusal(RUBRIC, 0, 0, {}, "excellence", needed=2)
    assert none is not None and "0 of 2 assigned" in none


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
    assert by_id["tie-impact"].tie_break == "Impact score"
    assert by_id["tie-late"].tie_break == "earlier submission"
    assert by_id["high"].tie_break is None
    assert "rank 1" in by_id["high"].explanation


def test_equal_weighted_totals_tie_despite_float_rounding() -> None:
    weights = Rubric(criteria=[Criterion(key=k, labels={"en": k}, weight=w) for k, w in
                               (("excellence", 0.3), ("impact", 0.3), ("implementation", 0.4))])  # fmt: skip
    # In floats (3.5, 3.5, 3) weighs 3.3000000000000003 and (4, 3, 3) weighs 3.3.
    ranked = rank_call(weights, 10_000, [item("halves", s(3.5, 3.5, 3)), item("fours", s(4, 3, 3))])
    assert [r.application_id for r in ranked] == ["fours", "halves"]
    assert [r.weighted_total for r in ranked] == [3.3, 3.3]
    assert ranked[1].tie_break == "excellence score"
    assert "tie broken by excellence score" in ranked[1].explanation


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


def test_funding_stops_at_the_first_rank_the_budget_cannot_cover() -> None:
    ranked = rank_call(RUBRIC, 100, [item("first", s(5, 5, 5), requested=60),
                                     item("second", s(4.5, 4.5, 4.5), requested=50),
                                     item("third", s(4, 4, 4), requested=30)])  # fmt: skip
    assert [(r.application_id, r.decision) for r in ranked] == [
        ("first", Decision.SELECTED),
        ("second", Decision.RESERVE),
        ("third", Decision.RESERVE),  # 30 would fit the 40 left, but ranks are not skipped
    ]
    assert ranked[0].explanation.endswith("selected: €60 of €100 committed")
    assert ranked[1].explanation.endswith("reserve: requests €50; only €40 left after higher ranks")
    assert ranked[2].explanation.endswith(
        "reserve: funding stops at the first application the budget cannot cover (rank 2)"
    )


def test_ineligible_and_incomplete_are_not_ranked() -> None:
    pending = RankInput(application_id="p", eligible=True, requested=1, submitted_at=T0,
                        consensus=Consensus(scores={}, flagged=["impact"], complete=False))  # fmt: skip
    ranked = {
        r.application_id: r
        for r in rank_call(RUBRIC, 1000, [item("x", s(5, 5, 5), eligible=False), pending])
    }
    assert ranked["x"].decision is Decision.INELIGIBLE and ranked["x"].rank is None
    assert ranked["p"].decision is Decision.PENDING and "impact" in ranked["p"].explanation


def test_a_comment_has_a_bound_and_an_unknown_comment_is_named_as_one() -> None:
    """Found probing: 5 MB comments were kept; comments.zzz was reported as scores.zzz."""
    errors = score_errors(RUBRIC, {}, {"impact": "x" * 10_001, "zzz": "x"}, strict=False)
    assert [(e.field, e.message) for e in errors] == [
        ("comments.impact", "must be at most 10,000 characters"),
        ("comments.zzz", "is not a criterion of this call"),
    ]
    assert score_errors(RUBRIC, {}, {"impact": "x" * 10_000}, strict=False) == []
