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
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import DirectiveNode, GraphQLError, Visitor, get_operation_ast, parse, visit
from graphql import OperationType as DocumentOperation
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.http import GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from graphql_api.extensions.errors import INTERNAL_MESSAGE
from graphql_api.http.errors import JSON, TransportError, error_response
from graphql_api.http.negotiation import GRAPHQL_RESPONSE_JSON, accepts, negotiate
from graphql_api.validation import decode_json

logger = logging.getLogger("graphql_api.errors")

# The body this request's check decoded, so that Strawberry's parse (same task,
# same bytes object) reuses it instead of decoding the JSON a second time.
_checked_body: ContextVar[tuple[bytes, object] | None] = ContextVar("checked_body", default=None)

BAD_REQUEST = "BAD_REQUEST"
# The status of a request error under application/graphql-response+json, by code:
# refusals that are not the client's fault keep a 5xx, the rest are 400.
REQUEST_ERROR_STATUS = {
    "INTERNAL_SERVER_ERROR": 500,
    "DB_UNAVAILABLE": 503,
    "DB_TIMEOUT": 504,
    "RATE_LIMITED": 429,
}


def _is_subscription(query: str | None, operation_name: str | None) -> bool:
    if not query or "subscription" not in query:  # skips the parse for nearly every request
        return False
    try:
        operation = get_operation_ast(parse(query), operation_name)
    except GraphQLError:
        return False  # Strawberry reports the syntax error
    return operation is not None and operation.operation == DocumentOperation.SUBSCRIPTION


