"""Accounts: sessions, password hashing, and sign-in throttling.

Throttling counts failures per account and per client address, so it must know
which proxies may name the client (X-Forwarded-For); hashing is bounded because
each Argon2 run takes real memory and CPU.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Annotated

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import NoDecode


class AccountSettings(BaseModel):
    """Session lifetime, password hashing cost, and who may be throttled how."""

    session_ttl_seconds: int = Field(
        default=14 * 24 * 3600, ge=60, description="A session expires this long after last use."
    )
    session_touch_interval_seconds: int = Field(
        default=300,
        ge=0,
        description="Slide a session's expiry at most this often (saves a write per request).",
    )
    login_window_seconds: int = Field(default=900, ge=1)
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=50, ge=1)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost_kib: int = Field(default=65536, ge=8)

    # --- sign-in throttling and proxies ----------------------------------------
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Proxies (IPs or CIDRs) whose X-Forwarded-For is believed; empty: none, "
        "the client address is the TCP peer's. JSON list or comma-separated.",
    )
    password_hash_concurrency: int = Field(
        default=2,
        ge=1,
        description="Argon2 hashes/verifications run at once per process (each uses "
        "ARGON2_MEMORY_COST_KIB of memory).",
    )
    password_hash_queue_timeout_s: float = Field(
        default=1.0,
        gt=0,
        description="How long a sign-in waits for a hashing slot before SERVICE_BUSY.",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            if value.lstrip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies", mode="after")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network, strict=False)  # ValueError: a clear settings error
        return value
