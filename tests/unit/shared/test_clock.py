"""An instant as a person reads it: in the call's zone, the month in their language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.clock import format_instant

MAY = datetime(2025, 5, 14, 8, 0, tzinfo=UTC)


def test_english_names_the_month_zone_and_place() -> None:
    assert format_instant(MAY) == "14 May 2025, 10:00 CEST (Europe/Brussels)"
    assert format_instant(MAY, "Europe/Brussels", "en") == format_instant(MAY)
    assert format_instant(datetime(2026, 12, 2, 5, 7)) == "2 Dec 2026, 06:07 CET (Europe/Brussels)"


@pytest.mark.parametrize(
    ("language", "written"),
    [("nl", "14 mei 2025, 10:00 CEST"), ("pt", "14 mai 2025, 10:00 CEST"),
     ("it", "14 mag 2025, 10:00 CEST")],
)  # fmt: skip
def test_a_translated_language_names_its_month(language: str, written: str) -> None:
    assert format_instant(MAY, "Europe/Brussels", language) == f"{written} (Europe/Brussels)"


@pytest.mark.parametrize("language", ["de", "", "xx"])
def test_any_other_language_gets_english(language: str) -> None:
    assert format_instant(MAY, "Europe/Lisbon", language) == format_instant(MAY, "Europe/Lisbon")


def test_every_month_differs_in_every_language() -> None:
    for language in ("en", "nl", "pt", "it"):
        months = {format_instant(datetime(2025, m, 15, tzinfo=UTC), "UTC", language).split()[1]
                  for m in range(1, 13)}  # fmt: skip
        assert len(months) == 12, language


def test_a_zone_without_an_abbreviation_names_its_offset() -> None:
    assert format_instant(MAY, "America/Sao_Paulo", "pt") == (
        "14 mai 2025, 05:00 UTC-03 (America/Sao_Paulo)"
    )
