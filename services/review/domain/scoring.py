"""Scores, consensus and the ranking of a call (modelled on EU evaluation practice).

Thresholds apply to the unweighted consensus scores; weights only order the ranking. A
missing score is never counted as zero: an application without a complete consensus is not
ranked. Ties are broken by the criteria in rubric order, then by earlier submission.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import datetime

import msgspec

from shared.api.registry import Rubric
from shared.api.review import Decision, EvaluationStatus
from shared.errors import FieldError, euros, too_long

MIN_COMMENT = 20
COMMENT_MAX = 10_000  # a page and more for one criterion
MIN_JUSTIFICATION = 20
DISAGREEMENT = 2.0


def score_errors(
    rubric: Rubric, scores: dict[str, float], comments: dict[str, str], *, strict: bool
) -> list[FieldError]:
    errors = too_long({f"comments.{key}": text for key, text in comments.items()}, COMMENT_MAX)
    keys = {c.key for c in rubric.criteria}
    for key in sorted(set(scores) | set(comments)):
        if key not in keys:
            field = "scores" if key in scores else "comments"
            errors.append(FieldError(f"{field}.{key}", "is not a criterion of this call"))
    for c in rubric.criteria:
        score = scores.get(c.key)
        if score is not None and not (0 <= score <= 5 and float(score * 2).is_integer()):
            errors.append(FieldError(f"scores.{c.key}", "must be 0 to 5 in half points"))
        comment = comments.get(c.key, "").strip()
        if strict and score is None:
            errors.append(FieldError(f"scores.{c.key}", "is required"))
        if strict and len(comment) < MIN_COMMENT:
            errors.append(
                FieldError(f"comments.{c.key}", f"write at least {MIN_COMMENT} characters")
            )
    return errors


def consensus_errors(
    rubric: Rubric, criterion: str, score: float, justification: str
) -> list[FieldError]:
    """A moderator's score is a score like any other, and needs a reason: as long as an
    evaluator's comment at most (it goes into the ranking's explanation and its CSV)."""
    errors = score_errors(rubric, {criterion: score}, {}, strict=False)
    errors += too_long({"justification": justification}, COMMENT_MAX)
    if len(justification.strip()) < MIN_JUSTIFICATION:
        errors.append(FieldError(
            "justification", f"explain the decision in at least {MIN_JUSTIFICATION} characters"
        ))  # fmt: skip
    return errors


def save_refusal(status: EvaluationStatus | None) -> str | None:
    """A draft may change until it is submitted (`status` None: nothing saved yet)."""
    return "A submitted evaluation is locked." if status is EvaluationStatus.SUBMITTED else None


def submit_refusal(status: EvaluationStatus | None) -> str | None:
    if status is EvaluationStatus.SUBMITTED:
        return "This evaluation is already submitted."
    return None


class Consensus(msgspec.Struct, frozen=True, kw_only=True):
    scores: dict[str, float]  # complete only when every criterion has one
    flagged: list[str]  # criteria whose scores differ by DISAGREEMENT or more, unresolved
    complete: bool
    missing: str = ""  # evaluations still to come, said for the ranking's explanation
    settled: dict[str, str] = {}  # criterion: the moderator's justification, where it counts


class Settlement(msgspec.Struct, frozen=True):
    """A moderator's consensus score for one criterion, and why."""

    score: float
    justification: str


class CriterionSummary(msgspec.Struct, frozen=True):
    """A criterion's submitted scores, reduced (the database can do this for a whole call)."""

    median: float
    low: float
    high: float
    count: int


def summarise(values: list[float]) -> CriterionSummary:
    return CriterionSummary(float(statistics.median(values)), min(values), max(values), len(values))


def missing_evaluations(needed: int, assigned: int, submitted: int) -> str:
    """What keeps a consensus from being taken ("" when nothing does): every assigned
    evaluation, and never fewer than the call's `needed` (k), or a short pool would rank an
    application on fewer opinions than the call promises."""
    if assigned < needed:
        return f"short of evaluators: {assigned} of {needed} assigned, {submitted} submitted"
    if submitted < assigned:
        return f"awaiting evaluations: {submitted} of {assigned} submitted"
    return ""


