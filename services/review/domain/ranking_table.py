"""The ranking as CSV, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from services.review.domain.scoring import Ranked
from shared.api.review import RankingEntry

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: object) -> object:
    """Applicants write organisation names and titles: a leading ' keeps them text."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def ranking_csv(criteria: list[str], lines: list[tuple[Ranked, str, float | None]]) -> str:
    """One row per (ranked line, organisation, requested amount), criteria in rubric order."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["rank", "application_id", "organisation", "decision", "weighted_total",
                     "total", *criteria, "requested_amount", "thresholds_failed", "tie_break",
                     "explanation"])  # fmt: skip
    for r, organisation, requested in lines:
        row = [r.rank or "", r.application_id, organisation, r.decision.value,
               "" if r.weighted_total is None else r.weighted_total,
               "" if r.total is None else r.total, *(r.scores.get(k, "") for k in criteria),
               requested or "", " ".join(r.thresholds_failed), r.tie_break or "",
               r.explanation]  # fmt: skip
        writer.writerow([neutralised(cell) for cell in row])
    return out.getvalue()


def table_line(entry: RankingEntry) -> tuple[Ranked, str, float | None]:
    """A stored ranking line as `ranking_csv` takes it: (ranked, organisation, requested)."""
    ranked = Ranked(
        application_id=entry.application_id, rank=entry.rank, decision=entry.decision,
        weighted_total=entry.weighted_total, total=entry.total, scores=entry.scores,
        thresholds_failed=entry.thresholds_failed, tie_break=entry.tie_break,
        explanation=entry.explanation,
    )  # fmt: skip
    return ranked, entry.organisation, entry.requested_amount
