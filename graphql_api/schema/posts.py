"""Posts: drafts, publishing, published lists and full-text search."""

from datetime import datetime
from typing import Any

import strawberry
from bson import ObjectId

from graphql_api.schema.connections import Connection, connection
from graphql_api.schema.context import Info, page_request
from graphql_api.schema.scalars import to_id
from graphql_api.schema.users import User, given
from graphql_api.services import posts as service


@strawberry.type(description="A blog post. Drafts have `published: false`.")
class Post:
    id: strawberry.ID
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
        return cls(
            id=to_id(doc["_id"]),
            title=doc["title"],
            content=doc["content"],
            tags=doc.get("tags", []),
            published=doc["published"],
            created_at=doc["created_at"],
            updated_at=doc["updated_at"],
            published_at=doc.get("published_at"),
            author_id=doc["author_id"],
        )


@strawberry.type(description="A search result: the post and how well it matched.")
class PostSearchHit:
    score: float = strawberry.field(description="Higher is more relevant.")
    post: Post


@strawberry.input
class CreatePostInput:
    author_id: strawberry.ID
    title: str
    content: str
    tags: list[str] = strawberry.field(default_factory=list)
    published: bool = strawberry.field(default=False, description="Publish at once.")


@strawberry.input(description="Only the fields given are changed.")
class UpdatePostInput:
    title: str | None = strawberry.UNSET
    content: str | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET


@strawberry.type
class PostQueries:
    @strawberry.field(description="A post by id, or null if there is none.")
    async def post(self, id: strawberry.ID) -> Post | None:
        doc = await service.get_post(id)
        return Post.from_document(doc) if doc else None

    @strawberry.field(description="Published posts, newest first; optionally one author's.")
    async def posts(
        self,
        info: Info,
        author_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Post]:
        page = await service.list_published_posts(
            page_request(first, after, last, before),
            author_id=author_id,
            **info.context.page_limits(),
        )
        return connection(page, Post.from_document)

    @strawberry.field(
        description="Published posts matching the words of `query`, most relevant first. "
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
    @strawberry.mutation(description="Write a post (a draft unless `published` is true).")
    async def create_post(self, input: CreatePostInput) -> Post:
        return Post.from_document(
            await service.create_post(
                author_id=input.author_id,
                title=input.title,
                content=input.content,
                tags=input.tags,
                published=input.published,
            )
        )

    @strawberry.mutation
    async def update_post(self, id: strawberry.ID, input: UpdatePostInput) -> Post:
        return Post.from_document(await service.update_post(id, given(input)))

    @strawberry.mutation(description="Publish a draft; publishing again changes nothing.")
    async def publish_post(self, id: strawberry.ID) -> Post:
        return Post.from_document(await service.publish_post(id))

    @strawberry.mutation(description="Delete a post for good. Returns its id.")
    async def delete_post(self, id: strawberry.ID) -> strawberry.ID:
        await service.delete_post(id)
        return id
