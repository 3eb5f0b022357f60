"""An input msgspec refuses is named as the client sent it (found probing: every such error
was the field "input", with msgspec's snake_case path in the message)."""

from __future__ import annotations

import pytest

from gateway.schema.errors import invalid_field


@pytest.mark.parametrize(
    ("message", "field", "said"),
    [
        ("Expected `int` <= 9223372036854775807 - at `$.form.questions[0].max_size_bytes`",
         "form.questions.0.maxSizeBytes", "Expected `int` <= 9223372036854775807"),
        ("Expected `bool | float | str | array | null`, got `object` - at `$.answers[...]`",
         "answers", "Expected `bool | float | str | array | null`, got `object`"),
        ("Object missing required field `name` - at `$.team[2]`",
         "team.2", "Object missing required field `name`"),
        ("Expected `object`, got `int`", "input", "Expected `object`, got `int`"),
    ],
)  # fmt: skip
def test_the_field_is_the_clients_path(message: str, field: str, said: str) -> None:
    error = invalid_field(message)
    assert (error.field, error.message) == (field, said)
