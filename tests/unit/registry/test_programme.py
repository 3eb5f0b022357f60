"""The programme data of DESIGN.md §2 and the mission/challenge rules."""

from __future__ import annotations

from typing import Any

import pytest

from services.registry.domain.missions import challenge_errors, mission_errors
from shared.api.registry import (
    ChallengeCreate,
    ChallengeUpdate,
    CountryPart,
    Coverage,
    MissionCreate,
    MissionUpdate,
)
from shared.programme import (
    HUBS,
    SPLIT_COUNTRIES,
    STRATEGIES,
    VALUE_CHAINS,
    coverage_of,
    covers,
)

N, S = CountryPart.NORTH, CountryPart.SOUTH


def test_seven_hubs_cover_the_programme_countries() -> None:
    coverage = {h.code: [(c.code, c.part) for c in h.countries] for h in HUBS}
    assert coverage == {
        "NL": [("NL", None), ("FR", N), ("BE", None), ("LU", None), ("IE", None)],
        "PT": [("PT", None), ("ES", None), ("FR", S)],
        "IT": [("IT", None), ("SI", None), ("HR", None), ("MT", None)],
        "RO": [("RO", None), ("GR", None), ("BG", None), ("CY", None), ("RS", None), ("UA", None)],
        "HU": [("HU", None), ("SK", None), ("PL", None), ("EE", None), ("LT", None), ("LV", None)],
        "DE": [("DE", None), ("DK", None), ("AT", None), ("SE", None), ("FI", None)],
        "TR": [("TR", None), ("AM", None), ("GE", None)],
    }
    assert {h.host_organisation for h in HUBS} == {
        f"Impact Hub {city}"
        for city in ("Amsterdam", "Lisbon", "Milan", "Bucharest", "Budapest", "Hamburg", "Istanbul")
    }
    assert {"FR"} == SPLIT_COUNTRIES


def test_value_chains_and_strategies() -> None:
    assert len(VALUE_CHAINS) == 7
    assert [s.code for s in STRATEGIES][:3] == ["refuse", "rethink", "reduce"]
    assert len(STRATEGIES) == 10
    assert {s.code for s in STRATEGIES if s.targeted} == {
        "reuse",
        "repair",
        "refurbish",
        "remanufacture",
    }


def test_coverage_of_joins_the_halves_of_france() -> None:
    nl = [h for h in HUBS if h.code == "NL"]
    pt = [h for h in HUBS if h.code == "PT"]
    assert Coverage("FR", N) in coverage_of(nl)
    assert Coverage("FR") in coverage_of(nl + pt)
    assert len(coverage_of(HUBS)) == 31  # every country once


@pytest.mark.parametrize(
    ("coverage", "wanted", "inside"),
    [
        ([Coverage("FR")], Coverage("FR", S), True),
        ([Coverage("FR", N)], Coverage("FR", N), True),
        ([Coverage("FR", N)], Coverage("FR", S), False),
        ([Coverage("FR", N)], Coverage("FR"), False),
        ([Coverage("DE")], Coverage("AT"), False),
    ],
)
def test_covers(coverage: list[Coverage], wanted: Coverage, inside: bool) -> None:
    assert covers(coverage, wanted) is inside


def mission(**kw: Any) -> MissionCreate:
    return MissionCreate(**{"hub": "NL", "title": "Loops", "value_chains": ["textiles"], **kw})


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (mission(), set()),
        (mission(hub="XX"), {"hub"}),
        (mission(title=""), {"title"}),
        (mission(title="x" * 201), {"title"}),
        (mission(value_chains=[]), {"valueChains"}),
        (mission(value_chains=["space"]), {"valueChains"}),
        (mission(value_chains=["textiles", "textiles"]), {"valueChains"}),
        (mission(strategies=["recycle", "burn"]), {"strategies"}),
        (mission(description="d" * 10_001), {"description"}),
        (MissionUpdate(), set()),
        (MissionUpdate(title=" "), {"title"}),
        (MissionUpdate(value_chains=[]), {"valueChains"}),
    ],
)
def test_mission_errors(body: MissionCreate | MissionUpdate, expected: set[str]) -> None:
    assert {e.field for e in mission_errors(body)} == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (ChallengeCreate(mission_id="m", title="Repair"), set()),
        (ChallengeCreate(mission_id="m", title=""), {"title"}),
        (ChallengeCreate(mission_id="m", title="x", strategies=["burn"]), {"strategies"}),
        (ChallengeUpdate(), set()),
        (ChallengeUpdate(strategies=["reuse", "reuse"]), {"strategies"}),
    ],
)
def test_challenge_errors(body: ChallengeCreate | ChallengeUpdate, expected: set[str]) -> None:
    assert {e.field for e in challenge_errors(body)} == expected
