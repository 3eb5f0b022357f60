"""The DateTime scalar: what parses, and the plain words for what does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from graphql import GraphQLError

from gateway.schema.scalars import utc_instant


def test_an_iso_instant_keeps_its_offset() -> None:
    parsed = utc_instant("2027-03-31T17:00:00+02:00")
    assert parsed == datetime(2027, 3, 31, 15, 0, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(hours=2)
    assert utc_instant("2027-03-31T17:00:00") == datetime(2027, 3, 31, 17, 0)


@pytest.mark.parametrize(
    "text", ["10000-01-01T00:00:00Z", "2027-13", "2027-02-30T00:00:00Z", "next friday",
             "2027-03-31T17:00:00+0", ""],
)  # fmt: skip
def test_what_does_not_parse_is_said_in_plain_words(text: str) -> None:
    with pytest.raises(GraphQLError) as raised:
        utc_instant(text)
    assert raised.value.message == (
        f'Value cannot represent a DateTime: "{text}". '
        "Expected an ISO 8601 date and time, e.g. 2027-03-31T17:00:00+02:00."
    )


def test_an_instant_past_the_year_9999_in_utc_is_out_of_range() -> None:
    with pytest.raises(GraphQLError, match=r"Out of range\.$"):
        utc_instant("9999-12-31T23:59:59-14:00")
    assert utc_instant("9999-12-31T23:59:59+14:00").utcoffset() == timedelta(hours=14)


@pytest.mark.parametrize("value", [20270331, None, ["2027-03-31"]])
def test_a_value_not_a_string_is_refused(value: object) -> None:
    with pytest.raises(GraphQLError, match=r"Expected a string\.$"):
        utc_instant(value)
