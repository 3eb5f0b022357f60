"""A search is matched literally: LIKE's wildcards and its escape character in what a person
typed are escaped, so `50%` finds "50%" and not "500"."""

from __future__ import annotations

import pytest

from shared.db import contains_pattern


@pytest.mark.parametrize(
    ("typed", "pattern"),
    [("ada", "%ada%"), ("50%", "%50\\%%"), ("a_b", "%a\\_b%"), ("c:\\x", "%c:\\\\x%"), ("", "%%")],
)
def test_the_pattern_contains_the_text_literally(typed: str, pattern: str) -> None:
    assert contains_pattern(typed) == pattern