def consensus_from(
    rubric: Rubric,
    assigned: int,
    submitted: int,
    summaries: dict[str, CriterionSummary],
    moderated: dict[str, Settlement],
    *,
    needed: int,
) -> Consensus:
    """Median per criterion once all `assigned` evaluations, and at least `needed`, are in;
    a disagreement of DISAGREEMENT points or more is flagged; a moderator's score replaces a
    criterion's median (and resolves its flag). Nothing counts before all are in, a moderated
    score neither: an evaluator added later (a repair) may change the picture the moderator
    settled."""
    scores: dict[str, float] = {}
    flagged: list[str] = []
    missing = missing_evaluations(max(needed, 1), assigned, submitted)
    if missing:
        return Consensus(scores=scores, flagged=flagged, complete=False, missing=missing)
    for c in rubric.criteria:
        if c.key in moderated:
            scores[c.key] = moderated[c.key].score
            continue
        summary = summaries.get(c.key)
        if summary is None or summary.count < submitted:
            continue
        if summary.high - summary.low >= DISAGREEMENT:
            flagged.append(c.key)
            continue
        scores[c.key] = summary.median
    complete = all(c.key in scores for c in rubric.criteria)
    settled = {c.key: moderated[c.key].justification for c in rubric.criteria if c.key in moderated}
    return Consensus(scores=scores, flagged=flagged, complete=complete, settled=settled)


def moderation_refusal(
    rubric: Rubric,
    assigned: int,
    submitted: int,
    summaries: dict[str, CriterionSummary],
    criterion: str,
    *,
    needed: int,
) -> str | None:
    """Why a moderator may not settle `criterion` (None when they may): only once every
    evaluation is in, and only where the evaluators disagree."""
    agreed = consensus_from(rubric, assigned, submitted, summaries, {}, needed=needed)
    if agreed.missing:
        return f"Not yet, {agreed.missing}: the moderator settles a criterion once all are in."
    if criterion not in agreed.flagged:
        return (f"The evaluators do not disagree on {criterion} (by {DISAGREEMENT:g} points or "
                "more); its consensus is their median.")  # fmt: skip
    return None


def consensus(
    rubric: Rubric,
    submitted: list[dict[str, float]],
    assigned: int,
    moderated: dict[str, Settlement],
    *,
    needed: int,
) -> Consensus:
    summaries = {
        c.key: summarise(values)
        for c in rubric.criteria
        if (values := [s[c.key] for s in submitted if c.key in s])
    }
    return consensus_from(rubric, assigned, len(submitted), summaries, moderated, needed=needed)


class RankInput(msgspec.Struct, frozen=True, kw_only=True):
    application_id: str
    eligible: bool
    consensus: Consensus
    requested: float
    submitted_at: datetime


class Ranked(msgspec.Struct, frozen=True, kw_only=True):
    application_id: str
    rank: int | None
    decision: Decision
    weighted_total: float | None
    total: float | None
    scores: dict[str, float]
    thresholds_failed: list[str]
    tie_break: str | None
    explanation: str


TOTAL_DECIMALS = 9


def weighted_total(rubric: Rubric, scores: dict[str, float]) -> float:
    """Rounded, so that equal totals compare equal: in floats 0.3*3.5 + 0.3*3.5 + 0.4*3 is
    3.3000000000000003 and 0.3*4 + 0.3*3 + 0.4*3 is 3.3. Half points times weights of up to
    eight decimals are exact at this precision."""
    return round(sum(c.weight * scores[c.key] for c in rubric.criteria), TOTAL_DECIMALS)


def rank_call(rubric: Rubric, budget: float, items: list[RankInput]) -> list[Ranked]:
    """The passing applications ranked and funded, then every other one with why not."""
    passing: list[RankInput] = []
    result: list[Ranked] = []
    for item in items:
        unranked = _screened(rubric, item)
        if unranked is None:
            passing.append(item)
        else:
            result.append(unranked)
    totals = {item.application_id: weighted_total(rubric, item.consensus.scores)
              for item in passing}  # fmt: skip

    def order(item: RankInput) -> tuple[object, ...]:
        s = item.consensus.scores
        return (-totals[item.application_id], *(-s[k.key] for k in rubric.criteria),
                item.submitted_at, item.application_id)  # fmt: skip

    passing.sort(key=order)
    ranked = _funded(rubric, budget, passing, totals)
    return ranked + sorted(result, key=lambda r: (r.decision.value, r.application_id))


