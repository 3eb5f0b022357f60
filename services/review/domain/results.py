"""When a call's results may be published: every applicant needs an outcome."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

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
