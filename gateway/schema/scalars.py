"""The schema's own scalars where Strawberry's take more than the portal can keep: an Upload
only as the multipart layer streams it, a DateTime that exists in UTC too, and JSON without
numbers that are not finite."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from operator import methodcaller
from typing import Any

import dateutil.parser
from graphql import GraphQLError
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition, ScalarWrapper, scalar

from gateway.uploads import StreamedUpload

UPLOAD_ONLY = "A file is sent as a part of a multipart request (the GraphQL multipart spec)."


def streamed_upload(value: Any) -> StreamedUpload:
    if isinstance(value, StreamedUpload):
        return value
    raise GraphQLError(UPLOAD_ONLY)


def upload_literal(*_: Any) -> Any:
    raise GraphQLError(UPLOAD_ONLY)


# Strawberry's Upload takes any value; ours only what the multipart layer streams.
STREAMED_UPLOAD = scalar(
    name="Upload", description="A file, sent as a part of a multipart request.",
    serialize=lambda value: None, parse_value=streamed_upload, parse_literal=upload_literal,
)  # fmt: skip


ISO_INSTANT = "Expected an ISO 8601 date and time, e.g. 2027-03-31T17:00:00+02:00."


def utc_instant(value: Any) -> datetime:
    """An ISO 8601 instant (as Strawberry's own DateTime reads it) that exists in UTC too: one
    past the year 9999 there (9999-12-31T23:59:59-14:00) was a 500 at the database. What
    does not parse is said in plain words, not in the parser's ("invalid literal for int()
    with base 10: b'0-0'" for the year 10000)."""
    if not isinstance(value, str):
        raise GraphQLError(f'Value cannot represent a DateTime: "{value}". Expected a string.')
    try:
        parsed = dateutil.parser.isoparse(value)
        parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except OverflowError:
        raise GraphQLError(f'Value cannot represent a DateTime: "{value}". Out of range.') from None
    except ValueError:
        raise GraphQLError(f'Value cannot represent a DateTime: "{value}". {ISO_INSTANT}') from None
    return parsed


UTC_DATETIME = scalar(
    name="DateTime", description="Date with time (isoformat)",
    serialize=methodcaller("isoformat"), parse_value=utc_instant,
)  # fmt: skip


NOT_FINITE = "JSON cannot represent a number that is not finite (as 1e400, past ±1.8e308)."


def finite_json(value: Any) -> Any:
    """Any JSON value but one holding a number past a float's range: Python reads 1e400 as
    infinity, which the services' JSON writes as null, and null clears an answer (found
    probing: a draft's answer vanished without a word). Literals come here too."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise GraphQLError(NOT_FINITE)
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return value


FINITE_JSON = scalar(
    name="JSON", description="A JSON value (ECMA-404); its numbers finite.",
    specified_by_url="https://ecma-international.org/publications-and-standards/standards/ecma-404/",
    serialize=lambda value: value, parse_value=finite_json,
)  # fmt: skip

SCALARS: dict[object, ScalarWrapper | ScalarDefinition] = {
    Upload: STREAMED_UPLOAD, datetime: UTC_DATETIME, JSON: FINITE_JSON,
}  # fmt: skip
