"""Per-client cost budgets: leaky buckets in the manner of Shopify's GraphQL limits.

A client (a signed-in user, else a client address) holds up to `capacity`
points, regains `restore_per_s` points a second, and each operation spends its
calculated cost before it runs; an operation that would overdraw is refused
with RATE_LIMITED and the seconds until it would fit.

The buckets live in this process's memory: checking one costs no database
round trip, and a refused operation costs the database nothing. With N worker
processes a client may get up to N budgets (requests are spread by the
kernel), so a strict budget is the setting divided by the worker count.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql_api.auth.client_address import client_network


@dataclass(frozen=True)
class Charge:
    allowed: bool
    available: float  # points left after this charge (or now, if refused)
    retry_after: float  # seconds until the refused cost would fit; 0 if allowed


class Buckets:
    """Leaky buckets by client key, the least recently used dropped past `max_clients`.

    A dropped bucket comes back full, which is what an idle client's bucket
    would have been anyway; an active client is never the least recent.
    """

    def __init__(
        self,
        capacity: float,
        restore_per_s: float,
        max_clients: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.restore_per_s = restore_per_s
        self.max_clients = max_clients
        self.clock = clock
        self._levels: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def available(self, key: str) -> float:
        level, at = self._levels.get(key, (self.capacity, self.clock()))
        return min(self.capacity, level + (self.clock() - at) * self.restore_per_s)

    def charge(self, key: str, cost: float) -> Charge:
        # An operation dearer than the whole bucket needs a full one, and empties it.
        cost = min(cost, self.capacity)
        now = self.clock()
        available = self.available(key)
        if available < cost:
            return Charge(False, available, (cost - available) / self.restore_per_s)
        self._levels[key] = (available - cost, now)
        self._levels.move_to_end(key)
        while len(self._levels) > self.max_clients:
            self._levels.popitem(last=False)
        return Charge(True, available - cost, 0.0)

    def refund(self, key: str, cost: float) -> None:
        """Give back what `charge(key, cost)` took, for work handed to another path
        that charges it again (graphql_api.http.direct)."""
        found = self._levels.get(key)
        if found is not None:
            level, at = found
            self._levels[key] = (min(self.capacity, level + min(cost, self.capacity)), at)

    def debit(self, key: str, points: float) -> float:
        """Take `points` even if that leaves the bucket in debt (down to -capacity):
        the price of refused operations. Returns what is left."""
        left = max(-self.capacity, self.available(key) - points)
        self._levels[key] = (left, self.clock())
        self._levels.move_to_end(key)
        while len(self._levels) > self.max_clients:
            self._levels.popitem(last=False)
        return left

    def throttle_status(self, available: float) -> dict[str, Any]:
        """What a response reports in `extensions.cost.throttleStatus`."""
        return {
            "maximumAvailable": self.capacity,
            "currentlyAvailable": math.floor(available),
            "restoreRate": self.restore_per_s,
        }

    def refusal_message(self, available: float, seconds: int, cost: int | None = None) -> str:
        """The RATE_LIMITED message: what the budget holds and when to come back."""
        needs = f"This operation costs {cost} points; your" if cost is not None else "Your"
        return (
            f"{needs} budget has {math.floor(available)} of {self.capacity} and "
            f"regains {self.restore_per_s:g} a second. Try again in {seconds} s."
        )


def client_key(user_id: Any, address: str | None) -> str:
    """Whose budget pays: the user if signed in, else the address (IPv6 by /64)."""
    if user_id is not None:
        return f"user:{user_id}"
    return f"address:{client_network(address)}"
