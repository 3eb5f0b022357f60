"""The ranking's CSV: what applicants wrote never runs as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import msgspec
import pytest

from services.review.domain.ranking_table import ranking_csv, table_line
from services.review.domain.scoring import Decision, Ranked
from services.review.read_model import window_of
from services.review.usecases.consensus import AppLine, entry_of
from shared.api.intake import Eligibility


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


def test_a_stored_line_gives_the_csv_the_same_row() -> None:
    """The stored ranking keeps RankingEntry lines; the CSV of those is the CSV of the
    ranked lines they were made from."""
    ranked = line("a1")
    entry = entry_of(ranked, AppLine("a1", Eligibility.ELIGIBLE, 50_000.0, None, "Repair Co"))
    assert table_line(entry) == (ranked, "Repair Co", 50_000.0)
    assert ranking_csv(["impact"], [table_line(entry)]) == ranking_csv(
        ["impact"], [(ranked, "Repair Co", 50_000.0)]
    )


def test_a_window_of_the_stored_ranking_decodes_only_its_lines() -> None:
    entries = [
        entry_of(line(f"a{i}"), AppLine(f"a{i}", Eligibility.ELIGIBLE, None, None, f"Org {i}"))
        for i in range(5)
    ]
    stored = msgspec.json.encode(entries).decode()
    assert window_of(stored) == (5, entries)
    assert window_of(stored, 1, 2) == (5, entries[1:3])
    assert window_of(stored, 4, 10) == (5, entries[4:])
    assert window_of(stored, 7, 1) == (5, [])
    assert window_of("[]") == (0, [])
