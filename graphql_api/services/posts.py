"""Posts: drafts, publishing, listing and full-text search."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument

from graphql_api.auth.rules import ensure_can_edit_post
from graphql_api.auth.viewer import Viewer
from graphql_api.errors import BadUserInput, NotFound
from graphql_api.models import Post, utcnow
from graphql_api.pagination import ListQuery
from graphql_api.validation import build, validate_fields

MAX_SEARCH_WORDS = 10


class PostSort(Enum):
    NEWEST_FIRST = (("created_at", -1), ("_id", -1))
    OLDEST_FIRST = (("created_at", 1), ("_id", 1))


def collection():
    return Post.get_pymongo_collection()


def search_words(text: str, argument: str = "search") -> list[str]:
    words = list(dict.fromkeys(re.findall(r"\w+", text.lower())))[:MAX_SEARCH_WORDS]
    if not words:
        raise BadUserInput("Search needs at least one word.", argument=argument)
    return words


def posts_query(
    *,
    published: bool = True,
    author_id: ObjectId | None = None,
    tag: str | None = None,
    search: str | None = None,
    use_text_index: bool = False,
    sort: PostSort = PostSort.NEWEST_FIRST,
) -> ListQuery:
    """Posts in `sort` order; each combination names the index that serves it.

    An author's posts are walked on (author_id, published, created_at) with a
    tag checked on the way (authors have few posts); otherwise a tag uses
    (tags, published, created_at). Search words must all appear: `$text` with
    quoted words on MongoDB; on servers without a text index a whole-word
    regex, checked on the posts the index yields, newest first.
    """
    filter: dict[str, Any] = {"published": published}
    residual: list[str] = []
    index = "published_newest"
    if author_id is not None:
        filter["author_id"] = author_id
        index = "author_published_newest"
    if tag is not None:
        filter["tags"] = validate_fields(Post, {"tags": [tag]})["tags"][0]
        if author_id is None:
            index = "tag_published_newest"
        else:
            residual.append("tags")
    if search is not None:
        words = search_words(search)
        if use_text_index:
            filter["$text"] = {"$search": " ".join(f'"{word}"' for word in words)}
        else:
            filter["$and"] = [
                {
                    "$or": [
                        {name: {"$regex": rf"\b{re.escape(word)}\b", "$options": "i"}}
                        for name in ("title", "content")
                    ]
                }
                for word in words
            ]
            residual.append("$and")
    return ListQuery(filter, sort.value, index, tuple(residual))


async def create_post(
    *, author_id: ObjectId, title: str, content: str, tags: list[str], published: bool
) -> dict[str, Any]:
    """`author_id` is the signed-in viewer: authentication has checked it is active."""
    now = utcnow()
    post = build(
        Post,
        author_id=author_id,
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


async def _editable(viewer: Viewer, post_id: ObjectId) -> dict[str, Any]:
    return ensure_can_edit_post(
        viewer, await collection().find_one({"_id": post_id}, {"author_id": 1, "published": 1})
    )


async def update_post(viewer: Viewer, post_id: ObjectId, changes: dict[str, Any]) -> dict[str, Any]:
    values = validate_fields(Post, changes)
    await _editable(viewer, post_id)
    if "tags" in values:
        values["tags"] = list(dict.fromkeys(values["tags"]))
    return await _update(post_id, {"$set": {**values, "updated_at": utcnow()}})


async def publish_post(viewer: Viewer, post_id: ObjectId) -> dict[str, Any]:
    """Publish a draft; publishing a published post changes nothing."""
    await _editable(viewer, post_id)
    oid = post_id
    now = utcnow()
    post = await collection().find_one_and_update(
        {"_id": oid, "published": False},
        {"$set": {"published": True, "published_at": now, "updated_at": now}},
        return_document=ReturnDocument.AFTER,
    )
    return post or await _existing(post_id)


async def delete_post(viewer: Viewer, post_id: ObjectId) -> None:
    await _editable(viewer, post_id)
    result = await collection().delete_one({"_id": post_id})
    if not result.deleted_count:
        raise NotFound("No such post.")


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
    words = search_words(text, "query")
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
        {"$sort": {"score": -1, "created_at": -1, "_id": -1}},
        {"$limit": limit},
    ]
    cursor = await collection().aggregate(pipeline, hint="published_newest")
    return [SearchHit(post, float(post.pop("score"))) async for post in cursor]


async def _update(post_id: ObjectId, update: dict[str, Any]) -> dict[str, Any]:
    post = await collection().find_one_and_update(
        {"_id": post_id}, update, return_document=ReturnDocument.AFTER
    )
    if post is None:
        raise NotFound("No such post.")
    return post


async def _existing(post_id: ObjectId) -> dict[str, Any]:
    post = await collection().find_one({"_id": post_id})
    if post is None:
        raise NotFound("No such post.")
    return post
