"""GraphQL multipart requests (the GraphQL multipart request spec), streamed.

Strawberry's own multipart support (off here) would spool each file before the operation
runs. This ASGI layer instead parses the request as it arrives: `operations` and `map` come
first, then the operation starts while the file parts are still arriving, and each file's
bytes flow through a small bounded queue into the resolver, which streams them on to intake.
Memory stays bounded whatever the file size; a resolver that does not read a file (e.g. a
refusal) lets the rest of it be discarded.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

from litestar.types import ASGIApp, Receive, Scope, Send
from multipart import MultipartSegment, ParserError, ParserLimitReached, PushMultipartParser
from strawberry import Schema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from gateway.request_json import NotRequestJson, operation_refusal, request_json
from shared.errors import DomainError, FieldError, ValidationFailed

CSRF_HEADERS = (b"x-portal-upload", b"apollo-require-preflight", b"graphql-preflight")
MAX_JSON_PART = 1024 * 1024
# operations, map and the files: more is no request of ours (and would cost the parser).
MAX_PARTS = 100
_END = object()
ONE_FIELD_EACH = "is already another field's upload: send each file as its own part"


class StreamedUpload:
    """One file of the request, readable once, chunk by chunk, while it arrives."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.filename = "file"
        self.content_type = "application/octet-stream"
        self.started = asyncio.Event()
        self.queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=8)
        self.abandoned = False
        self.claimed = False

    def claim(self) -> AsyncIterator[bytes]:
        """The file's chunks, for one field: a second field of the request waiting for the
        same chunks would wait for good (found probing: two aliases given one variable)."""
        if self.claimed:
            raise ValidationFailed([FieldError("file", ONE_FIELD_EACH)])
        self.claimed = True
        return self.chunks()

    async def chunks(self) -> AsyncIterator[bytes]:
        await self.started.wait()
        while True:
            item = await self.queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item


class UploadError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


ContextFactory = Callable[[Scope], Awaitable[Any]]


def streaming_uploads(
    app: ASGIApp, *, schema: Schema, path: str, context: ContextFactory, max_body: int
) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        plain = cast(dict[str, Any], scope)
        headers = dict(plain.get("headers", [])) if plain["type"] == "http" else {}
        content_type = headers.get(b"content-type", b"")
        if (
            plain["type"] != "http"
            or plain["method"] != "POST"
            or plain["path"] != path
            or not content_type.startswith(b"multipart/form-data")
        ):
            await app(scope, receive, send)
            return
        try:
            if not any(h in headers for h in CSRF_HEADERS):
                raise UploadError(
                    400, "csrf", "Multipart requests need the header 'X-Portal-Upload: 1'."
                )
            body = await run_multipart(scope, receive, content_type, schema, context, max_body)
            status = 200
        except UploadError as exc:
            status, body = exc.status, {"code": exc.code, "message": exc.message}
        except DomainError as exc:
            status, body = exc.status_code, {"code": exc.code, "message": exc.message}
        payload = json.dumps(body).encode()
        start: Any = {
            "type": "http.response.start", "status": status,
            "headers": [(b"content-type", b"application/json"),
                        (b"content-length", str(len(payload)).encode())],
        }  # fmt: skip
        await send(start)
        await send(cast(Any, {"type": "http.response.body", "body": payload}))

    return middleware


def boundary_of(content_type: bytes) -> bytes:
    for part in content_type.split(b";")[1:]:
        name, _, value = part.strip().partition(b"=")
        if name.lower() == b"boundary" and value:
            return value.strip(b'"')
    raise UploadError(400, "bad_request", "The multipart boundary is missing.")


