"""Posts: drafts, publishing, listing and full-text search."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pymongo import ReturnDocument

from graphql_api.errors import BadUserInput, NotFound
from graphql_api.models import Post, User, utcnow
from graphql_api.pagination import Page, PageRequest, paginate
from graphql_api.validation import build, parse_object_id, validate_fields

NEWEST_FIRST = [("created_at", -1), ("_id", -1)]
MAX_SEARCH_WORDS = 10


def _collection():
    return Post.get_pymongo_collection()


async def create_post(
    *, author_id: str, title: str, content: str, tags: list[str], published: bool
) -> dict[str, Any]:
    author = parse_object_id(author_id, "authorId")
    if not await User.get_pymongo_collection().count_documents(
        {"_id": author, "is_active": True}, limit=1
    ):
        raise NotFound(f"No active user with id {author_id}.", argument="authorId")
    now = utcnow()
    post = build(
        Post,
        author_id=author,
        title=title,
        content=content,
        tags=tags,
        published=published,
        published_at=now if published else None,
        created_at=now,
        updated_at=now,
    )
    await post.insert()
    return post.model_dump(by_alias=True)


async def get_post(post_id: str) -> dict[str, Any] | None:
    return await _collection().find_one({"_id": parse_object_id(post_id)})


async def update_post(post_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    values = validate_fields(Post, changes)
    if "tags" in values:
        values["tags"] = list(dict.fromkeys(values["tags"]))
    return await _update(post_id, {"$set": {**values, "updated_at": utcnow()}})


async def publish_post(post_id: str) -> dict[str, Any]:
    """Publish a draft; publishing a published post changes nothing."""
    oid = parse_object_id(post_id)
    now = utcnow()
    post = await _collection().find_one_and_update(
        {"_id": oid, "published": False},
        {"$set": {"published": True, "published_at": now, "updated_at": now}},
        return_document=ReturnDocument.AFTER,
    )
    return post or await _existing(post_id)


async def delete_post(post_id: str) -> None:
    result = await _collection().delete_one({"_id": parse_object_id(post_id)})
    if not result.deleted_count:
        raise NotFound(f"No post with id {post_id}.")


async def list_published_posts(
    page: PageRequest, *, author_id: str | None, default_size: int, max_size: int
) -> Page:
    filter: dict[str, Any] = {"published": True}
    if author_id is not None:
        filter["author_id"] = parse_object_id(author_id, "authorId")
    return await paginate(
        _collection(), filter, NEWEST_FIRST, page, default_size=default_size, max_size=max_size
    )


@dataclass
class SearchHit:
    post: dict[str, Any]
    score: float


async def search_posts(text: str, *, limit: int, use_text_index: bool) -> list[SearchHit]:
    """Published posts matching `text`, most relevant first.

    With a text index (MongoDB): `$text`, ranked by MongoDB's text score with
    title weighted 3x content, stemming and stop words included.
    Without one (SecantusDB refuses text indexes): a case-insensitive match of
    each word in title and content, scored 3 per title match and 1 per content
    match, ties broken by recency. Slower and with no stemming, but it finds
    the same posts for whole words.
    """
    words = list(dict.fromkeys(re.findall(r"\w+", text.lower())))[:MAX_SEARCH_WORDS]
    if not words:
        raise BadUserInput("Search needs at least one word.", argument="query")
    if use_text_index:
        return await _search_with_text_index(words, limit)
    return await _search_with_regex(words, limit)


async def _search_with_text_index(words: list[str], limit: int) -> list[SearchHit]:
    cursor = _collection().find(
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
        {"$sort": {"score": -1, "created_at": -1, "_id": -1}},
        {"$limit": limit},
    ]
    cursor = await _collection().aggregate(pipeline)
    return [SearchHit(post, float(post.pop("score"))) async for post in cursor]


async def _update(post_id: str, update: dict[str, Any]) -> dict[str, Any]:
    post = await _collection().find_one_and_update(
        {"_id": parse_object_id(post_id)}, update, return_document=ReturnDocument.AFTER
    )
    if post is None:
        raise NotFound(f"No post with id {post_id}.")
    return post


async def _existing(post_id: str) -> dict[str, Any]:
    post = await get_post(post_id)
    if post is None:
        raise NotFound(f"No post with id {post_id}.")
    return post
