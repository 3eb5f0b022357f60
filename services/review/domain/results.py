"""When a call's results may be published (every applicant needs an outcome), and what an
applicant is told of theirs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from services.review.domain.scoring import Ranked, criterion_names
from shared.api.registry import Rubric
from shared.api.review import Decision


def publish_refusal(*, unchecked: int, ranked: int, pending: int) -> str | None:
    """Why the results may not be published yet (None: they may). `unchecked`: applications
    still awaiting intake's eligibility verdict (not ranked at all, so without an outcome);
    `ranked`: the ranking's lines; `pending`: lines still lacking a consensus."""
    if unchecked:
        waiting = (
            "1 application still awaits"
            if unchecked == 1
            else f"{unchecked} applications still await"
        )
        return f"{waiting} the eligibility check; every applicant needs an outcome."
    if not ranked:  # an open call, or one nobody applied to (found probing: "0 ... lack")
        return "No application of this call is ranked, so there are no results to publish yet."
    if pending:
        lacking = (
            "1 application still lacks" if pending == 1 else f"{pending} applications still lack"
        )
        return f"{lacking} a consensus; finish evaluation and moderation first."
    return None


def decision_counts(decisions: Iterable[Decision]) -> dict[Decision, int]:
    """How many applications got each decision (zero for the ones none got)."""
    counts = Counter(decisions)
    return {decision: counts[decision] for decision in Decision}


def applicant_summary(rubric: Rubric, ranked: Ranked) -> str:
    """An outcome in the applicant's words: the decision, the rank and the thresholds their
    consensus missed. Never the ranking's own explanation, which is the team's: the budget
    left, a tie with another application, a moderator's notes."""
    if ranked.decision is Decision.SELECTED:
        return f"Selected for funding, at rank {ranked.rank}."
    if ranked.decision is Decision.RESERVE:
        return (f"On the reserve list, at rank {ranked.rank}: the budget went to the applications"
                " ranked above it.")  # fmt: skip
    if ranked.decision is Decision.INELIGIBLE:
        return "Not eligible for this call, so it was not evaluated."
    if missed := criterion_names(rubric, ranked.thresholds_failed):
        return f"Not selected: below the threshold on {', '.join(missed)}."
    return "Not selected."
