"""Send the generated client's operations by hash: persisted documents and Automatic
Persisted Queries, as graphql_api expects (copied into the package by ariadne-codegen).

`Client(url=..., http_client=PersistedHttpClient(headers=...))`: every operation goes as
`extensions.persistedQuery.sha256Hash` of its document (whitespace-trimmed, the text that
`persisted_documents.py` hashes into persisted-documents.json). A server that trusts the
manifest runs it at once; one that only knows APQ answers PERSISTED_QUERY_NOT_FOUND the
first time and the client resends the document with the hash, once. With `get=True`,
queries go as GET requests (cacheable by a CDN); mutations always POST.
"""

import hashlib
import json
import textwrap
from typing import Any

import httpx

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"


def normalized(query: str) -> str:
    """The document as the manifest has it: the client's text without its indentation."""
    return textwrap.dedent(query).strip()


def document_id(query: str) -> str:
    return hashlib.sha256(normalized(query).encode()).hexdigest()


def _not_found(response: httpx.Response) -> bool:
    try:
        errors = response.json().get("errors") or []
    except (ValueError, AttributeError):
        return False
    return any((error.get("extensions") or {}).get("code") == NOT_FOUND for error in errors)


class PersistedHttpClient:
    """An `HttpClient` for the generated `Client` that sends hashes instead of documents."""

    def __init__(
        self,
        headers: dict[str, str] | None = None,
        get: bool = False,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.http = http_client or httpx.AsyncClient(headers=headers)
        self.get = get

    async def post(self, url: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        if not isinstance(json, dict) or not isinstance(json.get("query"), str):
            return await self.http.post(url, json=json, **kwargs)
        query = normalized(json["query"])
        extensions = {"persistedQuery": {"version": 1, "sha256Hash": document_id(query)}}
        by_hash = {k: v for k, v in json.items() if k != "query"} | {"extensions": extensions}
        if self.get and query.startswith(("query", "{")):
            response = await self._get(url, by_hash, **kwargs)
        else:
            response = await self.http.post(url, json=by_hash, **kwargs)
        if _not_found(response):  # unknown to this worker: register it (APQ)
            response = await self.http.post(url, json=by_hash | {"query": query}, **kwargs)
        return response

    async def _get(self, url: str, body: dict, **kwargs: Any) -> httpx.Response:
        params = {
            key: value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
            for key, value in body.items()
            if value is not None
        }
        headers = {**kwargs.pop("headers", {}), "apollo-require-preflight": "true"}
        return await self.http.get(url, params=params, headers=headers, **kwargs)

    async def aclose(self) -> None:
        await self.http.aclose()
