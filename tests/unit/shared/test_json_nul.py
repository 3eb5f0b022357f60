"""Which JSON bodies carry a NUL character: the escape, not a backslash written as text."""

from __future__ import annotations

import json

import pytest

from shared.web import JSON_NUL


@pytest.mark.parametrize("text", ["a\x00b", "\x00", "x\\\x00"])
def test_a_nul_in_a_string_is_found(text: str) -> None:
    assert JSON_NUL.search(json.dumps({"name": text}).encode())


@pytest.mark.parametrize("text", ["plain", "\\u0000 as text", "x\\\\u0000", "\u00e9"])
def test_text_without_a_nul_passes(text: str) -> None:
    assert not JSON_NUL.search(json.dumps({"name": text}).encode())