def place_uploads(operations: Any, mapping: Any) -> dict[str, StreamedUpload]:
    """Put an upload object at each variable path the `map` part names."""
    if not isinstance(operations, dict) or not isinstance(mapping, dict):
        raise UploadError(400, "bad_request", "'operations' and 'map' must be JSON objects.")
    uploads: dict[str, StreamedUpload] = {}
    for field, paths in mapping.items():
        upload = uploads[field] = StreamedUpload(field)
        if isinstance(paths, list) and len(paths) > 1:
            raise UploadError(400, "bad_request", f"'map' puts the file {field} in several "
                              "variables: send each file as its own part.")  # fmt: skip
        for dotted in paths if isinstance(paths, list) else []:
            # A file goes into a variable, never in place of the query or of all of them.
            if not isinstance(dotted, str) or not dotted.startswith("variables."):
                raise UploadError(400, "bad_request", f"'map' names no variable at {dotted}.")
            *parents, last = dotted.split(".")
            target: Any = operations
            try:
                for step in parents:
                    target = target[int(step)] if isinstance(target, list) else target[step]
                if isinstance(target, list):
                    target[int(last)] = upload
                elif last in target:  # the spec's null placeholder: a variable the query has
                    target[last] = upload
                else:
                    raise KeyError(last)
            except (KeyError, IndexError, ValueError, TypeError):
                raise UploadError(
                    400, "bad_request", f"'map' names no variable at {dotted}."
                ) from None
    return uploads


async def run_multipart(
    scope: Scope, receive: Receive, content_type: bytes, schema: Schema,
    context: ContextFactory, max_body: int,
) -> dict[str, Any]:  # fmt: skip
    run = MultipartRun(scope, content_type, schema, context)
    try:
        async for event in run.events(receive, max_body):
            await run.take(event)
        result = await run.finish()
    except BaseException:
        if run.execution is not None:
            run.execution.cancel()
        raise
    finally:
        run.parser.close(check_complete=False)
    response: dict[str, Any] = {"data": result.data}
    if result.errors:
        response["errors"] = [error.formatted for error in result.errors]
    return response


def limit_reached(exc: ParserLimitReached) -> str:
    if "segment count" in str(exc):
        return f"A request carries at most {MAX_PARTS} parts."
    if "header" in str(exc):  # a file name of thousands of characters, say
        return "A part's headers are too long."
    return "A part is too large."


