"""The ranking's CSV: what applicants wrote never runs as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pytest

from services.review.domain.ranking_table import ranking_csv
from services.review.domain.scoring import Decision, Ranked


def line(application_id: str) -> Ranked:
    return Ranked(
        application_id=application_id, rank=1, decision=Decision.SELECTED, weighted_total=12.5,
        total=12.5, scores={"impact": 4.5}, thresholds_failed=[], tie_break=None,
        explanation="rank 1, weighted total 12.5",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("organisation", "cell"),
    [
        (
            '=HYPERLINK("http://evil.example","Click")',
            '\'=HYPERLINK("http://evil.example","Click")',
        ),
        ("+31 Makers", "'+31 Makers"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Repair Collective = good", "Repair Collective = good"),  # only a leading sign runs
    ],
)
def test_a_formula_in_an_applicants_text_stays_text(organisation: str, cell: str) -> None:
    text = ranking_csv(["impact"], [(line("a1"), organisation, 50_000.0)])
    header, row = csv.reader(io.StringIO(text))
    found = dict(zip(header, row, strict=True))
    assert found["organisation"] == cell
    # Numbers stay numbers.
    assert (found["weighted_total"], found["impact"], found["requested_amount"]) == (
        "12.5",
        "4.5",
        "50000.0",
    )