def _screened(rubric: Rubric, item: RankInput) -> Ranked | None:
    """The line of an application that is not ranked (ineligible, pending, below a
    threshold); None when it passes."""
    c = item.consensus
    if not item.eligible:
        return _unranked(item, Decision.INELIGIBLE, [], "not eligible for this call")
    if not c.complete:
        why = [c.missing] if c.missing else []
        if c.flagged:
            why.append(f"the moderator must settle {', '.join(criterion_names(rubric, c.flagged))}")
        return _unranked(item, Decision.PENDING, [], ": ".join(
            ["consensus is not complete", *why]))  # fmt: skip
    failed = [k.key for k in rubric.criteria if c.scores[k.key] < k.threshold]
    total = sum(c.scores.values())
    if total < rubric.overall_threshold:
        failed.append("overall")
    if failed:
        return _unranked(item, Decision.NOT_SELECTED, failed, "below threshold: "
                         + ", ".join(criterion_names(rubric, failed)) + _settlements(rubric, c))  # fmt: skip
    return None


def _funded(
    rubric: Rubric, budget: float, passing: list[RankInput], totals: dict[str, float]
) -> list[Ranked]:
    """Funding follows the rank strictly (EU practice): the first application the remaining
    budget cannot cover and every one after it go to the reserve list, even a cheaper one
    that would fit; a lower rank is never funded ahead of a higher one."""
    spent = 0.0
    stopped_at: int | None = None
    ranked: list[Ranked] = []
    for position, item in enumerate(passing, start=1):
        if stopped_at is None and spent + item.requested <= budget:
            spent += item.requested
            funding = f"selected: {euros(spent)} of {euros(budget)} committed"
        elif stopped_at is None:
            stopped_at = position
            funding = (f"reserve: requests {euros(item.requested)}; only "
                       f"{euros(budget - spent)} left after higher ranks")  # fmt: skip
        else:
            funding = ("reserve: funding stops at the first application the budget cannot "
                       f"cover (rank {stopped_at})")  # fmt: skip
        tie = _tie_break(rubric, passing, totals, position - 1)
        s = item.consensus.scores
        total = totals[item.application_id]
        ranked.append(Ranked(
            application_id=item.application_id, rank=position,
            decision=Decision.SELECTED if stopped_at is None else Decision.RESERVE,
            weighted_total=total, total=sum(s.values()), scores=s,
            thresholds_failed=[], tie_break=tie,
            explanation=f"rank {position}, weighted total {total:g}"
            + (f", tie broken by {tie}" if tie else "") + f"; {funding}"
            + _settlements(rubric, item.consensus),
        ))  # fmt: skip
    return ranked


def criterion_names(rubric: Rubric, keys: Iterable[str]) -> list[str]:
    """Criteria as the team reads them (the English label), the overall total as words."""
    labels = {c.key: c.labels.get("en") or c.key for c in rubric.criteria}
    return [labels.get(key, "the overall total" if key == "overall" else key) for key in keys]


def _settlements(rubric: Rubric, c: Consensus) -> str:
    if not c.settled:  # most lines: no criterion to name
        return ""
    names = dict(zip(c.settled, criterion_names(rubric, c.settled), strict=True))
    return "".join(f"; {names[k]} settled by moderator: {why}" for k, why in c.settled.items())


def _unranked(item: RankInput, decision: Decision, failed: list[str], why: str) -> Ranked:
    s = item.consensus.scores
    complete = item.consensus.complete
    return Ranked(
        application_id=item.application_id, rank=None, decision=decision,
        weighted_total=None, total=sum(s.values()) if complete else None, scores=s,
        thresholds_failed=failed, tie_break=None, explanation=why,
    )  # fmt: skip


def _tie_break(
    rubric: Rubric, ordered: list[RankInput], totals: dict[str, float], index: int
) -> str | None:
    """What separated this application from a neighbour with the same weighted total."""
    item = ordered[index]
    mine = item.consensus.scores
    for other_index in (index - 1, index + 1):
        if not 0 <= other_index < len(ordered):
            continue
        neighbour = ordered[other_index]
        if totals[neighbour.application_id] != totals[item.application_id]:
            continue
        other = neighbour.consensus.scores
        for c in rubric.criteria:
            if other[c.key] != mine[c.key]:
                return f"{criterion_names(rubric, [c.key])[0]} score"
        return "earlier submission"
    return None
