"""The GraphQL endpoint's HTTP layer: Strawberry's Litestar controller, refusing what is no
GraphQL request (a body that is not JSON or not an object, a `query` that is not a string, an
unknown operation name, a query by GET) with the portal's coded error body, not plain text."""

from __future__ import annotations

from typing import Any, ClassVar

from cross_web import HTTPException
from litestar import Request, Response
from litestar.background_tasks import BackgroundTasks
from litestar.di import Provide
from litestar.types import Dependencies
from strawberry.http.parse_content_type import parse_content_type
from strawberry.litestar import make_graphql_controller
from strawberry.litestar.controller import GraphQLController

from gateway.request_json import NotRequestJson, request_json
from gateway.schema.socket import CheckedTransportWSHandler
from shared.errors import ErrorBody

NOT_AN_OBJECT = "The request must be a JSON object with the GraphQL `query`."
NOT_GRAPHQL_MEDIA = "Send GraphQL as application/json, or as multipart/form-data with files."
# Strawberry's refusals by status; every other one is a plain bad request.
CODES = {405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type"}


def coded_graphql_controller(schema: Any, **options: Any) -> type[GraphQLController]:
    """`make_graphql_controller(schema, **options)`, its refusals as `ErrorBody`."""
    base: Any = make_graphql_controller(schema, **options)

    class CodedGraphQLController(base):  # type: ignore[misc]
        graphql_transport_ws_handler_class = CheckedTransportWSHandler
        # Strawberry makes each request's Response object in a worker thread (a thread hop
        # per request for two lines of work): made on the loop instead.
        dependencies: ClassVar[Dependencies] = {
            **base.dependencies,
            "response": Provide(new_response, sync_to_thread=False),
        }

        async def execute_request(
            self, request: Request[Any, Any, Any], context: Any, root_value: Any
        ) -> Response[Any]:
            try:
                response: Response[Any] = await self.run(
                    request, context=context, root_value=root_value
                )
            except HTTPException as refused:
                return refusal(refused)
            return response

        async def parse_http_body(self, request: Any) -> Any:
            # Strawberry calls any other body a plain bad request; HTTP's word for it is 415.
            media, _ = parse_content_type(request.content_type or "")
            if request.method != "GET" and not (
                "application/json" in media or media == "multipart/form-data"
            ):
                raise HTTPException(415, NOT_GRAPHQL_MEDIA)
            return await super().parse_http_body(request)

        def parse_json(self, data: str | bytes) -> Any:
            # Strawberry reads `.get("query")` from whatever JSON came: a string would be a 500.
            try:
                parsed = request_json(data)
            except NotRequestJson as refused:
                raise HTTPException(400, str(refused)) from None
            if not isinstance(parsed, dict | list):
                raise HTTPException(400, NOT_AN_OBJECT)
            return parsed

    return CodedGraphQLController


def new_response() -> Response[Any]:
    """What Strawberry's own getter makes, for the resolvers to set headers and cookies on."""
    return Response({}, background=BackgroundTasks([]))


def refusal(refused: HTTPException) -> Response[ErrorBody]:
    code = CODES.get(refused.status_code, "bad_request")
    return Response(ErrorBody(code=code, message=refused.reason), status_code=refused.status_code)