class MultipartRun:
    """One request as it is parsed: its JSON parts, its files and the operation, which starts
    as soon as `map` has arrived."""

    def __init__(
        self, scope: Scope, content_type: bytes, schema: Schema, context: ContextFactory
    ) -> None:
        self.scope, self.schema, self.context = scope, schema, context
        self.parser = PushMultipartParser(boundary_of(content_type), max_segment_count=MAX_PARTS)
        self.json_parts: dict[str, bytearray] = {}
        self.uploads: dict[str, StreamedUpload] = {}
        self.execution: asyncio.Task[Any] | None = None
        self.current: StreamedUpload | None = None
        self.segment: MultipartSegment | None = None

    async def events(self, receive: Receive, max_body: int) -> AsyncIterator[Any]:
        """The parser's events as the body arrives, within the request's limits."""
        received = 0
        more = True
        while more:
            message = cast(dict[str, Any], await receive())
            if message["type"] == "http.disconnect":
                raise UploadError(400, "bad_request", "The client went away.")
            chunk: bytes = message.get("body", b"")
            more = bool(message.get("more_body", False))
            received += len(chunk)
            if received > max_body:
                raise UploadError(413, "payload_too_large", "The request is too large.")
            try:
                events = list(self.parser.parse(chunk)) if chunk else []
                if not more:  # the body's end, told to the parser: an unfinished one is refused
                    events += self.parser.parse(b"")
            except ParserLimitReached as exc:
                raise UploadError(413, "payload_too_large", limit_reached(exc)) from None
            except ParserError as exc:
                # The parser's own words, without the Python error some carry along.
                said = exc.args[0] if exc.args else "malformed"
                raise UploadError(400, "bad_request", f"Invalid multipart body: {said}.") from None
            for event in events:
                yield event

    async def take(self, event: Any) -> None:
        if isinstance(event, MultipartSegment):
            self.begin(event)
        elif event:  # a piece of the current part
            if self.current is not None:
                await self.feed(self.current, bytes(event))
            elif self.segment is not None and self.segment.name in self.json_parts:
                buffer = self.json_parts[self.segment.name]
                buffer += event
                if len(buffer) > MAX_JSON_PART:
                    raise UploadError(413, "payload_too_large", "'operations' is too large.")
        else:  # the end of a part
            if self.current is not None:
                await self.feed(self.current, _END)
                self.current = None
            elif self.segment is not None and self.segment.name == "map":
                self.execution = await start(
                    self.json_parts, self.scope, self.schema, self.context, self.uploads
                )
            self.segment = None

    def begin(self, segment: MultipartSegment) -> None:
        self.segment = segment
        if segment.name in ("operations", "map"):
            # Each once: a second 'map' would start the operation a second time.
            if segment.name in self.json_parts:
                raise UploadError(400, "bad_request", f"The part {segment.name!r} is sent twice.")
            self.json_parts[segment.name] = bytearray()
            return
        if self.execution is None or segment.name not in self.uploads:
            raise UploadError(400, "bad_request", f"Unexpected part {segment.name!r}.")
        current = self.current = self.uploads[segment.name]
        current.filename = segment.filename or "file"
        current.content_type = segment.content_type or "application/octet-stream"
        current.started.set()

    async def feed(self, upload: StreamedUpload, item: Any) -> None:
        """Hand a chunk to the resolver, or drop it once nobody will read it."""
        if upload.abandoned:
            return
        if upload.queue.full():
            assert self.execution is not None
            put = asyncio.ensure_future(upload.queue.put(item))
            await asyncio.wait({put, self.execution}, return_when=asyncio.FIRST_COMPLETED)
            if not put.done():
                put.cancel()
                upload.abandoned = True
            return
        upload.queue.put_nowait(item)

    async def finish(self) -> Any:
        """The operation's result, once every mapped file has come (or is known missing)."""
        if self.execution is None:
            raise UploadError(400, "bad_request", "The request has no 'operations' and 'map'.")
        missing = [upload.field for upload in self.uploads.values() if not upload.started.is_set()]
        if missing:  # nothing of it was sent on: the operation stops here
            raise UploadError(400, "bad_request", f"The file mapped as {missing[0]!r} never came.")
        return await self.execution


async def start(
    parts: dict[str, bytearray], scope: Scope, schema: Schema, context: ContextFactory,
    uploads: dict[str, StreamedUpload],
) -> asyncio.Task[Any]:  # fmt: skip
    if "operations" not in parts:
        raise UploadError(400, "bad_request", "The 'operations' part comes before 'map'.")
    try:
        operations = request_json(parts.get("operations", b"") or b"null")
        mapping = request_json(parts.get("map", b"") or b"null")
    except NotRequestJson as refused:
        raise UploadError(400, "bad_request", f"'operations' and 'map': {refused}") from None
    uploads.update(place_uploads(operations, mapping))
    query, variables = operations.get("query"), operations.get("variables")
    name = operations.get("operationName")
    if (refusal := operation_refusal(query, variables, name)) is not None:
        raise UploadError(400, "bad_request", refusal)
    context_value = await context(scope)
    return asyncio.create_task(executed(schema, query, variables, context_value, name))


async def executed(schema: Schema, query: str, variables: Any, context: Any, name: Any) -> Any:
    """The operation's result; one that cannot run over HTTP is the JSON route's 400."""
    try:
        return await schema.execute(
            query, variable_values=variables, context_value=context, operation_name=name
        )
    except CannotGetOperationTypeError as exc:
        raise UploadError(400, "bad_request", exc.as_http_error_reason()) from None
    except InvalidOperationTypeError as exc:
        raise UploadError(400, "bad_request", exc.as_http_error_reason("POST")) from None
