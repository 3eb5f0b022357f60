"""Review's rules read in full: the pool's refusals, the ranking's lines and its CSV columns."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from services.review.domain.pools import pool_member_errors, refused
from services.review.domain.ranking_table import ranking_csv
from services.review.domain.scoring import (
    Consensus,
    Decision,
    Ranked,
    RankInput,
    Settlement,
    consensus,
    moderation_refusal,
    rank_call,
    summarise,
)
from shared.api.registry import Criterion, Rubric

KEYS = ("excellence", "impact", "implementation")
RUBRIC = Rubric(criteria=[Criterion(key=k, labels={"en": k}) for k in KEYS])
T0 = datetime(2027, 1, 1, tzinfo=UTC)
WHY = "The panel weighed both readings."


def test_a_pool_member_needs_a_capacity_of_one_and_at_least_their_load() -> None:
    assert pool_member_errors(known=True, active=True, capacity=1, load=1) == []
    removed = pool_member_errors(known=True, active=False, capacity=0, load=2)
    assert [(e.field, e.message) for e in removed] == [
        ("accountId", "was removed from the programme; invite them again"),
        ("capacity", "must be between 1 and 1000"),
    ]
    [below] = pool_member_errors(known=True, active=True, capacity=2, load=3)
    assert below.field == "capacity"
    assert below.message == "must be at least 3: the assignments they already hold in this call"


def test_a_refused_move_names_the_target_and_says_why() -> None:
    error = refused("They are at capacity.")
    assert str(error) == "They are at capacity." and error.errors[0].field == "toEvaluator"


def test_one_evaluation_is_a_consensus_when_the_call_asks_for_one() -> None:
    c = consensus(RUBRIC, [{k: 4 for k in KEYS}], assigned=1, moderated={}, needed=1)
    assert c.complete and c.missing == ""


def test_every_settled_criterion_counts_and_the_rest_still_take_their_median() -> None:
    apart = [{"excellence": 1, "impact": 1, "implementation": 4},
             {"excellence": 3, "impact": 3, "implementation": 4}]  # fmt: skip
    settled = {"excellence": Settlement(2, WHY), "impact": Settlement(2.5, WHY)}
    c = consensus(RUBRIC, apart, assigned=2, moderated=settled, needed=2)
    assert c.complete and c.scores == {"excellence": 2, "impact": 2.5, "implementation": 4}
    summaries = {k: summarise([4, 4]) for k in KEYS}
    assert moderation_refusal(RUBRIC, 2, 2, summaries, "impact", needed=2) == (
        "The evaluators do not disagree on impact (by 2 points or more); its consensus is their "
        "median."
    )


def pending(app: str, c: Consensus, *, eligible: bool = True) -> RankInput:
    return RankInput(application_id=app, eligible=eligible, consensus=c, requested=1,
                     submitted_at=T0)  # fmt: skip


def test_unranked_lines_read_in_full() -> None:
    full = {k: 2.0 for k in KEYS}
    settled = Consensus(scores=full, flagged=[], complete=True, settled={"impact": WHY, "x": WHY})
    lines = rank_call(RUBRIC, 1000, [
        pending("a", Consensus(scores=full, flagged=[], complete=True), eligible=False),
        pending("b", Consensus(scores={"impact": 4}, flagged=["excellence", "implementation"],
                               complete=False, missing="awaiting evaluations: 1 of 2 submitted")),
        pending("c", settled),
    ])  # fmt: skip
    assert lines == [
        Ranked(application_id="a", rank=None, decision=Decision.INELIGIBLE, weighted_total=None,
               total=6.0, scores=full, thresholds_failed=[], tie_break=None,
               explanation="not eligible for this call"),
        Ranked(application_id="c", rank=None, decision=Decision.NOT_SELECTED, weighted_total=None,
               total=6.0, scores=full, thresholds_failed=[*KEYS, "overall"], tie_break=None,
               explanation="below threshold: excellence, impact, implementation, the overall total; impact "
               f"settled by moderator: {WHY}; x settled by moderator: {WHY}"),
        Ranked(application_id="b", rank=None, decision=Decision.PENDING, weighted_total=None,
               total=None, scores={"impact": 4}, thresholds_failed=[], tie_break=None,
               explanation="consensus is not complete: awaiting evaluations: 1 of 2 submitted: "
               "the moderator must settle excellence, implementation"),
    ]  # fmt: skip


def test_a_ranked_line_reads_in_full() -> None:
    scores = {"excellence": 4.0, "impact": 3.5, "implementation": 3.0}
    [line] = rank_call(RUBRIC, 1000, [pending("a", Consensus(scores=scores, flagged=[],
                                                            complete=True))])  # fmt: skip
    assert line == Ranked(
        application_id="a", rank=1, decision=Decision.SELECTED, weighted_total=10.5, total=10.5,
        scores=scores, thresholds_failed=[], tie_break=None,
        explanation="rank 1, weighted total 10.5; selected: €1 of €1,000 committed",
    )  # fmt: skip


def test_the_csv_has_its_columns_and_leaves_what_is_not_there_empty() -> None:
    ranked = Ranked(application_id="a", rank=2, decision=Decision.RESERVE, weighted_total=11.5,
                    total=11.0, scores={"impact": 4.5}, thresholds_failed=[],
                    tie_break="impact score", explanation="rank 2")  # fmt: skip
    unranked = Ranked(application_id="b", rank=None, decision=Decision.NOT_SELECTED,
                      weighted_total=None, total=None, scores={}, thresholds_failed=["impact",
                      "overall"], tie_break=None, explanation="below")  # fmt: skip
    rows = list(csv.reader(io.StringIO(ranking_csv(
        ["excellence", "impact"], [(ranked, "Org", 1000.0), (unranked, "Other", None)]))))  # fmt: skip
    assert rows == [
        ["rank", "application_id", "organisation", "decision", "weighted_total", "total",
         "excellence", "impact", "requested_amount", "thresholds_failed", "tie_break",
         "explanation"],
        ["2", "a", "Org", "reserve", "11.5", "11.0", "", "4.5", "1000.0", "", "impact score",
         "rank 2"],
        ["", "b", "Other", "not_selected", "", "", "", "", "", "impact overall", "", "below"],
    ]  # fmt: skip
