"""Posts: drafts, publishing and the lists of posts (search is in `search.py`)."""

from __future__ import annotations

import re
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from graphql_api.auth.rules import ensure_can_edit_post, ensure_can_list_drafts
from graphql_api.auth.viewer import Viewer
from graphql_api.errors import NotFound
from graphql_api.models import Post, User, utcnow
from graphql_api.pagination import ListQuery
from graphql_api.services.common import atomic
from graphql_api.services.lists import Relation, RootList, by_creation
from graphql_api.services.search import DEFAULT_LIMITS, SearchLimits, search_words
from graphql_api.validation import build, validate_fields

PostSort = by_creation("PostSort")


def collection():
    return Post.get_pymongo_collection()


def posts_query(
    *,
    published: bool = True,
    author_id: ObjectId | None = None,
    tag: str | None = None,
    search: str | None = None,
    use_text_index: bool = False,
    sort: PostSort = PostSort.NEWEST_FIRST,
    search_limits: SearchLimits = DEFAULT_LIMITS,
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
        words = search_words(search, limits=search_limits)
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


PUBLISHED_POSTS_OF_AUTHOR = Relation(
    name="published_posts_of_author",
    parent=User,
    child=Post,
    foreign_field="author_id",
    query=lambda sort: posts_query(sort=sort),
    default_sort=PostSort.NEWEST_FIRST,
)


def list_posts(
    viewer: Viewer | None,
    *,
    published: bool = True,
    author_id: ObjectId | None = None,
    use_text_index: bool = False,
    search: str | None = None,
    **filters: Any,
) -> RootList:
    """Posts by `posts_query`'s filters; drafts only for their author and admins.

    Without a text index a search examines posts one by one: such a list `scans`."""
    if not published:
        ensure_can_list_drafts(viewer, author_id)
    query = posts_query(
        published=published,
        author_id=author_id,
        search=search,
        use_text_index=use_text_index,
        **filters,
    )
    return RootList(Post, query, scans=search is not None and not use_text_index)


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

    async def insert(session: AsyncClientSession | None) -> dict[str, Any]:
        await post.insert(session=session)
        return post.model_dump(by_alias=True)

    # With an idempotency key, the post and the key are written in one transaction.
    return await atomic(Post, insert)


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
    now = utcnow()
    post = await collection().find_one_and_update(
        {"_id": post_id, "published": False},
        {"$set": {"published": True, "published_at": now, "updated_at": now}},
        return_document=ReturnDocument.AFTER,
    )
    return post or await _existing(post_id)


async def delete_post(viewer: Viewer, post_id: ObjectId) -> None:
    await _editable(viewer, post_id)
    result = await collection().delete_one({"_id": post_id})
    if not result.deleted_count:
        raise NotFound("No such post.")


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
