"""An input msgspec refuses is named as the client sent it (found probing: every such error
was the field "input", with msgspec's snake_case path in the message), in words its user
can read rather than msgspec's type names."""

from __future__ import annotations

import msgspec
import pytest

from gateway.plain_words import in_plain_words
from gateway.schema.errors import invalid_field, to_api
from shared.errors import ValidationFailed


@pytest.mark.parametrize(
    ("message", "field", "said"),
    [
        ("Expected `int` <= 9223372036854775807 - at `$.form.questions[0].max_size_bytes`",
         "form.questions.0.maxSizeBytes", "must be at most 9223372036854775807"),
        ("Expected `bool | float | str | array | null`, got `object` - at `$.answers[...]`",
         "answers", "must be true or false, a number, text, a list or null, not an object"),
        ("Object missing required field `display_name` - at `$.team[2]`",
         "team.2", "needs its displayName"),
        ("Expected `object`, got `int`", "input", "must be an object, not a whole number"),
    ],
)  # fmt: skip
def test_the_field_is_the_clients_path(message: str, field: str, said: str) -> None:
    error = invalid_field(message)
    assert (error.field, error.message) == (field, said)


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ("Expected `str` of length <= 200", "must have at most 200 characters"),
        ("Expected `array` of length >= 1", "must have at least 1 item"),
        ("Expected `array` of length <= 3", "must have at most 3 items"),
        ("Expected `float` > 0.0", "must be above 0"),
        ("Expected `int` >= 1", "must be at least 1"),
        ("Invalid RFC3339 encoded datetime",
         "must be a date and time with its offset, such as 2027-03-31T17:00:00Z"),
        ("Invalid RFC3339 encoded date", "must be a date such as 2027-03-31"),
        ("Invalid UUID", "must be a UUID"),
        ("Invalid enum value 'z'", "'z' is not one of the choices"),
        ("Object contains unknown field `max_size`", "has no field maxSize"),
        ("Expected `str` matching regex '^[A-Z]{2}$'", "must match the pattern ^[A-Z]{2}$"),
        ("Something msgspec says one day", "Something msgspec says one day"),
    ],
)  # fmt: skip
def test_msgspec_in_plain_words(message: str, said: str) -> None:
    assert in_plain_words(message) == said


class Limits(msgspec.Struct):
    name: str = msgspec.field(default="")
    count: int = 0


def test_every_message_msgspec_gives_here_is_put_in_words() -> None:
    for value in ({"count": "x"}, {"count": 1.5}, {"name": 5}, 7, {"count": None}):
        with pytest.raises(ValidationFailed) as refused:
            to_api(value, Limits)
        assert "`" not in refused.value.errors[0].message


def test_free_json_takes_no_number_as_text() -> None:
    assert to_api("4", float) == 4.0  # a GraphQL input's own coercion
    with pytest.raises(ValidationFailed) as refused:
        to_api("4", float, strict=True)
    assert refused.value.errors[0].message == "must be a number, not text"
