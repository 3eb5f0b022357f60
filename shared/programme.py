"""The programme's reference data, shared by every service (DESIGN.md §2): hubs and their coverage, value chains,
circular strategies, organisation types and the countries they name."""

from __future__ import annotations

import re

from shared.api.registry import (
    Country,
    CountryPart,
    Coverage,
    Hub,
    OrganisationType,
    Strategy,
    ValueChain,
)

N, S = CountryPart.NORTH, CountryPart.SOUTH

HUBS: list[Hub] = [
    Hub("NL", "North-West", "Impact Hub Amsterdam",
        [Coverage("NL"), Coverage("FR", N), Coverage("BE"), Coverage("LU"), Coverage("IE")]),
    Hub("PT", "South-West", "Impact Hub Lisbon",
        [Coverage("PT"), Coverage("ES"), Coverage("FR", S)]),
    Hub("IT", "Centre-South", "Impact Hub Milan",
        [Coverage("IT"), Coverage("SI"), Coverage("HR"), Coverage("MT")]),
    Hub("RO", "South-East", "Impact Hub Bucharest",
        [Coverage("RO"), Coverage("GR"), Coverage("BG"), Coverage("CY"), Coverage("RS"),
         Coverage("UA")]),
    Hub("HU", "North-East", "Impact Hub Budapest",
        [Coverage("HU"), Coverage("SK"), Coverage("PL"), Coverage("EE"), Coverage("LT"),
         Coverage("LV")]),
    Hub("DE", "Centre-North", "Impact Hub Hamburg",
        [Coverage("DE"), Coverage("DK"), Coverage("AT"), Coverage("SE"), Coverage("FI")]),
    Hub("TR", "East", "Impact Hub Istanbul",
        [Coverage("TR"), Coverage("AM"), Coverage("GE")]),
]  # fmt: skip

COUNTRIES: list[Country] = [
    Country(code, name)
    for code, name in [
        ("AM", "Armenia"), ("AT", "Austria"), ("BE", "Belgium"), ("BG", "Bulgaria"),
        ("CY", "Cyprus"), ("DE", "Germany"), ("DK", "Denmark"), ("EE", "Estonia"),
        ("ES", "Spain"), ("FI", "Finland"), ("FR", "France"), ("GE", "Georgia"),
        ("GR", "Greece"), ("HR", "Croatia"), ("HU", "Hungary"), ("IE", "Ireland"),
        ("IT", "Italy"), ("LT", "Lithuania"), ("LU", "Luxembourg"), ("LV", "Latvia"),
        ("MT", "Malta"), ("NL", "Netherlands"), ("PL", "Poland"), ("PT", "Portugal"),
        ("RO", "Romania"), ("RS", "Serbia"), ("SE", "Sweden"), ("SI", "Slovenia"),
        ("SK", "Slovakia"), ("TR", "Turkey"), ("UA", "Ukraine"),
    ]
]  # fmt: skip

VALUE_CHAINS: list[ValueChain] = [
    ValueChain("electronics_ict", "Electronics and ICT"),
    ValueChain("batteries_vehicles", "Batteries and Vehicles"),
    ValueChain("packaging", "Packaging"),
    ValueChain("plastics", "Plastics"),
    ValueChain("construction_buildings", "Construction and Buildings"),
    ValueChain("textiles", "Textiles"),
    ValueChain("food_water_nutrients", "Food, Water and Nutrients"),
]

_TARGETED = {"reuse", "repair", "refurbish", "remanufacture"}
STRATEGIES: list[Strategy] = [
    Strategy(code, code.capitalize(), code in _TARGETED)
    for code in (
        "refuse", "rethink", "reduce", "reuse", "repair", "refurbish", "remanufacture",
        "repurpose", "recycle", "recover",
    )
]  # fmt: skip

ORGANISATION_TYPES: list[OrganisationType] = [
    OrganisationType("social_enterprise", "Social enterprise"),
    OrganisationType("ngo", "Non-profit organisation"),
    OrganisationType("cooperative", "Cooperative"),
    OrganisationType("sme", "Small or medium enterprise"),
    OrganisationType("startup", "Start-up"),
    OrganisationType("research", "Research or education organisation"),
    OrganisationType("public_body", "Public body"),
    OrganisationType("informal_group", "Informal group or citizens' initiative"),
]

HUB_CODES = frozenset(h.code for h in HUBS)
VALUE_CHAIN_CODES = frozenset(v.code for v in VALUE_CHAINS)
STRATEGY_CODES = frozenset(s.code for s in STRATEGIES)
ORGANISATION_TYPE_CODES = frozenset(o.code for o in ORGANISATION_TYPES)
COUNTRY_CODES = frozenset(c.code for c in COUNTRIES)
COUNTRY_NAMES = {c.code: c.name for c in COUNTRIES}
# Countries split between hubs: an organisation there says which part it is in.
SPLIT_COUNTRIES = frozenset(c.code for h in HUBS for c in h.countries if c.part is not None)


def country_name(code: str, part: CountryPart | None = None) -> str:
    """What a person reads for a country code ("FR", south: France (south)); an unknown code
    as given."""
    name = COUNTRY_NAMES.get(code, code)
    return f"{name} ({part.value})" if part else name


def coverage_of(hubs: list[Hub]) -> list[Coverage]:
    """The countries the given hubs cover, in hub order; France whole when both halves are in."""
    parts: dict[str, set[CountryPart | None]] = {}
    order: list[str] = []
    for hub in hubs:
        for cov in hub.countries:
            if cov.code not in parts:
                parts[cov.code] = set()
                order.append(cov.code)
            parts[cov.code].add(cov.part)
    result = []
    for code in order:
        found = parts[code]
        whole = None in found or found == {CountryPart.NORTH, CountryPart.SOUTH}
        if whole:
            result.append(Coverage(code))
        else:
            result.extend(Coverage(code, part) for part in sorted(found, key=str))
    return result


def covers(coverage: list[Coverage], wanted: Coverage) -> bool:
    """Whether `wanted` (a whole country or a part of one) lies inside `coverage`."""
    for cov in coverage:
        if cov.code != wanted.code:
            continue
        if cov.part is None or cov.part == wanted.part:
            return True
    return False


# The demo call `make dev` seeds (registry) and staffs with the demo evaluator (gateway).
DEMO_CALL_ID = "00000000-0000-4000-8000-000000000003"


# Languages a person may choose for the portal's e-mails and pages (ISO 639-1). Mail
# templates exist for some of them; the others fall back to English.
LANGUAGES = ("en", "nl", "pt", "it", "ro", "hu", "de", "tr", "fr", "es")


# Question and criterion keys: they name answers and scores everywhere (events, CSV columns,
# internal paths). Used with fullmatch: `$` would also accept a key ending in a newline.
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
