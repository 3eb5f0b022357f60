"""The applicant: organisation, contact and team; and the hub the organisation belongs to."""

from __future__ import annotations

import msgspec
import pytest

from services.intake.domain.applicant import applicant_errors, hub_for, merged
from shared.api.intake import Organisation, OrganisationUpdate, Person, PersonUpdate
from shared.api.registry import CountryPart, Coverage, Hub
from shared.programme import COUNTRY_CODES, HUBS, ORGANISATION_TYPE_CODES, SPLIT_COUNTRIES

ORG = Organisation(name="Collective", type="ngo", country="NL", website="https://c.example")
CONTACT = Person(name="Ana", email="ana@c.example")


def applicant(
    org: Organisation = ORG,
    contact: Person = CONTACT,
    team: list[Person] | None = None,
    *,
    strict: bool,
) -> dict[str, str]:
    found = applicant_errors(
        org,
        contact,
        team or [],
        strict=strict,
        organisation_types=ORGANISATION_TYPE_CODES,
        country_codes=COUNTRY_CODES,
        split_countries=SPLIT_COUNTRIES,
    )
    return {e.field: e.message for e in found}


@pytest.mark.parametrize("strict", [False, True])
def test_a_complete_applicant_passes(strict: bool) -> None:
    team = [Person(name="Bo", email="bo@c.example", role="engineer"), Person(name="Cy")]
    assert applicant(team=team, strict=strict) == {}


def test_an_empty_applicant_is_fine_for_a_draft_but_not_for_submit() -> None:
    assert applicant(Organisation(), Person(), strict=False) == {}
    assert applicant(Organisation(), Person(), strict=True) == {
        "organisation.name": "is required",
        "organisation.type": "is required",
        "organisation.country": "is required",
        "contact.name": "is required",
        "contact.email": "is required",
    }


def test_whitespace_is_not_a_name() -> None:
    found = applicant(
        Organisation(name="  ", type="ngo", country="NL"),
        Person(name="\t", email="a@b.example"),
        strict=True,
    )
    assert set(found) == {"organisation.name", "contact.name"}


@pytest.mark.parametrize(
    ("org", "contact", "field", "words"),
    [
        (Organisation(type="pirates"), Person(), "organisation.type", "pirates"),
        (Organisation(country="XX"), Person(), "organisation.country", "unknown country XX"),
        (Organisation(country="US"), Person(), "organisation.country", "unknown country US"),
        (
            Organisation(country="NL", country_part=CountryPart.NORTH),
            Person(),
            "organisation.countryPart",
            "Netherlands is not split",
        ),
        (Organisation(website="ftp://c.example"), Person(), "organisation.website", "http"),
        (Organisation(website="c.example"), Person(), "organisation.website", "http"),
        (Organisation(website="https://"), Person(), "organisation.website", "http"),
        (Organisation(website="https://localhost"), Person(), "organisation.website", "http"),
        (Organisation(website="https://c.exa mple"), Person(), "organisation.website", "http"),
        (Organisation(website="javascript:alert(1)"), Person(), "organisation.website", "http"),
        (Organisation(website="http://[::1"), Person(), "organisation.website", "http"),
        (Organisation(), Person(email="not-mail"), "contact.email", "e-mail"),
        (Organisation(), Person(email="a@b"), "contact.email", "e-mail"),
        (Organisation(), Person(email="a b@c.example"), "contact.email", "e-mail"),
        (Organisation(), Person(email="a@@c.example"), "contact.email", "e-mail"),
    ],
)
def test_wrong_values_are_named_while_drafting(
    org: Organisation, contact: Person, field: str, words: str
) -> None:
    found = applicant(org, contact, strict=False)
    assert list(found) == [field]
    assert words in found[field]


@pytest.mark.parametrize(
    "website", ["https://c.example", "http://www.example.org/a?b=1#c", "HTTPS://EXAMPLE.EU", ""]
)
def test_good_websites(website: str) -> None:
    assert applicant(Organisation(website=website), Person(), strict=False) == {}