def _incremental(query: str | None) -> bool:
    """Does the document use @defer or @stream? Read from its syntax tree: GraphQL
    allows `@ defer`, and a string or comment may say "@defer"."""
    if not query or "@" not in query:  # skips the parse for nearly every request
        return False
    try:
        document = parse(query)
    except GraphQLError:
        return False  # Strawberry reports the syntax error
    found = False

    class Directives(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            nonlocal found
            found = found or node.name.value in ("defer", "stream")

    visit(document, Directives())
    return found


def _client_error(error: dict[str, Any]) -> dict[str, Any]:
    if (error.get("extensions") or {}).get("code"):
        return error  # an expected failure (graphql_api.errors): it carries its code
    logger.error("Masked an error of a deferred/streamed payload: %r", error)
    return {**error, "message": INTERNAL_MESSAGE, "extensions": {"code": "INTERNAL_SERVER_ERROR"}}


def _request_error_status(errors: list[dict[str, Any]]) -> int:
    codes = [(error.get("extensions") or {}).get("code") for error in errors]
    return max((REQUEST_ERROR_STATUS.get(code, 400) for code in codes), default=400)


class GraphQLOverHTTP:
    """The HTTP half of the endpoint (see the module docstring)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)  # type: ignore[misc]
            return
        request = Request(scope, receive)
        try:
            response = await self.run(request)  # type: ignore[attr-defined]
        except HTTPException as error:
            response = self.transport_error(request, error)
        await response(scope, receive, send)

    def transport_error(self, request: Request, error: HTTPException) -> Response:
        """Strawberry's refusals (plain text by default) as coded JSON."""
        status, code, message = error.status_code, BAD_REQUEST, error.reason
        headers: dict[str, str] = {}
        cause = error.__cause__
        if isinstance(error, TransportError):
            code, headers = error.code, error.headers
        elif status == 405:
            code, headers = "METHOD_NOT_ALLOWED", {"allow": "GET, POST"}
            message = f"{request.method} is not supported: send GET or POST."
        elif status == 404:
            code = "NOT_FOUND"
        elif isinstance(cause, json.JSONDecodeError) and request.method == "GET":
            message = "The `variables` or `extensions` parameter is not valid JSON."
        elif (
            isinstance(cause, InvalidOperationTypeError)
            and cause.operation_type == OperationType.MUTATION
            and request.method == "GET"
        ):
            # GraphQL over HTTP: a mutation over GET MUST be answered 405.
            status, code, headers = 405, "METHOD_NOT_ALLOWED", {"allow": "POST"}
            message = "Mutations are not allowed over GET: send them with POST."
        media_type = negotiate(request.headers.get("accept"))
        response = error_response(
            status,
            message,
            code,
            media_type=GRAPHQL_RESPONSE_JSON if media_type == GRAPHQL_RESPONSE_JSON else JSON,
            headers=headers,
        )
        response.headers.add_vary_header("Accept")
        return response

    async def get_sub_response(self, request: Any) -> Response:
        sub_response: Response = await super().get_sub_response(request)  # type: ignore[misc]
        if request.scope["type"] == "http":
            sub_response.media_type = negotiate(request.headers.get("accept")) or JSON
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
            await self._check_post_body(request)
        return await super().parse_http_body(request)  # type: ignore[misc]

    async def _check_post_body(self, request: Any) -> None:
        """Refuse, with a code, what Strawberry would refuse in text or fail on with a 500."""
        media_type, _ = parse_content_type(request.content_type or "")
        if media_type != JSON:
            raise TransportError(
                415,
                f"Send the operation as {JSON} (got {media_type or 'no content type'}).",
                "UNSUPPORTED_MEDIA_TYPE",
            )
        body = await request.get_body()
        if not body.strip():
            raise TransportError(400, "The request body is empty.", BAD_REQUEST)
        try:
            # The view's own decoder (graphql_api.validation): values that are JSON but
            # out of range (1e400, 2^70) reach the scalars, which refuse them by argument.
            data = decode_json(body)
            _checked_body.set((body, data))
        except json.JSONDecodeError as error:
            raise TransportError(
                400, f"The request body is not valid JSON in UTF-8: {error}", BAD_REQUEST
            ) from error
        if isinstance(data, list):
            raise TransportError(
                400,
                "Batched operations are not supported: send one per request.",
                "BATCH_NOT_SUPPORTED",
            )
        if not isinstance(data, dict):
            raise TransportError(400, "The request body must be a JSON object.", BAD_REQUEST)
        expected = {
            "query": str,
            "operationName": str,
            "variables": dict,
            "extensions": dict,
        }
        for name, kind in expected.items():
            value = data.get(name)
            if value is not None and not isinstance(value, kind):
                what = "a string" if kind is str else "an object"
                raise TransportError(
                    400, f"`{name}` must be {what} or null, if given.", BAD_REQUEST
                )

    def decode_json(self, data: str | bytes) -> object:
        """Request JSON (HTTP bodies, GET parameters, WebSocket messages) through
        graphql_api.validation's decoder: deep nesting, lone surrogates, NaN are a
        malformed request, never a 500. A body already checked is not decoded again."""
        checked = _checked_body.get()
        if checked is not None and checked[0] is data:
            _checked_body.set(None)
            return checked[1]
        return decode_json(data)

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        # Strawberry would run a subscription over plain HTTP as a query (its multipart
        # transport is off here) and fail inside; say where subscriptions are served.
        data = kwargs.get("request_data")
        if (
            isinstance(data, GraphQLRequestData)
            and data.protocol == "http"
            and _is_subscription(data.query, data.operation_name)
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
            and _incremental(data.query)
            and not accepts(request.headers.get("accept"), "multipart/mixed")
        ):
            raise TransportError(
                406,
                "@defer and @stream answer in parts: accept multipart/mixed.",
                "NOT_ACCEPTABLE",
            )
        return await super().execute_operation(*args, **kwargs)  # type: ignore[misc]

    def encode_json_string(self, data: object) -> str:
        """Frames of a multipart (@defer/@stream) answer. Strawberry hands the later
        frames over as graphql-core made them, past the extensions that mask errors:
        mask here what has no code, as ClientErrors does for the first frame."""
        if isinstance(data, dict):
            for key in ("incremental", "completed"):
                for entry in data.get(key) or ():
                    if entry.get("errors"):
                        entry["errors"] = [_client_error(error) for error in entry["errors"]]
            if data.get("extensions", ...) is None:
                del data["extensions"]
        return orjson.dumps(data).decode()

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
            sub_response.status_code = _request_error_status(data.get("errors") or [])
        return data

    def create_response(self, response_data: object, sub_response: Response) -> Response:
        # orjson: several times faster than json.dumps on large results.
        response = Response(
            orjson.dumps(response_data),
            status_code=sub_response.status_code or 200,
            media_type=sub_response.media_type or JSON,
        )
        response.headers.raw.extend(sub_response.headers.raw)
        response.headers.add_vary_header("Accept")  # the media type depends on it (GET caches)
        response.background = sub_response.background
        return response


__all__ = ["GraphQLOverHTTP"]
