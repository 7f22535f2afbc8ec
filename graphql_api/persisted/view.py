"""The HTTP view's part of persisted documents: reading a top-level `documentId`.

Strawberry keeps only query/variables/operationName/extensions of a request, so
GraphQL-over-HTTP's `documentId` would be dropped before the schema extension
could resolve it; here it is carried over into the extensions.
"""

from __future__ import annotations

from typing import Any

import orjson
from strawberry.http import GraphQLRequestData

from graphql_api.persisted.request import DOCUMENT_ID


class PersistedDocumentsView:
    """Mixin for the HTTP view: Strawberry keeps only query/variables/operationName/
    extensions, so a top-level `documentId` is moved into the extensions here."""

    async def parse_http_body(self, request: Any) -> Any:
        data = await super().parse_http_body(request)  # type: ignore[misc]
        if not isinstance(data, GraphQLRequestData):
            return data
        if request.method == "GET":
            document_id = request.query_params.get(DOCUMENT_ID)
        else:
            raw = await request.get_body()  # read once by Strawberry, cached
            try:
                body = orjson.loads(raw) if DOCUMENT_ID.encode() in raw else None
            except orjson.JSONDecodeError:  # multipart
                body = None
            document_id = body.get(DOCUMENT_ID) if isinstance(body, dict) else None
        if document_id is not None:
            data.extensions = {**(data.extensions or {}), DOCUMENT_ID: document_id}
        return data

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET by hash has no `query` parameter, but it is an operation, not a page.
        params = request.query_params
        if params.get("extensions") is not None or params.get(DOCUMENT_ID) is not None:
            return False
        return super().should_render_graphql_ide(request)  # type: ignore[misc]


__all__ = ["PersistedDocumentsView"]