@pytest.mark.parametrize(
    "email", ["ana@c.example", "first.last+tag@sub.example.org", "  ana@c.example  "]
)
def test_good_addresses(email: str) -> None:
    assert applicant(Organisation(), Person(email=email), strict=False) == {}


def test_a_french_organisation_says_whether_it_is_north_or_south() -> None:
    french = Organisation(name="Atelier", type="cooperative", country="FR")
    found = applicant(french, strict=True)
    assert list(found) == ["organisation.countryPart"]
    assert "north" in found["organisation.countryPart"]
    assert applicant(french, strict=False) == {}  # a draft may say it later


@pytest.mark.parametrize("part", list(CountryPart))
def test_a_french_organisation_with_its_part_passes(part: CountryPart) -> None:
    french = Organisation(name="Atelier", type="cooperative", country="FR", country_part=part)
    assert applicant(french, strict=True) == {}


def test_split_countries_are_the_callers() -> None:
    org = Organisation(name="x", type="ngo", country="NL")
    found = applicant_errors(
        org,
        CONTACT,
        [],
        strict=True,
        organisation_types=frozenset({"ngo"}),
        country_codes=frozenset({"NL"}),
        split_countries=frozenset({"NL"}),
    )
    assert [e.field for e in found] == ["organisation.countryPart"]


def test_a_part_without_a_country_waits_for_the_country() -> None:
    assert applicant(Organisation(country_part=CountryPart.SOUTH), Person(), strict=False) == {}


def test_team_members_need_names_on_submit_but_never_an_email() -> None:
    team = [Person(name="Bo"), Person(email="cy@c.example"), Person(name="Di", email="bad")]
    assert applicant(team=team, strict=False) == {"team[2].email": "is not an e-mail address"}
    assert applicant(team=team, strict=True) == {
        "team[1].name": "is required",
        "team[2].email": "is not an e-mail address",
    }


@pytest.mark.parametrize(
    ("country", "part", "hub"),
    [
        ("FR", CountryPart.NORTH, "NL"),
        ("FR", CountryPart.SOUTH, "PT"),
        ("FR", None, None),
        ("NL", None, "NL"),
        ("NL", CountryPart.NORTH, "NL"),  # a part means nothing in an unsplit country
        ("GE", None, "TR"),
        ("UA", None, "RO"),
        ("US", None, None),
        ("", None, None),
    ],
)
def test_the_hub_follows_the_country(
    country: str, part: CountryPart | None, hub: str | None
) -> None:
    assert hub_for(country, part, HUBS) == hub


def test_every_whole_country_of_a_hub_leads_back_to_it() -> None:
    for hub in HUBS:
        for cov in hub.countries:
            assert hub_for(cov.code, cov.part, HUBS) == hub.code


def test_the_hubs_are_the_callers() -> None:
    only = [Hub("XX", "Test", "Host", [Coverage("NL")])]
    assert hub_for("NL", None, only) == "XX"
    assert hub_for("NL", None, []) is None


def test_a_partial_update_changes_only_what_it_gives() -> None:
    southern = msgspec.structs.replace(ORG, country="FR", country_part=CountryPart.SOUTH)
    assert merged(southern, OrganisationUpdate(website="https://new.example")) == (
        msgspec.structs.replace(southern, website="https://new.example")
    )
    assert merged(southern, OrganisationUpdate()) == southern
    assert merged(CONTACT, PersonUpdate(role="lead")) == Person(
        name="Ana", email="ana@c.example", role="lead"
    )


def test_an_empty_string_is_given_and_a_null_part_clears_it() -> None:
    southern = msgspec.structs.replace(ORG, country="FR", country_part=CountryPart.SOUTH)
    assert merged(southern, OrganisationUpdate(name="")).name == ""
    cleared = merged(southern, OrganisationUpdate(country="BE", country_part=None))
    assert (cleared.country, cleared.country_part, cleared.name) == ("BE", None, "Collective")
    decoded = msgspec.json.decode(b'{"country": "FR"}', type=OrganisationUpdate)
    assert merged(southern, decoded).country_part is CountryPart.SOUTH  # left out: kept
