"""Failed sign-in counters, kept in MongoDB so every API process sees the same
counts; each counts one time window and is deleted by TTL when it closes."""

from __future__ import annotations

from datetime import datetime

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, IndexModel


class LoginAttempt(Document):
    # "account:<user id>" (unknown names: "account:name:<key>" / "account:email:<email>")
    # or "address:<ip>", with the window's start. See auth/throttle.py.
    key: str
    window_start: datetime
    # Attempts reserved in this window: failures, plus checks still running.
    failures: int = Field(default=0, ge=0)
    expires_at: datetime

    class Settings:
        name = "login_attempts"
        indexes = [
            IndexModel(
                [("key", ASCENDING), ("window_start", ASCENDING)], unique=True, name="key_window"
            ),
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expires_ttl"),
        ]
