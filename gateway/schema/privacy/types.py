"""GraphQL types of the applicant's data rights: the erasure's answer."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.schema.errors import (
    Forbidden,
    NotAuthenticated,
    NotFound,
    TooManyAttempts,
    ValidationErrors,
)


@strawberry.type(description="The account is erased and every token of it refused.")
class AccountErased:
    message: str


EraseResult = Annotated[
    AccountErased | ValidationErrors | Forbidden | NotAuthenticated | NotFound | TooManyAttempts,
    strawberry.union("EraseResult"),
]
