"""Posts: drafts, publishing, filtered lists and full-text search."""

from contextlib import nullcontext

import strawberry

from graphql_api import models
from graphql_api.auth.rules import IsAuthenticated, can_see_post, require_viewer, viewer
from graphql_api.limits import SCAN_SHAPED, scan_slot
from graphql_api.schema.connections import connection_field
from graphql_api.schema.context import Info
from graphql_api.schema.idempotency import IdempotencyKey, idempotent
from graphql_api.schema.inputs import given
from graphql_api.schema.relay import Node, parse_id, parse_optional_id
from graphql_api.schema.stored import relation, stored_type
from graphql_api.schema.users import User
from graphql_api.services import posts as service
from graphql_api.services import search
from graphql_api.services.lists import PageSource
from graphql_api.services.posts import PostSort as _PostSort

PostSort = strawberry.enum(_PostSort, name="PostSort", description="Orders of post lists.")


@stored_type(models.Post, description="A blog post. Drafts have `published: false`.")
class Post(Node):
    @strawberry.field(
        description="Null if the author's account no longer exists.",
        metadata=relation("user_by_id", "author_id"),
    )
    async def author(self, info: Info) -> User | None:
        doc = await info.context.loaders.user_by_id.load(self._document["author_id"])
        return User.from_document(doc) if doc else None


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


@strawberry.type
class PostQueries:
    @strawberry.field(
        description="A post by id, or null if there is none (or it is a draft "
        "and you are neither its author nor an admin)."
    )
    async def post(self, info: Info, id: strawberry.ID) -> Post | None:
        doc = await info.context.loaders.post_by_id.load(parse_id(id, "Post"))
        return Post.from_document(doc) if doc and can_see_post(await viewer(info), doc) else None

    @connection_field(
        Post, description="Published posts, newest first unless `sort` says otherwise."
    )
    async def posts(
        self, info: Info, filter: PostFilter | None = None, sort: PostSort = _PostSort.NEWEST_FIRST
    ) -> PageSource | None:
        filter = filter or PostFilter()
        return service.list_posts(
            await viewer(info),
            published=filter.published,
            author_id=parse_optional_id(filter.author_id, "User", "authorId"),
            tag=filter.tag,
            search=filter.search,
            use_text_index=info.context.database.capabilities.text_search,
            sort=sort,
            search_limits=search.SearchLimits.of(info.context.settings),
        )

    @strawberry.field(
        description="Published posts matching any word of `query`, most relevant first. "
        "Uses MongoDB's text index where the server has one; otherwise (the embedded "
        "server) a whole-word match on title and content, title matches weighing 3x: "
        "that one examines every post, so it costs by their number (see "
        "`extensions.cost`) and fails with QUERY_TOO_EXPENSIVE past its time bound. "
        "Too many or too long words are BAD_USER_INPUT.",
        metadata={SCAN_SHAPED: True},
    )
    async def search_posts(self, info: Info, query: str, limit: int = 20) -> list[PostSearchHit]:
        settings = info.context.settings
        limit = min(max(limit, 1), settings.max_page_size)
        text_index = info.context.database.capabilities.text_search
        search.search_words(query, "query", search.SearchLimits.of(settings))  # before a slot
        async with nullcontext() if text_index else scan_slot(info):
            hits = await search.search_posts(
                query,
                limit=limit,
                use_text_index=text_index,
                limits=search.SearchLimits.of(settings),
            )
        return [PostSearchHit(score=hit.score, post=Post.from_document(hit.post)) for hit in hits]


@strawberry.type
class PostMutations:
    @strawberry.mutation(
        description="Write a post (a draft unless `published` is true).",
        permission_classes=[IsAuthenticated],
    )
    async def create_post(
        self, info: Info, input: CreatePostInput, idempotency_key: IdempotencyKey = None
    ) -> Post:
        author = await require_viewer(info)
        return Post.from_document(
            await idempotent(
                info,
                idempotency_key,
                "createPost",
                input,
                lambda: service.create_post(
                    author_id=author.user_id,
                    title=input.title,
                    content=input.content,
                    tags=input.tags,
                    published=input.published,
                ),
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
