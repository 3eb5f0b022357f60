"""The scoring rules pinned at their edges: each test kills a mutant the broader tests let live
(the ranking loop, missing criteria, the budget line, flags, strict sheets, tie-break labels)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.review.domain.scoring import (
    DISAGREEMENT,
    MIN_COMMENT,
    Consensus,
    Decision,
    RankInput,
    consensus,
    rank_call,
    score_errors,
)
from shared.api.registry import Criterion, Rubric

KEYS = ("excellence", "impact", "implementation")
RUBRIC = Rubric(criteria=[Criterion(key=k, labels={"en": k}) for k in KEYS])
T0 = datetime(2027, 1, 1, tzinfo=UTC)


def s(e: float, i: float, m: float) -> dict[str, float]:
    return dict(zip(KEYS, (e, i, m), strict=True))


def ranked_item(app: str, scores: dict[str, float], *, requested: float = 100,
                minutes: int = 0) -> RankInput:  # fmt: skip
    return RankInput(application_id=app, eligible=True, requested=requested,
                     consensus=Consensus(scores=scores, flagged=[], complete=True),
                     submitted_at=T0 + timedelta(minutes=minutes))  # fmt: skip


def test_the_module_constants_are_the_published_rules() -> None:
    assert (MIN_COMMENT, DISAGREEMENT) == (20, 2.0)


def test_a_complete_well_commented_sheet_passes_strict_mode() -> None:
    scores = s(0, 2.5, 5)
    exactly = {k: "x" * MIN_COMMENT for k in KEYS}
    assert score_errors(RUBRIC, scores, exactly, strict=True) == []
    # Blanks around a comment do not count towards its length.
    padded = {**exactly, "impact": "  " + "x" * (MIN_COMMENT - 1) + "  "}
    [error] = score_errors(RUBRIC, scores, padded, strict=True)
    assert (error.field, error.message) == ("comments.impact", "write at least 20 characters")


def test_a_draft_sheet_may_be_incomplete_but_not_off_the_scale() -> None:
    assert score_errors(RUBRIC, {"impact": 4}, {}, strict=False) == []
    [error] = score_errors(RUBRIC, {"impact": 4.5, "excellence": 7}, {}, strict=False)
    assert (error.field, error.message) == ("scores.excellence", "must be 0 to 5 in half points")
    [unknown] = score_errors(RUBRIC, {}, {"beauty": "x" * MIN_COMMENT}, strict=False)
    assert (unknown.field, unknown.message) == (
        "comments.beauty",
        "is not a criterion of this call",
    )


def test_an_evaluation_missing_a_criterion_makes_no_consensus_on_it() -> None:
    sheets = [s(4, 4, 4), s(4, 4, 4), {"excellence": 4, "impact": 4}]
    c = consensus(RUBRIC, sheets, assigned=3, moderated={}, needed=3)
    assert not c.complete and c.scores == {"excellence": 4, "impact": 4} and c.flagged == []


def test_every_disagreeing_criterion_is_flagged_and_the_rest_still_count() -> None:
    apart = [s(1, 1, 4), s(1 + DISAGREEMENT, 3, 4)]
    c = consensus(RUBRIC, apart, assigned=2, moderated={}, needed=2)
    assert c.flagged == ["excellence", "impact"] and c.scores == {"implementation": 4}
    # Just under DISAGREEMENT points apart is an agreement: the median counts.
    close = consensus(RUBRIC, [s(1, 1, 4), s(2.5, 1, 4)], assigned=2, moderated={}, needed=2)
    assert close.flagged == [] and close.complete and close.scores["excellence"] == 1.75


@pytest.mark.parametrize(
    "blocker",
    [
        RankInput(application_id="a-pending", eligible=True, requested=1, submitted_at=T0,
                  consensus=Consensus(scores={}, flagged=[], complete=False)),
        RankInput(application_id="a-ineligible", eligible=False, requested=1, submitted_at=T0,
                  consensus=Consensus(scores=s(5, 5, 5), flagged=[], complete=True)),
        ranked_item("a-below", s(1, 1, 1)),
    ],
)  # fmt: skip
def test_an_unranked_application_never_drops_the_ones_after_it(blocker: RankInput) -> None:
    ranked = rank_call(RUBRIC, 1000, [blocker, ranked_item("b", s(4, 4, 4)),
                                      ranked_item("c", s(3, 4, 4))])  # fmt: skip
    assert [(r.application_id, r.rank) for r in ranked] == [
        ("b", 1),
        ("c", 2),
        (blocker.application_id, None),
    ]


def test_a_request_that_uses_exactly_the_remaining_budget_is_selected() -> None:
    ranked = rank_call(RUBRIC, 100, [ranked_item("first", s(5, 5, 5), requested=60),
                                     ranked_item("second", s(4, 4, 4), requested=40),
                                     ranked_item("third", s(3.5, 3.5, 3.5), requested=0.01)])  # fmt: skip
    assert [r.decision for r in ranked] == [Decision.SELECTED, Decision.SELECTED, Decision.RESERVE]
    assert ranked[1].explanation.endswith("selected: €100 of €100 committed")
    assert ranked[2].explanation.endswith(
        "reserve: requests €0.01; only €0 left after higher ranks"
    )


def test_both_sides_of_a_tie_say_what_broke_it() -> None:
    ranked = rank_call(RUBRIC, 1000, [ranked_item("loser", s(4, 3, 4)),
                                      ranked_item("winner", s(4, 4, 3))])  # fmt: skip
    assert [(r.application_id, r.tie_break) for r in ranked] == [
        ("winner", "impact score"),
        ("loser", "impact score"),
    ]
    assert ranked[0].explanation.startswith("rank 1, weighted total 11, tie broken by impact")


def test_only_a_neighbour_with_the_same_total_is_a_tie() -> None:
    [alone] = rank_call(RUBRIC, 1000, [ranked_item("alone", s(4, 4, 4))])
    assert alone.tie_break is None and alone.explanation.startswith("rank 1, weighted total 12;")
    # The first and the last are never each other's neighbour, however the list wraps.
    three = rank_call(RUBRIC, 1000, [ranked_item("top", s(5, 5, 5)), ranked_item("mid", s(4, 4, 4)),
                                     ranked_item("low", s(3, 4, 4))])  # fmt: skip
    assert [r.tie_break for r in three] == [None, None, None]


def test_a_later_tie_is_broken_by_the_earlier_submission() -> None:
    ranked = rank_call(RUBRIC, 1000, [ranked_item("top", s(5, 5, 5)),
                                      ranked_item("late", s(4, 4, 4), minutes=5),
                                      ranked_item("early", s(4, 4, 4), minutes=1)])  # fmt: skip
    assert [(r.application_id, r.tie_break) for r in ranked] == [
        ("top", None),
        ("early", "earlier submission"),
        ("late", "earlier submission"),
    ]
