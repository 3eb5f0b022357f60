"""Internal paths: every value one quoted segment, ids checked before they reach a URL."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from shared.api import intake, notify, registry, review
from shared.errors import NotFound, ValidationFailed
from shared.paths import ROUTE_PARAMETER, is_uuid, key_id, path_of, uuid_id
from shared.routes import Route

CALL_ID = "6f1c2a4e-8b1d-4c3a-9e55-0a1b2c3d4e5f"


def test_a_route_is_filled_with_its_parameters() -> None:
    assert path_of(registry.GET_CALL.path, call_id=CALL_ID) == f"/calls/{CALL_ID}"
    path = path_of(review.SET_POOL_MEMBER.path, call_id="c", account_id="a")
    assert path == "/calls/c/pool/a"


@pytest.mark.parametrize(
    ("value", "segment"),
    [
        ("../missions", "..%2Fmissions"),
        ("?x=1#", "%3Fx%3D1%23"),
        ("%2e%2e", "%252e%252e"),
        ("a b/c", "a%20b%2Fc"),
        ("é", "%C3%A9"),
    ],
)
def test_every_value_stays_one_segment(value: str, segment: str) -> None:
    path = path_of(registry.GET_CALL.path, call_id=value)
    assert path == f"/calls/{segment}"
    # What the HTTP client finally requests is that one segment under the route.
    url = httpx.URL("http://registry:8001").join(path)
    assert url.raw_path.decode() == f"/calls/{segment}"


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_a_value_a_url_would_resolve_away_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="call_id"):
        path_of(registry.GET_CALL.path, call_id=value)


def test_a_missing_or_unknown_parameter_is_a_mistake_in_the_caller() -> None:
    with pytest.raises(ValueError):
        path_of(review.SET_POOL_MEMBER.path, call_id=CALL_ID)
    with pytest.raises(ValueError):
        path_of(registry.GET_CALL.path, call_id=CALL_ID, mission_id=CALL_ID)


def routes_of_every_service() -> list[tuple[str, Route[Any]]]:
    return [
        (f"{module.__name__}.{name}", value)
        for module in (registry, intake, review, notify)
        for name, value in vars(module).items()
        if isinstance(value, Route)
    ]


def test_every_route_is_a_path_with_named_parameters() -> None:
    for name, route in routes_of_every_service():
        names = ROUTE_PARAMETER.findall(route.path)
        filled = path_of(route.path, **{n: "x" for n in names})
        assert filled.startswith("/") and "{" not in filled and "}" not in filled, name


def test_no_two_routes_of_a_service_answer_the_same_request() -> None:
    seen: dict[tuple[str, str, str], str] = {}
    for name, route in routes_of_every_service():
        key = (name.split(".")[2], route.method, route.path)
        assert key not in seen, f"{name} repeats {seen[key]}"
        seen[key] = name


def test_a_uuid_id_is_canonical() -> None:
    assert uuid_id(CALL_ID.upper(), "call") == CALL_ID
    assert uuid_id(uuid.UUID(CALL_ID), "call") == CALL_ID
    assert is_uuid(CALL_ID)


@pytest.mark.parametrize(
    "value",
    ["", "../missions", f"../calls/{CALL_ID}/applications", "?x=1#", "%2e%2e", "a,b", CALL_ID[:-1],
     f"{CALL_ID}/x",
     # Digits of other scripts, which uuid.UUID reads as hex: one application, many spellings.
     CALL_ID.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"}),  # full-width
     CALL_ID.translate({ord(d): 0x0660 + int(d) for d in "0123456789"})],  # Arabic-Indic
)  # fmt: skip
def test_a_malformed_uuid_names_nothing(value: str) -> None:
    with pytest.raises(NotFound) as caught:
        uuid_id(value, "call")
    assert caught.value.message == "There is no call with that id."
    assert not is_uuid(value)


def test_a_key_follows_the_registrys_pattern() -> None:
    assert key_id("pitch_deck2", "questionKey", "unknown") == "pitch_deck2"
    assert key_id("a" * 40, "criterion", "unknown") == "a" * 40


@pytest.mark.parametrize("value", ["", "Pitch", "2a", "a-b", "a/../b", "a\n", "a" * 41, "a?"])
def test_a_malformed_key_is_a_field_error_naming_the_argument(value: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        key_id(value, "criterion", "is not a criterion of this call")
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("criterion", "is not a criterion of this call")
    ]
