"""The submission fingerprint: the same content gives the same print, any change another."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from services.intake.domain.fingerprint import canonical_json, fingerprint
from shared.api.intake import Organisation, Person
from shared.api.registry import CountryPart

BASE: dict[str, Any] = {
    "answers": {"a": 5000, "b": ["x", "y"], "c": "Ünïcode"},
    "organisation": Organisation(name="Org", country="FR", country_part=CountryPart.NORTH),
    "contact": Person(name="Ana", email="ana@c.example"),
    "team": [Person(name="Bo"), Person(name="Cy")],
    "requested_amount": 5000.0,
    "attachments": [("deck", "aa"), ("docs", "bb"), ("docs", "cc")],
}


def print_of(**overrides: Any) -> str:
    return fingerprint(**{**BASE, **overrides})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"b": 1, "a": 2}, b'{"a":2,"b":1}'),
        ({"a": [1.0, 2.5, -0.0]}, b'{"a":[1,2.5,0]}'),
        ("é€", '"é€"'.encode()),
        ((1, "x", None, True), b'[1,"x",null,true]'),
        ({"n": {"z": 1e3, "y": [{"b": 0, "a": 0}]}}, b'{"n":{"y":[{"a":0,"b":0}],"z":1000}}'),
        (Person(name="Ana"), b'{"email":"","name":"Ana","role":""}'),
        (
            Organisation(country_part=CountryPart.SOUTH),
            b'{"country":"","country_part":"south","name":"","type":"","website":""}',
        ),
    ],
)
def test_canonical_json(value: object, expected: bytes) -> None:
    assert canonical_json(value) == expected


def test_the_fingerprint_is_sha256_hex_of_the_canonical_document() -> None:
    document = {**BASE, "attachments": sorted(BASE["attachments"])}
    assert print_of() == hashlib.sha256(canonical_json(document)).hexdigest()
    assert len(print_of()) == 64 and int(print_of(), 16) >= 0


@pytest.mark.parametrize(
    "same",
    [
        {"attachments": [("docs", "cc"), ("deck", "aa"), ("docs", "bb")]},  # upload order
        {"answers": {"c": "Ünïcode", "b": ["x", "y"], "a": 5000.0}},  # key order, 5000 == 5000.0
        {"requested_amount": 5000},
    ],
)
def test_what_is_not_content_does_not_change_the_print(same: dict[str, Any]) -> None:
    assert print_of(**same) == print_of()


@pytest.mark.parametrize(
    "changed",
    [
        {"answers": {**BASE["answers"], "a": 5001}},
        {"answers": {**BASE["answers"], "b": ["y", "x"]}},  # the order of picks is content
        {"answers": {**BASE["answers"], "d": None}},
        {"organisation": Organisation(name="Org", country="FR", country_part=CountryPart.SOUTH)},
        {"contact": Person(name="Ana", email="ana@other.example")},
        {"team": [Person(name="Cy"), Person(name="Bo")]},
        {"team": []},
        {"requested_amount": None},
        {"requested_amount": 5000.5},
        {"attachments": [("deck", "aa"), ("docs", "bb")]},
        {"attachments": [("deck", "ab"), ("docs", "bb"), ("docs", "cc")]},
        {"attachments": [("docs", "aa"), ("docs", "bb"), ("docs", "cc")]},
    ],
)
def test_any_change_of_content_changes_the_print(changed: dict[str, Any]) -> None:
    assert print_of(**changed) != print_of()
