"""from_contract: a GraphQL type built from a msgspec contract by field name, nested types and
lists the same way; `given` fills Private fields or overrides; resolvers and defaults stay."""

from __future__ import annotations

import enum
from typing import Annotated

import msgspec
import strawberry

from gateway.schema.convert import from_contract


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


class TagContract(msgspec.Struct, frozen=True):
    key: str
    weight: int


class OwnerContract(msgspec.Struct, frozen=True):
    name: str
    tags: list[TagContract]


class ThingContract(msgspec.Struct, frozen=True):
    id: str
    title: str
    colour: Colour
    owner: OwnerContract
    tags: list[TagContract]
    maybe_owner: OwnerContract | None = None
    note: str | None = None
    internal: str = "not exposed"


@strawberry.type
class Tag:
    key: str
    weight: int


@strawberry.type
class Owner:
    name: str
    tags: list[Tag]


@strawberry.type
class Thing:
    id: str
    title: str
    colour: strawberry.enum(Colour)  # type: ignore[valid-type]
    owner: Owner
    tags: list[Tag]
    maybe_owner: Owner | None
    note: str | None
    call_id: strawberry.Private[str]
    label: str = "unlabelled"  # not in the contract: keeps its default

    @strawberry.field
    def shout(self) -> str:
        return self.title.upper()


def thing(**changes: object) -> ThingContract:
    base = ThingContract(
        id="t1", title="Seeds", colour=Colour.BLUE,
        owner=OwnerContract(name="Ada", tags=[TagContract("a", 1)]),
        tags=[TagContract("x", 2), TagContract("y", 3)],
    )  # fmt: skip
    return msgspec.structs.replace(base, **changes)


def test_fields_by_name_nested_types_and_lists() -> None:
    built = from_contract(Thing, thing(), call_id="c1")
    assert (built.id, built.title, built.colour) == ("t1", "Seeds", Colour.BLUE)
    assert isinstance(built.owner, Owner)
    assert built.owner.name == "Ada"
    assert [type(t) for t in built.owner.tags] == [Tag]
    assert [(t.key, t.weight) for t in built.tags] == [("x", 2), ("y", 3)]
    assert all(isinstance(t, Tag) for t in built.tags)


def test_optional_none_stays_none_and_a_present_one_is_converted() -> None:
    absent = from_contract(Thing, thing(), call_id="c1")
    assert absent.maybe_owner is None
    assert absent.note is None
    present = from_contract(
        Thing, thing(maybe_owner=OwnerContract(name="Bo", tags=[]), note="n"), call_id="c1"
    )
    assert isinstance(present.maybe_owner, Owner)
    assert present.maybe_owner.name == "Bo"
    assert present.note == "n"


def test_given_fills_a_private_field_and_overrides_a_contract_field() -> None:
    built = from_contract(Thing, thing(), call_id="c9", title="Given")
    assert built.call_id == "c9"
    assert built.title == "Given"


def test_resolver_fields_are_left_to_their_resolver_and_defaults_are_kept() -> None:
    built = from_contract(Thing, thing(), call_id="c1")
    assert built.label == "unlabelled"
    assert "shout" not in vars(built)  # the resolver answers it (see the schema test below)
    assert not hasattr(built, "internal")  # a contract field the type lacks is not copied


def test_given_names_that_are_no_init_field_are_ignored() -> None:
    built = from_contract(Thing, thing(), call_id="c1", shout="nope", unknown=1)
    assert "shout" not in vars(built)
    assert not hasattr(built, "unknown")


class PairContract(msgspec.Struct, frozen=True):
    first: TagContract
    rest: list[TagContract]


@strawberry.type
class Pair:
    # Lazy types (the packages' way to break import cycles) are resolved before converting.
    first: Annotated[Tag, strawberry.lazy("tests.unit.gateway.test_convert")]
    rest: list[Annotated[Tag, strawberry.lazy("tests.unit.gateway.test_convert")]]


def test_lazy_types_are_resolved() -> None:
    built = from_contract(Pair, PairContract(TagContract("a", 1), [TagContract("b", 2)]))
    assert isinstance(built.first, Tag)
    assert [(t.key, t.weight) for t in built.rest] == [("b", 2)]
    assert all(isinstance(t, Tag) for t in built.rest)


def test_an_empty_list_stays_empty() -> None:
    built = from_contract(Thing, thing(tags=[]), call_id="c1")
    assert built.tags == []


def test_the_built_type_serves_in_a_schema() -> None:
    @strawberry.type
    class Query:
        @strawberry.field
        def thing(self) -> Thing:
            return from_contract(Thing, thing(), call_id="c1")

    result = strawberry.Schema(query=Query).execute_sync(
        "{ thing { id colour owner { name tags { key } } tags { weight } shout label } }"
    )
    assert result.errors is None
    assert result.data == {
        "thing": {
            "id": "t1", "colour": "BLUE", "owner": {"name": "Ada", "tags": [{"key": "a"}]},
            "tags": [{"weight": 2}, {"weight": 3}], "shout": "SEEDS", "label": "unlabelled",
        }
    }  # fmt: skip
