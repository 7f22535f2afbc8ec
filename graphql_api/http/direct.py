"""Planned reads answered by the HTTP view itself, past Strawberry's per-request machinery.

A read the planner serves (graphql_api.execution) still went through Strawberry's
view and a dozen extension hooks per request, which cost more CPU than the read.
Most of that work depends only on the document: parsing, validation, the limits
on depth, aliases and tokens, introspection, persisted-document rules. So once a
document has gone the whole way and its plan has answered (`Planner.prepared`),
a later POST of the same text is answered here, with only what depends on the
request done again, in the extensions' order and with their code:

- the database must be available (else DB_UNAVAILABLE: the whole way says so);
- the bearer token's session is looked up (the cached lookup), and whose budget
  pays is decided as `QueryCostLimiter` decides it;
- the variables are coerced, the operation priced (its maximum, the budget) and
  charged (a price is kept per operation and per value of the variables it
  depends on: `graphql_api.limits.cost.Prices`); a token whose session is not
  valid is refused the whole way;
- the plan runs; its metrics and log line are recorded as `RequestLog` records them;
- the body is `{"data", "extensions": {"cost"}}`, as the whole way writes it.

Whatever is not that plain case (another content type, extensions or a
`documentId` in the body, trusted documents only, anything to refuse, a plan
that does not answer) goes the whole way, with nothing charged: the answer,
errors and codes are then Strawberry's, as always. tests/test_direct_reads.py
holds both ways to the same bytes.
"""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from strawberry.http.parse_content_type import parse_content_type

from graphql_api import metrics, outcomes
from graphql_api.execution.extension import Planner
from graphql_api.extensions.cost_limit import budget, operation_cost
from graphql_api.extensions.request_log import record_operation
from graphql_api.http.body import decoded_body
from graphql_api.http.errors import JSON
from graphql_api.http.negotiation import negotiate
from graphql_api.http.sub_response import SubResponse
from graphql_api.settings import Settings

_FIELDS = frozenset({"query", "variables", "operationName"})


class DirectReads:
    """The direct answer of one endpoint (its schema's planner and settings)."""

    def __init__(self, planner: Planner, schema: Any, settings: Settings) -> None:
        self.planner = planner
        self.schema = schema
        self.settings = settings

    async def respond(self, view: Any, request: Request) -> Response | None:
        """The response, or None: the request goes the whole way."""
        scope = request.scope
        found = scope.get("graphql_api.entry")
        if found is not None:  # the entry (graphql_api.http.entry) checked the content type
            accept = found.get(b"accept")
            media_type = negotiate(None if accept is None else accept.decode("latin-1"))
            raw = scope.get("graphql_api.body")
        else:
            headers = request.headers
            content_type = headers.get("content-type")
            if content_type is None or (
                content_type != JSON and parse_content_type(content_type)[0] != JSON
            ):  # the plain header, the common one, is not parsed (an email.Message each time)
                return None
            media_type = negotiate(headers.get("accept"))
            raw = None
        if media_type is None:
            return None
        try:
            body = decoded_body(raw if raw is not None else await request.body())
        except json.JSONDecodeError:
            return None
        if type(body) is not dict or not body.keys() <= _FIELDS:
            return None
        query, variables = body.get("query"), body.get("variables")
        name = body.get("operationName")
        if (
            type(query) is not str
            or (variables is not None and type(variables) is not dict)
            or (name is not None and type(name) is not str)
        ):
            return None
        operation = self.planner.prepared(query, name)
        if operation is None:
            return None
        sub_response = SubResponse(media_type)  # the view's, without `request.state`
        context = await view.get_context(request, sub_response)
        started = time.perf_counter()
        counting = metrics.start_counting_round_trips()
        try:
            answer = await self._answer(context, operation, query, name, variables or {})
        finally:
            round_trips = metrics.stop_counting_round_trips(counting)
        self.planner.count(answer is not None)
        if answer is None:
            return None
        record_operation(name, "query", [], time.perf_counter() - started, round_trips, context)
        return view.create_response(answer, sub_response)

    async def _answer(
        self,
        context: Any,
        operation: Any,
        query: str,
        name: str | None,
        variables: dict[str, Any],
    ) -> dict[str, Any] | None:
        settings, database = self.settings, context.database
        context.begin_operation()  # OperationScope
        if not database.available:
            return None  # DatabaseAvailability
        # QueryCostLimiter.on_operation; a client in debt is refused by `charge` below.
        buckets, key = await budget(context, settings)
        cost = await operation_cost(
            self.schema, operation.document, name, variables, settings, database, operation.prices
        )
        if cost > settings.max_query_cost:
            return None
        if context.token is not None:  # OperationScope.on_execute
            try:
                if await context.viewer() is None:
                    return None
            except Exception:  # the whole way codes it
                return None
        report: dict[str, Any] = {"requestedQueryCost": cost}
        charged = buckets is not None and key is not None
        if charged:
            charge = buckets.charge(key, cost)
            if not charge.allowed:
                return None  # charge() took nothing: the whole way refuses it
            report["throttleStatus"] = buckets.throttle_status(charge.available)
        outcomes.clear()  # ClientErrors: a read
        data = await self.planner.serve(
            operation, (query, name), self.schema, variables, context, None
        )
        if data is None:
            if charged:
                buckets.refund(key, cost)  # the whole way charges it
            return None
        return {"data": data, "extensions": {"cost": report}}


def direct_reads(schema: Any, settings: Settings) -> DirectReads | None:
    """The direct answer for `schema`, if it plans reads and nothing forbids it:
    trusted documents only must see every text (the persisted-documents extension)."""
    planner = next(
        (getattr(extension, "planner", None) for extension in schema.extensions
         if isinstance(getattr(extension, "planner", None), Planner)),
        None,
    )  # fmt: skip
    if planner is None or settings.trusted_documents_only:
        return None
    return DirectReads(planner, schema, settings)


__all__ = ["DirectReads", "direct_reads"]
