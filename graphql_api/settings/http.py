"""What the HTTP endpoint offers and to whom: the explorer, persisted operations, browsers.

The cross-field rules live beside the fields they join, so that a combination that
cannot work (credentials for any origin, "trusted documents only" without any)
stops the process at start-up instead of failing requests later.
"""

from __future__ import annotations

from typing import Annotated, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import NoDecode
from strawberry.http.websocket_origin import normalize_origin


class GraphQLSettings(BaseModel):
    """What the endpoint shows of itself (production may hide both), and how it executes."""

    graphiql: bool = Field(default=True, description="Serve the GraphiQL explorer to browsers.")
    introspection: bool = Field(default=True, description="Answer introspection queries.")
    planned_execution: bool = Field(
        default=True,
        description="Answer read queries from a cached execution plan instead of "
        "graphql-core's generic executor (anything a plan can't serve exactly still "
        "goes to graphql-core). Off: every operation through graphql-core.",
    )


class PersistedSettings(BaseModel):
    """Persisted operations: registered by hash (APQ), or known in advance (trusted documents)."""

    apq: bool = Field(
        default=True, description="Automatic Persisted Queries: run a registered query by hash."
    )
    apq_cache_size: int = Field(
        default=1000, ge=0, description="Registered queries kept per worker (LRU)."
    )
    apq_cache_max_chars: int = Field(
        default=4_000_000, ge=0, description="Total size of the registered queries per worker."
    )
    get_cache_max_age_s: int = Field(
        default=0,
        ge=0,
        description="Cache-Control max-age of successful anonymous GET queries (CDN caching); "
        "0: `no-store`. Signed-in viewers always get `private, no-store`.",
    )
    trusted_documents: str | None = Field(
        default=None,
        description="Comma-separated manifests of the clients' documents ({sha256: document}).",
    )
    trusted_documents_only: bool = Field(
        default=False, description="Run only the documents of TRUSTED_DOCUMENTS."
    )

    @model_validator(mode="after")
    def _trusted_documents_only_needs_manifests(self) -> Self:
        if self.trusted_documents_only and not (self.trusted_documents or "").strip():
            raise ValueError("TRUSTED_DOCUMENTS_ONLY=true needs TRUSTED_DOCUMENTS (manifest paths)")
        return self


class HttpSettings(BaseModel):
    """Browsers (CORS, CSRF) and the shape of responses (compression, incremental delivery)."""

    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Browser origins allowed to call the API (CORS and WebSockets), "
        "comma-separated, e.g. `https://app.example.com`; `*` for any. Empty: same-origin only.",
    )
    cors_allow_credentials: bool = Field(
        default=False,
        description="Let allowed origins send cookies/credentials (never with `*`).",
    )
    cors_max_age_s: int = Field(
        default=600, ge=0, description="How long browsers cache a preflight."
    )
    csrf_prevention: bool = Field(
        default=True,
        description="Refuse operations a browser could send cross-site without a preflight.",
    )
    compression_min_bytes: int = Field(
        default=1024,
        ge=0,
        description="Compress (zstd/br/gzip by Accept-Encoding) responses at least this large; "
        "0 turns compression off.",
    )

    incremental_delivery: bool = Field(
        default=True,
        description="Serve `@defer` and `@stream` (multipart/mixed) to clients that accept it.",
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _normalize_origins(cls, origins: list[str]) -> list[str]:
        """In the form browsers send in `Origin` (lower case, no default port): compared as is."""
        normalized = []
        for origin in origins:
            if origin == "*":
                normalized.append(origin)
                continue
            form = normalize_origin(origin)
            parts = urlsplit(origin)
            if form is None or parts.path not in ("", "/") or parts.query or parts.username:
                raise ValueError(f"{origin!r} is not an origin like https://app.example.com")
            normalized.append(form)
        return normalized

    @model_validator(mode="after")
    def _no_wildcard_with_credentials(self) -> Self:
        if self.cors_allow_credentials and "*" in self.allowed_origins:
            raise ValueError("ALLOWED_ORIGINS='*' cannot be combined with CORS_ALLOW_CREDENTIALS")
        return self
