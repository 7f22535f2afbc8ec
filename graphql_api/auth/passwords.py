"""Password hashing with Argon2id (argon2-cffi), in a bounded pool off the event loop.

Every Argon2 hash takes ARGON2_MEMORY_COST_KIB of memory and tens of ms of a
core, so a burst of sign-ins must not run them all at once: at most
PASSWORD_HASH_CONCURRENCY run per process (their own threads), and a request
that waits longer than PASSWORD_HASH_QUEUE_TIMEOUT_S for a slot is refused
with SERVICE_BUSY before anything was done, instead of making everybody slow.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from graphql_api.errors import BadUserInput, ServiceBusy
from graphql_api.settings import Settings

MIN_LENGTH = 8
MAX_LENGTH = 256  # bounds the hashing work one request can ask for

T = TypeVar("T")


@cache
def _hasher(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)


class Passwords:
    def __init__(self, settings: Settings) -> None:
        self._hasher = _hasher(settings.argon2_time_cost, settings.argon2_memory_cost_kib)
        self._dummy: str | None = None
        self._concurrency = settings.password_hash_concurrency
        self._queue_timeout = settings.password_hash_queue_timeout_s
        self._slots: asyncio.Semaphore | None = None
        self._executor: ThreadPoolExecutor | None = None

    @staticmethod
    def check_policy(password: str, argument: str = "password") -> None:
        if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
            raise BadUserInput(
                f"A password needs {MIN_LENGTH} to {MAX_LENGTH} characters.", argument=argument
            )

    def hash_sync(self, password: str) -> str:
        """For the CLI (seeding): not bounded, nothing else runs there."""
        return self._hasher.hash(password)

    async def hash(self, password: str) -> str:
        return await self._run(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Check `password`; with no hash (unknown user) spend the same time anyway."""
        if password_hash is None:
            if self._dummy is None:
                self._dummy = await self.hash("not the password of anyone")
            await self._run(self._safe_verify, self._dummy, password)
            return False
        return await self._run(self._safe_verify, password_hash, password)

    async def replace(self, password_hash: str, current: str, new: str) -> str | None:
        """The hash of `new` if `current` matches `password_hash`, else None: both in one
        slot, so a busy pool refuses before the check, never between check and hash."""

        def work() -> str | None:
            return self._hasher.hash(new) if self._safe_verify(password_hash, current) else None

        return await self._run(work)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        """Run `work` on a hashing thread once a slot is free, or refuse (SERVICE_BUSY)."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._concurrency)
            self._executor = ThreadPoolExecutor(self._concurrency, "argon2")
        slots = self._slots
        try:
            async with asyncio.timeout(self._queue_timeout):
                await slots.acquire()
        except TimeoutError:
            raise ServiceBusy(
                "The server is busy checking passwords; nothing was done. Try again shortly.",
                retryAfterSeconds=math.ceil(self._queue_timeout),
            ) from None
        try:
            future = asyncio.get_running_loop().run_in_executor(self._executor, work, *args)
        except BaseException:
            slots.release()
            raise
        # The slot is freed when the hash is really done, even if the request was cancelled.
        future.add_done_callback(lambda _: slots.release())
        return await asyncio.shield(future)

    def _safe_verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
