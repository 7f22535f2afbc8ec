"""APQ's registry of queries, per process.

A bounded LRU, as Apollo Server's default: a miss costs one extra round trip
per worker and query, while a shared MongoDB registry would cost a database
round trip on every request and let any anonymous client write to the database.
"""

from __future__ import annotations

from collections import OrderedDict


class QueryRegistry:
    """APQ's registered queries: least recently used go first, bounded in count and size."""

    def __init__(self, max_entries: int, max_chars: int) -> None:
        self.max_entries = max_entries
        self.max_chars = max_chars
        self.chars = 0
        self._queries: OrderedDict[str, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._queries)

    def get(self, key: str) -> str | None:
        query = self._queries.get(key)
        if query is not None:
            self._queries.move_to_end(key)
        return query

    def put(self, key: str, query: str) -> None:
        if key in self._queries or len(query) > self.max_chars or self.max_entries == 0:
            return
        self._queries[key] = query
        self.chars += len(query)
        while len(self._queries) > self.max_entries or self.chars > self.max_chars:
            _, dropped = self._queries.popitem(last=False)
            self.chars -= len(dropped)


__all__ = ["QueryRegistry"]
