"""Posts: drafts, publishing, filtered lists and full-text search."""

from datetime import datetime
from typing import Any

import strawberry
from bson import ObjectId

from graphql_api.auth.rules import (
    IsAuthenticated,
    can_see_post,
    ensure_can_list_drafts,
    require_viewer,
    viewer,
)
from graphql_api.pagination import PageRequest
from graphql_api.schema.connections import Connection, Relation, connection, related_connection
from graphql_api.schema.context import Info, page_request
from graphql_api.schema.relay import Node, parse_id, parse_optional_id, to_global_id
from graphql_api.schema.selection import projection
from graphql_api.schema.users import User, given
from graphql_api.services import posts as service
from graphql_api.services import users as users_service
from graphql_api.services.posts import PostSort as _PostSort

PostSort = strawberry.enum(_PostSort, name="PostSort", description="Orders of post lists.")

FIELDS = {
    "id": (),
    "databaseId": (),
    "title": ("title",),
    "content": ("content",),
    "tags": ("tags",),
    "published": ("published",),
    "createdAt": ("created_at",),
    "updatedAt": ("updated_at",),
    "publishedAt": ("published_at",),
    "author": ("author_id",),
}


@strawberry.type(description="A blog post. Drafts have `published: false`.")
class Post(Node):
    database_id: str = strawberry.field(description="The MongoDB ObjectId, as hex.")
    title: str
    content: str
    tags: list[str]
    published: bool
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    author_id: strawberry.Private[ObjectId]

    @strawberry.field(description="Null if the author's account no longer exists.")
    async def author(self, info: Info) -> User | None:
        doc = await info.context.loaders.user_by_id.load(self.author_id)
        return User.from_document(doc) if doc else None

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> "Post":
        get = doc.get
        return cls(
            id=to_global_id("Post", doc["_id"]),
            database_id=str(doc["_id"]),
            title=get("title"),
            content=get("content"),
            tags=get("tags", []),
            published=get("published"),
            created_at=get("created_at"),
            updated_at=get("updated_at"),
            published_at=get("published_at"),
            author_id=get("author_id"),
        )


@strawberry.input(description="Which posts to list. All conditions must hold.")
class PostFilter:
    published: bool = strawberry.field(
        default=True,
        description="false lists drafts: your own (with your `authorId`), or anyone's for admins.",
    )
    author_id: strawberry.ID | None = None
    tag: str | None = None
    search: str | None = strawberry.field(
        default=None, description="Words that must all appear in the title or content."
    )


@strawberry.type(description="A search result: the post and how well it matched.")
class PostSearchHit:
    score: float = strawberry.field(description="Higher is more relevant.")
    post: Post


@strawberry.input(description="The author is the signed-in user.")
class CreatePostInput:
    title: str
    content: str
    tags: list[str] = strawberry.field(default_factory=list)
    published: bool = strawberry.field(default=False, description="Publish at once.")


@strawberry.input(description="Only the fields given are changed.")
class UpdatePostInput:
    title: str | None = strawberry.UNSET
    content: str | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET


PUBLISHED_POSTS_OF_AUTHOR = Relation(
    name="published_posts_of_author",
    parents=users_service.collection,
    children=service.collection,
    foreign_field="author_id",
    query=lambda sort: service.posts_query(sort=sort),
    default_sort=_PostSort.NEWEST_FIRST,
    fields=FIELDS,
    convert=Post.from_document,
)


async def posts_of_author(
    info: Info, author: User, sort: _PostSort | None, request: PageRequest
) -> Connection[Post]:
    """`User.posts`, batched over all the users of the request."""
    return await related_connection(
        info, PUBLISHED_POSTS_OF_AUTHOR, ObjectId(author.database_id), sort, request
    )


@strawberry.type
class PostQueries:
    @strawberry.field(
        description="A post by id, or null if there is none (or it is a draft "
        "and you are neither its author nor an admin)."
    )
    async def post(self, info: Info, id: strawberry.ID) -> Post | None:
        doc = await info.context.loaders.post_by_id.load(parse_id(id, "Post"))
        return Post.from_document(doc) if doc and can_see_post(await viewer(info), doc) else None

    @strawberry.field(description="Published posts, newest first unless `sort` says otherwise.")
    async def posts(
        self,
        info: Info,
        filter: PostFilter | None = None,
        sort: PostSort = _PostSort.NEWEST_FIRST,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Post]:
        filter = filter or PostFilter()
        author_id = parse_optional_id(filter.author_id, "User", "authorId")
        if not filter.published:
            ensure_can_list_drafts(await viewer(info), author_id)
        query = service.posts_query(
            published=filter.published,
            author_id=author_id,
            tag=filter.tag,
            search=filter.search,
            use_text_index=info.context.database.capabilities.text_search,
            sort=sort,
        )
        return await connection(
            info,
            service.collection(),
            query,
            page_request(first, after, last, before),
            Post.from_document,
            projection(info, FIELDS),
        )

    @strawberry.field(
        description="Published posts matching any word of `query`, most relevant first. "
        "Uses MongoDB's text index where the server has one; otherwise (the embedded "
        "server) a whole-word match on title and content, title matches weighing 3x."
    )
    async def search_posts(self, info: Info, query: str, limit: int = 20) -> list[PostSearchHit]:
        limit = min(max(limit, 1), info.context.settings.max_page_size)
        hits = await service.search_posts(
            query, limit=limit, use_text_index=info.context.database.capabilities.text_search
        )
        return [PostSearchHit(score=hit.score, post=Post.from_document(hit.post)) for hit in hits]


@strawberry.type
class PostMutations:
    @strawberry.mutation(
        description="Write a post (a draft unless `published` is true).",
        permission_classes=[IsAuthenticated],
    )
    async def create_post(self, info: Info, input: CreatePostInput) -> Post:
        author = await require_viewer(info)
        return Post.from_document(
            await service.create_post(
                author_id=author.user_id,
                title=input.title,
                content=input.content,
                tags=input.tags,
                published=input.published,
            )
        )

    @strawberry.mutation(description="Edit your post.", permission_classes=[IsAuthenticated])
    async def update_post(self, info: Info, id: strawberry.ID, input: UpdatePostInput) -> Post:
        post_id, author = parse_id(id, "Post"), await require_viewer(info)
        return Post.from_document(await service.update_post(author, post_id, given(input)))

    @strawberry.mutation(
        description="Publish your draft; publishing again changes nothing.",
        permission_classes=[IsAuthenticated],
    )
    async def publish_post(self, info: Info, id: strawberry.ID) -> Post:
        post_id, author = parse_id(id, "Post"), await require_viewer(info)
        return Post.from_document(await service.publish_post(author, post_id))

    @strawberry.mutation(
        description="Delete your post for good. Returns its id.",
        permission_classes=[IsAuthenticated],
    )
    async def delete_post(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        post_id, author = parse_id(id, "Post"), await require_viewer(info)
        await service.delete_post(author, post_id)
        return id
