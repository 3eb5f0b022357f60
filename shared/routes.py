"""A service's HTTP interface, written once: each route's method, path template, body and
answer types. The service's handler is declared with the route's path; the gateway's typed
client sends to the same route, so a reader follows a resolver to its handler by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

R = TypeVar("R")


@dataclass(frozen=True)
class Route(Generic[R]):
    """`path` is a Litestar template (`/calls/{call_id:str}`), filled by shared.paths.path_of;
    `result` is the msgspec type of the answer; `body` that of the request (None: no body)."""

    method: str
    path: str
    result: type[R]
    body: type[Any] | None = None
