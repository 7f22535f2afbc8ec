"""Password hashing with Argon2id (argon2-cffi), off the event loop."""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from graphql_api.errors import BadUserInput
from graphql_api.settings import Settings

MIN_LENGTH = 8
MAX_LENGTH = 256  # bounds the hashing work one request can ask for


@cache
def _hasher(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)


class Passwords:
    def __init__(self, settings: Settings) -> None:
        self._hasher = _hasher(settings.argon2_time_cost, settings.argon2_memory_cost_kib)
        self._dummy: str | None = None

    @staticmethod
    def check_policy(password: str, argument: str = "password") -> None:
        if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
            raise BadUserInput(
                f"A password needs {MIN_LENGTH} to {MAX_LENGTH} characters.", argument=argument
            )

    def hash_sync(self, password: str) -> str:
        return self._hasher.hash(password)

    async def hash(self, password: str) -> str:
        # Argon2 is deliberately slow (tens of ms): keep it off the event loop.
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Check `password`; with no hash (unknown user) spend the same time anyway."""
        if password_hash is None:
            if self._dummy is None:
                self._dummy = await self.hash("not the password of anyone")
            password_hash = self._dummy
            await asyncio.to_thread(self._safe_verify, password_hash, password)
            return False
        return await asyncio.to_thread(self._safe_verify, password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def _safe_verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
