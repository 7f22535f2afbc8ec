"""GraphQL over HTTP for Strawberry's ASGI view: media types, status codes, coded refusals.

Mixed into the endpoint in front of `strawberry.asgi.GraphQL`, through its public
hooks only (`__call__`, `get_sub_response`, `parse_http_body`, `process_result`,
`create_response`):

- the answer is `application/graphql-response+json` when the client's `Accept`
  prefers it, else `application/json` (also for `*/*` or no `Accept`); with the
  new type a request error (parse, validation, variables: no `data`) is a 4xx, as
  the GraphQL-over-HTTP spec says; `application/json` keeps 200 for those;
- every refusal before execution (bad JSON or UTF-8, `null`, a batch, a wrong
  content type or method, a mutation over GET) is a JSON body with
  `errors[].extensions.code` and its proper status, never text and never a 500.

The hooks stay here; what they decide is in the modules next to this one: `body`
(POST bodies), `documents` (subscriptions, @defer/@stream), `refusals` (statuses
and coded refusals), `frames` (multipart frames), `negotiation` (`Accept`).
"""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.http import GraphQLRequestData

from graphql_api.http.body import check_post_body, decode_request_json
from graphql_api.http.direct import DirectReads
from graphql_api.http.documents import is_incremental, is_subscription
from graphql_api.http.errors import JSON, TransportError
from graphql_api.http.frames import encode_frame
from graphql_api.http.negotiation import GRAPHQL_RESPONSE_JSON, accepts, negotiate
from graphql_api.http.refusals import request_error_status, transport_error
from graphql_api.http.sub_response import SubResponse


class GraphQLOverHTTP:
    """The HTTP half of the endpoint (see the module docstring)."""

    #: Planned reads answered without Strawberry's per-request machinery (graphql_api.http.direct).
    direct: DirectReads | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)  # type: ignore[misc]
            return
        request = Request(scope, receive)
        if self.direct is not None and scope["method"] == "POST":
            response = await self.direct.respond(self, request)
            if response is not None:
                await response(scope, receive, send)
                return
        try:
            response = await self.run(request)  # type: ignore[attr-defined]
        except HTTPException as error:
            response = self.transport_error(request, error)
        await response(scope, receive, send)

    def transport_error(self, request: Request, error: HTTPException) -> Response:
        """Strawberry's refusals (plain text by default) as coded JSON."""
        return transport_error(request, error)

    async def get_sub_response(self, request: Any) -> Response:
        if request.scope["type"] != "http":
            return SubResponse()
        sub_response = SubResponse(negotiate(request.headers.get("accept")) or JSON)
        request.state.graphql_sub_response = sub_response
        return sub_response

    async def parse_http_body(self, request: Any) -> Any:
        if negotiate(request.headers.get("accept")) is None:
            raise TransportError(
                406,
                f"Cannot answer in any type of Accept: send {GRAPHQL_RESPONSE_JSON} or {JSON}.",
                "NOT_ACCEPTABLE",
            )
        if request.method == "POST":
            await check_post_body(request)
        return await super().parse_http_body(request)  # type: ignore[misc]

    def decode_json(self, data: str | bytes) -> object:
        """Request JSON (HTTP bodies, GET parameters, WebSocket messages) through
        graphql_api.validation's decoder: deep nesting, lone surrogates, NaN are a
        malformed request, never a 500. A body already checked is not decoded again."""
        return decode_request_json(data)

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        # Strawberry would run a subscription over plain HTTP as a query (its multipart
        # transport is off here) and fail inside; say where subscriptions are served.
        data = kwargs.get("request_data")
        if (
            isinstance(data, GraphQLRequestData)
            and data.protocol == "http"
            and is_subscription(data.query, data.operation_name)
        ):
            raise TransportError(
                400,
                "Subscriptions are served over WebSocket at this path "
                "(graphql-transport-ws or graphql-ws), not over HTTP.",
                "WEBSOCKET_REQUIRED",
            )
        request = kwargs.get("request")
        if (
            isinstance(data, GraphQLRequestData)
            and request is not None
            and is_incremental(data.query)
            and not accepts(request.headers.get("accept"), "multipart/mixed")
        ):
            raise TransportError(
                406,
                "@defer and @stream answer in parts: accept multipart/mixed.",
                "NOT_ACCEPTABLE",
            )
        return await super().execute_operation(*args, **kwargs)  # type: ignore[misc]

    def encode_json_string(self, data: object) -> str:
        """Frames of a multipart (@defer/@stream) answer, their uncoded errors masked
        (graphql_api.http.frames)."""
        return encode_frame(data)

    async def process_result(self, request: Any, result: Any) -> Any:
        data = await super().process_result(request, result)  # type: ignore[misc]
        sub_response = getattr(request.state, "graphql_sub_response", None)
        if (
            sub_response is not None
            and sub_response.media_type == GRAPHQL_RESPONSE_JSON
            and result.data is None
            and result.errors
            and all(error.path is None for error in result.errors)
        ):
            # A request error: the operation never started, so there is no `data`.
            data.pop("data", None)
            sub_response.status_code = request_error_status(data.get("errors") or [])
        return data

    def create_response(self, response_data: object, sub_response: Response) -> Response:
        # orjson: several times faster than json.dumps on large results.
        response = Response(
            orjson.dumps(response_data),
            status_code=sub_response.status_code or 200,
            media_type=sub_response.media_type or JSON,
        )
        raw = response.raw_headers  # lower-case names, as Starlette keeps them
        raw.extend(sub_response.raw_headers)
        if any(name == b"vary" for name, _ in raw):
            response.headers.add_vary_header("Accept")  # the media type depends on it
        else:
            raw.append((b"vary", b"Accept"))  # what add_vary_header does, without a view
        response.background = sub_response.background
        return response


__all__ = ["GraphQLOverHTTP"]
