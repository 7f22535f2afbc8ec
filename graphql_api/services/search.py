"""Full-text search of published posts, with or without a text index.

MongoDB ranks with its text index; SecantusDB refuses text indexes, so there a
whole-word match runs instead, examining every published post: the words of a
search are bounded here, and the schema bounds how many such searches run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graphql_api.errors import BadUserInput
from graphql_api.models import Post
from graphql_api.pagination import HINTS


def collection():
    return Post.get_pymongo_collection()


SORT = (("score", -1), ("created_at", -1), ("_id", -1))


@dataclass(frozen=True)
class SearchLimits:
    """Bounds of a search text: each word is a regex (or `$text`) term, so the
    work of a search grows with their number and length (`SEARCH_MAX_*` settings)."""

    max_words: int = 10
    max_word_length: int = 40

    @classmethod
    def of(cls, settings: Any) -> SearchLimits:
        return cls(settings.search_max_words, settings.search_max_word_length)


DEFAULT_LIMITS = SearchLimits()


def search_words(
    text: str, argument: str = "search", limits: SearchLimits = DEFAULT_LIMITS
) -> list[str]:
    # Refuse a huge text before splitting it; a generous bound, separators included.
    if len(text) > 4 * limits.max_words * (limits.max_word_length + 1):
        raise BadUserInput("The search text is too long.", argument=argument)
    words = list(dict.fromkeys(re.findall(r"\w+", text.lower())))
    if not words:
        raise BadUserInput("Search needs at least one word.", argument=argument)
    if len(words) > limits.max_words:
        raise BadUserInput(
            f"Search for at most {limits.max_words} different words.",
            argument=argument,
            maximum=limits.max_words,
        )
    if longest := max((w for w in words if len(w) > limits.max_word_length), default=None, key=len):
        raise BadUserInput(
            f"Search words have at most {limits.max_word_length} characters; "
            f"one has {len(longest)}.",
            argument=argument,
            maximum=limits.max_word_length,
        )
    return words


@dataclass
class SearchHit:
    post: dict[str, Any]
    score: float


async def search_posts(
    text: str, *, limit: int, use_text_index: bool, limits: SearchLimits = DEFAULT_LIMITS
) -> list[SearchHit]:
    """Published posts matching `text`, most relevant first.

    With a text index (MongoDB): `$text`, ranked by MongoDB's text score with
    title weighted 3x content, stemming and stop words included.
    Without one (SecantusDB refuses text indexes): a case-insensitive match of
    each word in title and content, scored 3 per title match and 1 per content
    match, ties broken by recency. Slower and with no stemming, but it finds
    the same posts for whole words.
    """
    words = search_words(text, "query", limits)
    if use_text_index:
        return await _search_with_text_index(words, limit)
    return await _search_with_regex(words, limit)


async def _search_with_text_index(words: list[str], limit: int) -> list[SearchHit]:
    cursor = collection().find(
        {"$text": {"$search": " ".join(words)}, "published": True},
        {"score": {"$meta": "textScore"}},
        sort=[("score", {"$meta": "textScore"}), ("created_at", -1)],
        limit=limit,
    )
    return [SearchHit(post, post.pop("score")) async for post in cursor]


async def _search_with_regex(words: list[str], limit: int) -> list[SearchHit]:
    patterns = [rf"\b{re.escape(word)}\b" for word in words]
    score_terms = [
        {"$cond": [{"$regexMatch": {"input": f"${field}", "regex": p, "options": "i"}}, w, 0]}
        for p in patterns
        for field, w in (("title", 3), ("content", 1))
    ]
    pipeline = [
        {
            "$match": {
                "published": True,
                "$or": [
                    {field: {"$regex": p, "$options": "i"}}
                    for p in patterns
                    for field in ("title", "content")
                ],
            }
        },
        {"$addFields": {"score": {"$add": score_terms}}},
        {"$sort": dict(SORT)},
        {"$limit": limit},
    ]
    hint = {"hint": "published_newest"} if HINTS.allows("published_newest", SORT, {}) else {}
    cursor = await collection().aggregate(pipeline, **hint)
    return [SearchHit(post, float(post.pop("score"))) async for post in cursor]
